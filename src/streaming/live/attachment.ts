/**
 * What a socket remembers across hibernation. The object's memory is wiped when it sleeps, so
 * everything a connection needs lives here, serialized with the socket by the runtime (max 2 KiB).
 * Versioned: sockets accepted by an older deployment wake up under newer code, which must read
 * their attachments or close them cleanly so the client reconnects with a fresh one.
 */
interface AttachmentV1 {
  v: 1;
  sub: string;
  org: string;
  /** Epoch ms. */
  connected_at: number;
  /** Only these event types are pushed in `events` messages; null means all. */
  event_types: string[] | null;
}

export type Attachment = AttachmentV1;

export function newAttachment(principal: { sub: string; org: string }, now = Date.now()): Attachment {
  return { v: 1, sub: principal.sub, org: principal.org, connected_at: now, event_types: null };
}

/**
 * Reads an attachment back; null when it is missing or of a version this code does not know (the
 * caller then closes the socket with 1012 so the client reconnects and gets a current one).
 */
export function readAttachment(raw: unknown): Attachment | null {
  if (typeof raw !== "object" || raw === null) return null;
  const a = raw as Record<string, unknown>;
  if (a.v !== 1) return null;
  if (typeof a.sub !== "string" || typeof a.org !== "string" || typeof a.connected_at !== "number") return null;
  const types = a.event_types;
  // A malformed filter falls back to "everything": better too many messages than a silently dead socket.
  const eventTypes = Array.isArray(types) && types.every((t): t is string => typeof t === "string") ? types : null;
  return { v: 1, sub: a.sub, org: a.org, connected_at: a.connected_at, event_types: eventTypes };
}
