import { createRoute, z } from "@hono/zod-openapi";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { assignmentRoutes } from "./assignment/routes";
import { auditRoutes } from "./audit/routes";
import { getConfig } from "./config";
import { experimentRoutes } from "./experiments/routes";
import { flagRoutes } from "./flags/routes";
import { limitBody } from "./http/body-limit";
import { devAuth } from "./http/dev-auth";
import { renderDocsPage } from "./http/docs-page";
import { onError, onNotFound } from "./http/errors";
import { createRouter } from "./http/router";
import { noStore, pageSecurityHeaders } from "./http/security-headers";
import { identityRoutes } from "./identity/routes";
import { metricRoutes } from "./metrics/routes";
import { readinessRoutes } from "./ops/health-routes";
import { opsRoutes } from "./ops/routes";
import { liveRoutes } from "./streaming/live/routes";
import { streamingRoutes } from "./streaming/routes";

const API_VERSION = "1.0.0";

const health = createRouter().openapi(
  createRoute({
    method: "get",
    path: "/health",
    tags: ["Health"],
    summary: "Liveness check (no auth)",
    responses: {
      200: {
        description: "The Worker is up",
        content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } },
      },
    },
  }),
  (c) => c.json({ status: "ok" as const }, 200),
);

const app = createRouter();

// Accept a caller's request id when it is sane, so traces can be joined across services.
app.use("*", requestId({ limitLength: 128, headerName: "X-Request-Id" }));
// Registered before secureHeaders so that, running after it on the way out, its values stay.
app.use("/api/docs", pageSecurityHeaders);
app.use(
  "/api/*",
  secureHeaders({
    crossOriginResourcePolicy: false,
    // JSON needs nothing from a policy: nothing may load, nothing may frame it.
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    xFrameOptions: "DENY",
  }),
);
app.use("/api/*", noStore);
app.use("/api/*", async (c, next) => {
  // CORS is explicit: no origin is allowed unless CORS_ORIGINS lists it; same-origin needs none.
  // A broken configuration must still let the readiness probe answer (it reports it); the routes
  // that need the configuration fail on their own.
  let origins: string[];
  try {
    origins = getConfig(c.env).corsOrigins;
  } catch {
    return next();
  }
  if (origins.length === 0) return next();
  return cors({
    origin: origins,
    allowHeaders: ["Authorization", "Content-Type", "If-None-Match", "X-D1-Bookmark"],
    exposeHeaders: ["ETag", "X-Request-Id", "Retry-After", "X-D1-Bookmark"],
    maxAge: 600,
  })(c, next);
});
app.use("/api/*", limitBody);

app.onError(onError);
app.notFound(onNotFound);

const routes = app
  .route("/api/v1", health)
  .route("/api/v1", readinessRoutes)
  .route("/api/v1", opsRoutes)
  .route("/api/v1", identityRoutes)
  .route("/api/v1/ab-testing", assignmentRoutes)
  .route("/api/v1/ab-testing", experimentRoutes)
  .route("/api/v1/ab-testing", metricRoutes)
  .route("/api/v1/ab-testing", flagRoutes)
  .route("/api/v1/ab-testing", auditRoutes)
  .route("/api/v1/dev", devAuth)
  .route("/api/v1/streaming-analytics", liveRoutes)
  .route("/api/v1/streaming-analytics", streamingRoutes);

app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
  type: "http",
  scheme: "bearer",
  bearerFormat: "JWT",
  description:
    "HS256 token with claims sub, org, scope (space-separated: read write ingest assign admin), exp; optional kid header.",
});

const openApiConfig = {
  openapi: "3.1.0",
  info: {
    title: "Edge Experiments",
    version: API_VERSION,
    description: "Experiments with edge assignment, and live streaming analytics, on one Cloudflare Worker.",
  },
};
app.doc31("/api/v1/openapi.json", openApiConfig);
app.get("/api/docs", (c) => {
  const doc = app.getOpenAPI31Document(openApiConfig);
  return c.html(renderDocsPage(doc as unknown as Parameters<typeof renderDocsPage>[0]));
});

// Non-API paths reach the Worker only when assets are bypassed (tests, `run_worker_first`);
// hand them to the dashboard's asset server, which answers index.html for client routes.
app.get("*", (c) => {
  if (new URL(c.req.url).pathname.startsWith("/api/")) return onNotFound(c);
  return c.env.ASSETS.fetch(c.req.raw);
});

export type AppType = typeof routes;
export default app;
