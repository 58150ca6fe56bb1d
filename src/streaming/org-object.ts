import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

/**
 * One per organization (reached with `ORG.getByName(org)`): streaming analytics storage and the
 * organization's live sockets. Kept thin: logic lives in pure modules beside it.
 */
export class OrgObject extends DurableObject<Env> {
  async ping(): Promise<string> {
    return "pong";
  }
}
