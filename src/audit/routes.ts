/** GET /experiments/:id/history, GET /flags/:id/history and GET /metrics/:id/history (docs/contract.md "audit"). */
import { type RouteHandler, z } from "@hono/zod-openapi";
import { dbOf } from "../http/handler";
import { defineD1Route } from "../http/openapi";
import { IdParam, listOf, pageQueryFields } from "../http/params";
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

const HistoryPage = listOf(HistoryItem, "HistoryPage");

const HistoryQuery = z.object({
  ...pageQueryFields,
});

const ok = {
  200: { description: "Every change, newest first", content: { "application/json": { schema: HistoryPage } } },
};

/** One entity's history route and its handler: same query, same page, its own path, tag and type. */
function history<const P extends string>(type: AuditEntityType, path: P, tag: string, summary: string) {
  const route = defineD1Route("read", {
    method: "get",
    path,
    tags: [tag],
    summary,
    request: { params: IdParam, query: HistoryQuery },
    responses: ok,
  });
  const handler: RouteHandler<typeof route, AppEnv> = async (c) =>
    c.json(await getHistory(dbOf(c), c.get("principal").org, type, c.req.valid("param").id, c.req.valid("query")), 200);
  return [route, handler] as const;
}

/** Mounted under /api/v1/ab-testing. */
export const auditRoutes = createRouter()
  .openapi(
    ...history(
      "experiment",
      "/experiments/{id}/history",
      "Experiments",
      "Who changed what in an experiment and its variants",
    ),
  )
  .openapi(...history("flag", "/flags/{id}/history", "Flags", "Who changed what in a feature flag"))
  .openapi(...history("metric", "/metrics/{id}/history", "Metrics", "Who changed what in a metric definition"));
