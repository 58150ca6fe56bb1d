import { buildProblem, type Problem } from "../../http/problem";
import { planFlush } from "../coalesce";
import type { DashboardSummaryT, EventOutT, MetricPointOutT, PredictionOutT } from "../schemas";
import { type Attachment, newAttachment, readAttachment } from "./attachment";
import { decodePrincipal, type ForwardedPrincipal } from "./principal-header";
import {
  CLOSE_CODES,
  ClientMessage,
  type ERROR_CODES,
  MAX_CLIENT_FRAME_BYTES,
  PING_FRAME,
  PONG_FRAME,
  type Publishable,
} from "./protocol";
import { TicketStore } from "./ticket-store";

type Snapshot = () => Promise<DashboardSummaryT> | DashboardSummaryT;

/**
 * The hub's time: when a flush is due, the `at` of each frame, and the timers that send. Injected
 * so tests drive flushes step by step (test/realtime/manual-clock.ts) instead of sleeping.
 */
export interface HubClock {
  now(): number;
  /** setTimeout-like: runs `fn` after `delayMs`; the handle goes to `cancel`. */
  schedule(fn: () => void, delayMs: number): unknown;
  cancel(handle: unknown): void;
}

const systemClock: HubClock = {
  now: () => Date.now(),
  schedule: (fn, delayMs) => setTimeout(fn, delayMs),
  cancel: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
/**
 * A broadcast waiting for the send turn: a ready frame for everyone, or events to filter per
 * socket (each event serialized at most once per flush, then spliced into every filter's frame).
 */
type Outgoing =
  | { kind: "all"; text: string }
  | { kind: "events"; events: EventOutT[]; total: number | undefined; json?: string[] };

/** A socket as the broadcast needs it: its attachment, and its filter ready to group by. */
interface Listener {
  attachment: Attachment;
  /** Same key, same frames: "" for every type, else the filter's JSON. */
  filterKey: string;
  types: ReadonlySet<string> | null;
}

/** Sockets with the same filter get the same frames: built once per flush, sent to each. */
interface Groups {
  byFilter: Map<string, { types: ReadonlySet<string> | null; sockets: WebSocket[] }>;
  sockets: number;
}

function join(groups: Groups, ws: WebSocket, listener: Listener): void {
  let group = groups.byFilter.get(listener.filterKey);
  if (group === undefined) {
    group = { types: listener.types, sockets: [] };
    groups.byFilter.set(listener.filterKey, group);
  }
  group.sockets.push(ws);
  groups.sockets++;
}

const listenerOf = (attachment: Attachment): Listener => ({
  attachment,
  filterKey: attachment.event_types === null ? "" : JSON.stringify(attachment.event_types),
  types: attachment.event_types === null ? null : new Set(attachment.event_types),
});
type ErrorCode = (typeof ERROR_CODES)[number];

// Tags are capped at 256 characters by the runtime; `sub` comes from a token and may be longer.
const tag = (kind: string, value: string) => `${kind}:${value}`.slice(0, 256);

/**
 * The organization's live sockets, on the hibernation API: the object may sleep with sockets open,
 * so nothing here survives in memory that a socket needs later (that lives in its attachment), and
 * the in-memory buffer only holds what waits for the next flush (at most ~100 ms of events).
 *
 * Delivery is at most once: events are published after they are durable, so if the object is
 * evicted before a flush, the pending batch is simply not pushed; clients resync from `snapshot`.
 */
export class LiveHub {
  private readonly tickets: TicketStore;
  private pendingEvents: EventOutT[] = [];
  private pendingMetrics = new Map<string, MetricPointOutT>();
  private pendingPredictions: PredictionOutT[] = [];
  /** The newest running totals published with the pending items (protocol.ts, RunningTotal). */
  private pendingEventsTotal: number | undefined;
  private pendingPredictionsTotal: { total?: number; mean_confidence?: number | null } = {};
  private lastFlushAt: number | null = null;
  private timer: unknown = null;
  private outbox: Outgoing[] = [];
  private sendTurn: unknown = null;
  // Deserializing 1,000 attachments per broadcast would dominate fan-out; cache them per wake-up.
  private readonly listeners = new WeakMap<WebSocket, Listener>();
  /**
   * The broadcast set grouped by filter, built from getWebSockets() once and then kept: every flush
   * and every ingest's `listening()` used to copy the runtime's list of 1,000 sockets and look each
   * one up. Dropped whenever a socket leaves or changes its filter (rebuilt at the next use); a
   * socket that joins is added in place. Lost with the object's memory on hibernation, like the
   * listener cache, and rebuilt from the runtime's list on the first broadcast after waking.
   */
  private groups: Groups | null = null;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly snapshot: Snapshot,
    /** Replaceable (tests install a manual clock on a live object); read at each use. */
    public clock: HubClock = systemClock,
  ) {
    // The runtime answers this exact ping itself, so keep-alives never wake a hibernated object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME));
    this.tickets = new TicketStore(ctx.storage.sql);
  }

  /** The object's `fetch`: an upgrade forwarded by the Worker with the verified caller in `X-Principal`. */
  async fetch(request: Request): Promise<Response> {
    const principal = decodePrincipal(request.headers.get("X-Principal"));
    if (!principal) return problem(buildProblem("unauthorized", "no verified principal on the forwarded upgrade"));
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return upgradeRequired();
    if (principal.ticket && !this.tickets.consume(principal.ticket.jti, principal.ticket.exp)) {
      return problem(buildProblem("unauthorized", "ticket already used; request a new one from POST /ws-ticket"));
    }
    return this.accept(request, principal);
  }

  /** Accepts the socket (hibernatable), saves its state in the attachment and sends `snapshot` first. */
  async accept(_request: Request, principal: Pick<ForwardedPrincipal, "sub" | "org">): Promise<Response> {
    // Taken before the socket joins the broadcast set so that nothing reaches it ahead of the snapshot.
    let snapshot: string;
    try {
      snapshot = this.frame("snapshot", await this.snapshot());
    } catch (err) {
      console.error(JSON.stringify({ level: "error", where: "live.snapshot", error: String(err) }));
      snapshot = this.frame("error", { code: "snapshot_failed", message: "the dashboard summary could not be built" });
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [tag("org", principal.org), tag("sub", principal.sub)]);
    const attachment = newAttachment(principal);
    server.serializeAttachment(attachment);
    const listener = listenerOf(attachment);
    this.listeners.set(server, listener);
    if (this.groups !== null) join(this.groups, server, listener);
    server.send(snapshot);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Called by the data plane after each durable write. Events are batched; everything else goes at once. */
  publish(message: Publishable): void {
    switch (message.type) {
      case "events":
        if (message.data.length === 0) return;
        for (const e of message.data) this.pendingEvents.push(e);
        if (message.total !== undefined) this.pendingEventsTotal = message.total;
        this.schedule();
        return;
      case "predictions":
        // Like events: a 1,000-prediction batch is one frame per flush, not 1,000 frames per socket.
        if (message.data.length === 0) return;
        for (const p of message.data) this.pendingPredictions.push(p);
        if (message.total !== undefined) {
          this.pendingPredictionsTotal = { total: message.total, mean_confidence: message.mean_confidence ?? null };
        }
        this.schedule();
        return;
      case "metric":
        // A dashboard shows a metric's latest value; intermediate points of one window add nothing
        // it cannot fetch from GET /metrics/:name, and would let metric ingestion flood every socket.
        this.pendingMetrics.set(message.data.name, message.data);
        this.schedule();
        return;
      default:
        // Pending events go first so a client sees the events before the alert they caused.
        this.takeBatch();
        this.outbox.push({ kind: "all", text: this.frame(message.type, message.data) });
        this.kick();
    }
  }

  /** Whether a publication could reach anyone: with no socket, writers need not build one. */
  listening(): boolean {
    return this.groups !== null ? this.groups.sockets > 0 : this.ctx.getWebSockets().length > 0;
  }

  /** Drops the cached broadcast set (a socket left or changed its filter, or the organization was erased). */
  forgetSockets(): void {
    this.groups = null; // rebuilt from the runtime's list at the next use
  }

  /** Number of open sockets (all tags), for the dashboard and tests. */
  connectionCount(): number {
    return this.ctx.getWebSockets().length;
  }

  async onMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const size = typeof message === "string" ? byteLength(message) : message.byteLength;
    if (size > MAX_CLIENT_FRAME_BYTES) {
      this.forgetSockets();
      safeClose(ws, CLOSE_CODES.messageTooBig, `frames are limited to ${MAX_CLIENT_FRAME_BYTES} bytes`);
      return;
    }
    if (typeof message !== "string") return this.sendError(ws, "binary_not_supported", "send JSON text frames");
    let raw: unknown;
    try {
      raw = JSON.parse(message);
    } catch {
      return this.sendError(ws, "invalid_json", "the frame is not valid JSON");
    }
    const parsed = ClientMessage.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
      return this.sendError(ws, "invalid_message", `${where}${issue?.message ?? "unknown message"}`);
    }
    const msg = parsed.data;
    if (msg.type === "ping") {
      // Only a differently spelled ping reaches here (the exact one is answered by the runtime).
      safeSend(ws, PONG_FRAME);
      return;
    }
    const listener = this.listenerOf(ws);
    if (!listener) return;
    const next: Attachment = { ...listener.attachment, event_types: msg.event_types };
    ws.serializeAttachment(next);
    this.listeners.set(ws, listenerOf(next));
    this.forgetSockets();
  }

  onClose(ws: WebSocket, code: number, reason: string, _wasClean: boolean): void {
    this.forgetSockets();
    // Complete the closing handshake; 1005/1006 are reserved and cannot be sent back.
    safeClose(ws, code === 1005 || code === 1006 ? 1000 : code, reason);
  }

  onError(ws: WebSocket, error: unknown): void {
    this.forgetSockets();
    console.error(JSON.stringify({ level: "warn", where: "live.socket", error: String(error) }));
    safeClose(ws, 1011, "socket error");
  }

  private frame(type: string, data: unknown, extra: object = {}): string {
    return JSON.stringify({ type, data, ...extra, at: new Date(this.clock.now()).toISOString() });
  }

  private sendError(ws: WebSocket, code: ErrorCode, message: string): void {
    safeSend(ws, this.frame("error", { code, message }));
  }

  private schedule(): void {
    const now = this.clock.now();
    const pending = this.pendingEvents.length + this.pendingMetrics.size + this.pendingPredictions.length;
    const decision = planFlush({ pending, last_flush_at: this.lastFlushAt, now });
    if (decision.action === "flush") {
      this.takeBatch();
      this.kick();
    } else if (decision.action === "schedule" && this.timer === null) {
      this.timer = this.clock.schedule(
        () => {
          this.takeBatch();
          this.send();
        },
        Math.max(0, decision.at - now),
      );
    }
  }

  /** Moves what waits for the slot into the outbox (one `events`, one `predictions`, one `metric` per name). */
  private takeBatch(): void {
    if (this.timer !== null) this.clock.cancel(this.timer);
    this.timer = null;
    if (this.pendingEvents.length === 0 && this.pendingMetrics.size === 0 && this.pendingPredictions.length === 0) {
      return;
    }
    if (this.pendingEvents.length > 0) {
      this.outbox.push({ kind: "events", events: this.pendingEvents, total: this.pendingEventsTotal });
    }
    if (this.pendingPredictions.length > 0) {
      this.outbox.push({
        kind: "all",
        text: this.frame("predictions", this.pendingPredictions, this.pendingPredictionsTotal),
      });
    }
    for (const point of this.pendingMetrics.values()) {
      this.outbox.push({ kind: "all", text: this.frame("metric", point) });
    }
    this.pendingEvents = [];
    this.pendingPredictions = [];
    this.pendingEventsTotal = undefined;
    this.pendingPredictionsTotal = {};
    this.pendingMetrics = new Map();
    this.lastFlushAt = this.clock.now();
  }

  /**
   * Sends on the next turn rather than inside the data plane's write: the write's RPC answer then
   * does not wait for a thousand socket sends, so ingestion latency stays flat as sockets grow.
   */
  private kick(): void {
    if (this.sendTurn === null) this.sendTurn = this.clock.schedule(() => this.send(), 0);
  }

  /**
   * One pass over the sockets per flush: each distinct filter gets its frames built once (the
   * first socket with it pays), every later socket only sends the same strings.
   */
  private send(): void {
    if (this.sendTurn !== null) this.clock.cancel(this.sendTurn);
    this.sendTurn = null;
    const outbox = this.outbox;
    this.outbox = [];
    if (outbox.length === 0) return;
    const at = JSON.stringify(new Date(this.clock.now()).toISOString());
    for (const group of this.groupsNow().byFilter.values()) {
      const frames = framesFor(outbox, group.types, at);
      for (const text of frames) for (const ws of group.sockets) safeSend(ws, text);
    }
  }

  private groupsNow(): Groups {
    if (this.groups !== null) return this.groups;
    const groups: Groups = { byFilter: new Map(), sockets: 0 };
    for (const ws of this.ctx.getWebSockets()) {
      const listener = this.listenerOf(ws);
      if (listener) join(groups, ws, listener);
    }
    this.groups = groups;
    return groups;
  }

  /** The socket's state, read back after hibernation; a socket of an unknown version is told to reconnect. */
  private listenerOf(ws: WebSocket): Listener | null {
    const cached = this.listeners.get(ws);
    if (cached) return cached;
    const attachment = readAttachment(ws.deserializeAttachment());
    if (!attachment) {
      this.forgetSockets();
      safeClose(ws, CLOSE_CODES.serviceRestart, "connection state from an older version; reconnect");
      return null;
    }
    const listener = listenerOf(attachment);
    this.listeners.set(ws, listener);
    return listener;
  }
}

