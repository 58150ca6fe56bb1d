/** GET /experiments/:id/history, GET /flags/:id/history and GET /metrics/:id/history (docs/contract.md "audit"). */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { dbOf } from "../http/handler";
import { defineD1Route } from "../http/openapi";
import { IdParam } from "../http/params";
import { createRouter } from "../http/router";
import type { AppEnv } from "../http/types";
import type { AuditEntityType } from "./model";
import { getHistory } from "./service";

const HistoryItem = z
  .object({
    at: z.string().openapi({ format: "date-time" }),
    actor: z.string().openapi({ description: "The token's `sub`, or `scheduler` for scheduled changes" }),
    action: z.string().openapi({ example: "updated" }),
    changes: z.record(z.string(), z.unknown()).openapi({
      description: "Changed fields as `{ field: { from, to } }`",
      example: { coverage: { from: 50, to: 80 } },
    }),
    reason: z.string().nullable().openapi({ description: "Why a scheduled action was refused; null otherwise" }),
  })
  .openapi("HistoryItem");

const HistoryPage = z
  .object({ items: z.array(HistoryItem), next_cursor: z.string().nullable() })
  .openapi("HistoryPage");

const HistoryQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});

const ok = {
  200: { description: "Every change, newest first", content: { "application/json": { schema: HistoryPage } } },
};

const handler = (type: AuditEntityType) => (c: Context<AppEnv>, id: string, query: z.infer<typeof HistoryQuery>) =>
  getHistory(dbOf(c), c.var.principal.org, type, id, query);

/** Mounted under /api/v1/ab-testing. */
export const auditRoutes = createRouter()
  .openapi(
    defineD1Route("read", {
      method: "get",
      path: "/experiments/{id}/history",
      tags: ["Experiments"],
      summary: "Who changed what in an experiment and its variants",
      request: { params: IdParam, query: HistoryQuery },
      responses: ok,
    }),
    async (c) => c.json(await handler("experiment")(c, c.req.valid("param").id, c.req.valid("query")), 200),
  )
  .openapi(
    defineD1Route("read", {
      method: "get",
      path: "/flags/{id}/history",
      tags: ["Flags"],
      summary: "Who changed what in a feature flag",
      request: { params: IdParam, query: HistoryQuery },
      responses: ok,
    }),
    async (c) => c.json(await handler("flag")(c, c.req.valid("param").id, c.req.valid("query")), 200),
  )
  .openapi(
    defineD1Route("read", {
      method: "get",
      path: "/metrics/{id}/history",
      tags: ["Metrics"],
      summary: "Who changed what in a metric definition",
      request: { params: IdParam, query: HistoryQuery },
      responses: ok,
    }),
    async (c) => c.json(await handler("metric")(c, c.req.valid("param").id, c.req.valid("query")), 200),
  );
