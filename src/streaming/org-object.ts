import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { LiveHub } from "./live/hub";

/**
 * One per organization (reached with `ORG.getByName(org)`): streaming analytics storage and the
 * organization's live sockets. Kept thin: logic lives in pure modules beside it.
 */
export class OrgObject extends DurableObject<Env> {
  // ---- live (issue 5 realtime): hub wiring; everything else of the class belongs to the data plane ----
  readonly live: LiveHub;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Data plane: replace the callback with `() => this.dashboard()` once the summary exists.
    this.live = new LiveHub(ctx, () => {
      throw new Error("dashboard summary not wired yet");
    });
  }

  /** Only WebSocket upgrades come through fetch (sockets cannot travel over RPC); the Worker authenticated them. */
  override async fetch(request: Request): Promise<Response> {
    return this.live.fetch(request);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    await this.live.onMessage(ws, message);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string, wasClean: boolean): Promise<void> {
    this.live.onClose(ws, code, reason, wasClean);
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    this.live.onError(ws, error);
  }
  // ---- end live ----

  async ping(): Promise<string> {
    return "pong";
  }
}