/**
 * The outbox as one filter sees it, in order. An `events` frame is spliced from the events' JSON
 * (serialized once per flush, shared by every filter) and has the same shape `frame()` gives:
 * `{"type":"events","data":[...],"total":N,"at":"..."}`; a filter that selects nothing gets no frame.
 */
function framesFor(outbox: Outgoing[], types: ReadonlySet<string> | null, at: string): string[] {
  const frames: string[] = [];
  for (const item of outbox) {
    if (item.kind === "all") {
      frames.push(item.text);
      continue;
    }
    item.json ??= item.events.map((e) => JSON.stringify(e));
    const json = item.json;
    const selected = types === null ? json : json.filter((_, i) => types.has(item.events[i]?.event_type ?? ""));
    const total = item.total === undefined ? "" : `"total":${item.total},`;
    if (selected.length > 0) frames.push(`{"type":"events","data":[${selected.join(",")}],${total}"at":${at}}`);
  }
  return frames;
}

function byteLength(text: string): number {
  // A UTF-16 string never has more code units than its UTF-8 bytes, so long strings need no encoding.
  return text.length > MAX_CLIENT_FRAME_BYTES ? text.length : new TextEncoder().encode(text).byteLength;
}

// A socket can close between getWebSockets() and send(); one dead socket must not stop the broadcast.
function safeSend(ws: WebSocket, text: string): void {
  try {
    ws.send(text);
  } catch {
    // closed or closing: its onClose does the cleanup
  }
}

function safeClose(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // already closed
  }
}

function problem(body: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: { "Content-Type": "application/problem+json", ...headers },
  });
}

/** 426 has no ProblemKind of its own (it is this route's alone), so the problem is spelled out here. */
export function upgradeRequired(): Response {
  return problem(
    {
      type: "urn:edge-experiments:problem:upgrade-required",
      title: "Upgrade Required",
      status: 426,
      detail: "this endpoint speaks WebSocket only: send Upgrade: websocket",
    },
    { Upgrade: "websocket" },
  );
}
