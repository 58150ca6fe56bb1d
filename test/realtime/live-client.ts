import { SELF } from "cloudflare:test";
import { onTestFailed } from "vitest";
import { parseServerMessage, type ServerMessage } from "../../src/streaming/live/protocol";

export const WS_PATH = "/api/v1/streaming-analytics/ws";

type Of<T extends ServerMessage["type"]> = Extract<ServerMessage, { type: T }>;

/**
 * A test client over the in-process Worker: it records every frame, parsed with the shared protocol
 * module (so a frame the dashboard could not parse fails the test), and waits for messages by type.
 */
export class LiveClient {
  readonly messages: ServerMessage[] = [];
  readonly raw: string[] = [];
  /** Frames the shared protocol module rejected: every test expects none. */
  readonly invalid: string[] = [];
  closed: { code: number; reason: string } | null = null;
  private waiters: (() => void)[] = [];

  constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (e) => {
      const text = typeof e.data === "string" ? e.data : new TextDecoder().decode(e.data as ArrayBuffer);
      this.raw.push(text);
      const msg = parseServerMessage(text);
      if (msg) this.messages.push(msg);
      else this.invalid.push(text);
      this.wake();
    });
    ws.addEventListener("close", (e) => {
      this.closed = { code: e.code, reason: e.reason };
      this.wake();
    });
    ws.accept();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  of<T extends ServerMessage["type"]>(type: T): Of<T>[] {
    return this.messages.filter((m): m is Of<T> => m.type === type);
  }

  /**
   * Resolves when `predicate` holds over what has arrived, re-checked at each frame or close (the
   * sentinel): no clock. A hang is the test's own timeout, and what had arrived is printed then.
   */
  async until(predicate: (c: LiveClient) => boolean, what = "condition"): Promise<void> {
    if (predicate(this)) return;
    onTestFailed(() => console.error(`waiting for ${what}; got ${JSON.stringify(this.raw).slice(0, 1000)}`));
    while (!predicate(this)) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** The n-th (1-based) message of `type`, waiting for it. */
  async next<T extends ServerMessage["type"]>(type: T, n = 1): Promise<Of<T>> {
    await this.until((c) => c.of(type).length >= n, `${n} '${type}' message(s)`);
    return this.of(type)[n - 1] as Of<T>;
  }

  async waitClosed(): Promise<{ code: number; reason: string }> {
    await this.until((c) => c.closed !== null, "close");
    return this.closed as { code: number; reason: string };
  }

  send(data: unknown): void {
    this.ws.send(typeof data === "string" ? data : JSON.stringify(data));
  }

  close(): void {
    try {
      this.ws.close(1000, "done");
    } catch {
      // already closed
    }
  }
}

export function upgrade(query = "", headers: Record<string, string> = {}): Promise<Response> {
  return SELF.fetch(`https://edge.test${WS_PATH}${query}`, { headers: { Upgrade: "websocket", ...headers } });
}

/** Opens a socket with a bearer token, asserting the 101. */
export async function connectWithToken(token: string): Promise<LiveClient> {
  return accepted(await upgrade("", { Authorization: `Bearer ${token}` }));
}

/** Opens a socket the browser way: a ticket from POST /ws-ticket, then `?ticket=`. */
export async function connectWithTicket(token: string): Promise<LiveClient> {
  const ticket = await getTicket(token);
  return accepted(await upgrade(`?ticket=${encodeURIComponent(ticket)}`));
}

export async function getTicket(token: string): Promise<string> {
  const res = await SELF.fetch("https://edge.test/api/v1/streaming-analytics/ws-ticket", {
    method: "POST",
    headers: { Authorization: `Bearer ${token}` },
  });
  if (res.status !== 200) throw new Error(`ws-ticket: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { ticket: string; expires_in: number };
  return body.ticket;
}

export async function accepted(res: Response): Promise<LiveClient> {
  if (res.status !== 101 || !res.webSocket) throw new Error(`expected 101, got ${res.status}: ${await res.text()}`);
  return new LiveClient(res.webSocket);
}
