import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { getConfig } from "../../config";
import {
  bearerToken,
  countingFailures,
  missingScope,
  missingTokenDetail,
  unauthorized,
  verifyToken,
} from "../../http/auth";
import { defineRoute, ProblemSchema } from "../../http/openapi";
import { createRouter } from "../../http/router";
import { givenOnce } from "../../http/params";
import type { AppEnv } from "../../http/types";
import { upgradeRequired } from "./hub";
import { encodePrincipal, type ForwardedPrincipal, PRINCIPAL_HEADER } from "./principal-header";
import { signTicket, TICKET_TTL_SECONDS, verifyTicket } from "./ticket";
import { orgObject } from "../org-stub";

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});

/**
 * Who may open the socket: a ticket from POST /ws-ticket (browsers cannot set headers on a
 * WebSocket) or a bearer token with the `read` scope. Verified here in the Worker, before anything
 * reaches the org object; the ticket's single use is settled by the object itself.
 */
async function authenticateSocket(c: Context<AppEnv>): Promise<ForwardedPrincipal> {
  const config = getConfig(c.env);
  const ticket = c.req.query("ticket");
  if (ticket !== undefined) {
    const t = await countingFailures(c, verifyTicket(ticket, config));
    return { sub: t.sub, org: t.org, ticket: { jti: t.jti, exp: t.exp } };
  }
  const header = c.req.header("Authorization");
  const token = bearerToken(header);
  // A header there but not `Bearer <token>` is told its shape, as on every other route.
  if (!token) throw unauthorized(missingTokenDetail(header, "pass ?ticket= (from POST /ws-ticket) or a bearer token"));
  const { principal } = await countingFailures(c, verifyToken(token, config));
  if (!principal.scopes.has("read")) throw missingScope("the WebSocket", "read", principal);
  return { sub: principal.sub, org: principal.org };
}

const TicketOut = z
  .object({
    ticket: z.string().openapi({ description: "Pass as ?ticket= to GET /ws within expires_in seconds; works once" }),
    expires_in: z.number().int().openapi({ description: "Seconds the ticket stays valid (60)" }),
  })
  .openapi("WsTicket");

/** The live stream's two routes: the ticket for browsers, and the WebSocket itself. */
// Declared apart and typed: written inline, this two-entry array makes createRoute infer the path as
// a plain string, which collapses every sibling route in hc<AppType> (the dashboard's typed client).
const WS_SECURITY: NonNullable<Parameters<typeof createRoute>[0]["security"]> = [{ bearerAuth: [] }, { wsTicket: [] }];

export const liveRoutes = createRouter()
  .openapi(
    defineRoute("read", {
      method: "post",
      path: "/ws-ticket",
      tags: ["Streaming: live"],
      summary: "A single-use ticket, valid 60 s, to open the WebSocket from a browser",
      responses: { 200: { description: "The ticket", content: { "application/json": { schema: TicketOut } } } },
    }),
    async (c) => {
      const ticket = await signTicket(getConfig(c.env), c.get("principal"));
      return c.json({ ticket, expires_in: TICKET_TTL_SECONDS }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/ws",
      tags: ["Streaming: live"],
      summary: "The organization's live stream (WebSocket; protocol in docs/websocket-protocol.md)",
      description:
        "Authenticate with `?ticket=` (from POST /ws-ticket; single use) or `Authorization: Bearer` with the `read` scope.\n\nScope: `read`.",
      security: WS_SECURITY,
      request: { query: z.object({ ticket: givenOnce(z.string(), "a ticket from POST /ws-ticket").optional() }) },
      responses: {
        101: { description: "Switching to WebSocket; the first message is `snapshot`" },
        401: problem("Missing, malformed, forged, expired or already used token or ticket"),
        403: problem("Token lacks the read scope"),
        426: problem("Not a WebSocket upgrade request"),
      },
    }),
    async (c) => {
      // Authentication first, so an anonymous caller learns nothing, not even that this is a socket.
      const forwarded = await authenticateSocket(c);
      if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") return upgradeRequired();
      // A fresh request: only the headers built here reach the object, never a client's X-Principal.
      const upgrade = new Request("https://org.internal/live", {
        headers: { Upgrade: "websocket", [PRINCIPAL_HEADER]: encodePrincipal(forwarded) },
      });
      const res = await orgObject(c.env, forwarded.org).fetch(upgrade);
      // Re-wrapped because a fetched Response has immutable headers, which the app's header middleware must set.
      if (res.status === 101 && res.webSocket) return new Response(null, { status: 101, webSocket: res.webSocket });
      // The object refused (a replayed ticket): re-raise so the answer carries this request's id.
      const body = (await res.json().catch(() => ({}))) as { detail?: string };
      if (res.status === 401) throw unauthorized(body.detail ?? "ticket rejected");
      if (res.status === 426) return upgradeRequired();
      throw new Error(`org object refused the upgrade with ${res.status}`);
    },
  );

liveRoutes.openAPIRegistry.registerComponent("securitySchemes", "wsTicket", {
  type: "apiKey",
  in: "query",
  name: "ticket",
  description: "Single-use ticket from POST /api/v1/streaming-analytics/ws-ticket, valid 60 s.",
});
