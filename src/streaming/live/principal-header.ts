/**
 * How the Worker hands the already-verified caller to the org object with a WebSocket upgrade
 * (sockets cannot travel over RPC, so the upgrade is a `stub.fetch`). The object trusts this header
 * because nothing but this Worker can reach it: Durable Objects have no public address, and the
 * Worker builds the forwarded request itself, so a client's own `X-Principal` never gets through.
 */
export const PRINCIPAL_HEADER = "X-Principal";

export interface ForwardedPrincipal {
  sub: string;
  org: string;
  /** Present when the caller came with a ticket: the object records it as used. */
  ticket?: { jti: string; exp: number };
}

export function encodePrincipal(p: ForwardedPrincipal): string {
  return JSON.stringify(p);
}

export function decodePrincipal(header: string | null): ForwardedPrincipal | null {
  if (!header) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(header);
  } catch {
    return null;
  }
  if (typeof raw !== "object" || raw === null) return null;
  const { sub, org, ticket } = raw as Record<string, unknown>;
  if (typeof sub !== "string" || typeof org !== "string") return null;
  if (ticket === undefined) return { sub, org };
  if (typeof ticket !== "object" || ticket === null) return null;
  const { jti, exp } = ticket as Record<string, unknown>;
  if (typeof jti !== "string" || typeof exp !== "number") return null;
  return { sub, org, ticket: { jti, exp } };
}
