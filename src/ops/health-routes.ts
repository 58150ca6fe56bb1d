import { createRoute, z } from "@hono/zod-openapi";
import { getConfig } from "../config";
import type { Env } from "../env";
import { createRouter } from "../http/router";
import { orgObject } from "../streaming/org-stub";
import { type Check, runChecks } from "./readiness";

// Not an organization name (':' is outside the org pattern), so the probe never touches a tenant's object.
const PROBE_OBJECT = "health:probe";

const Readiness = z
  .object({
    status: z.enum(["ok", "degraded"]),
    checks: z.array(z.object({ name: z.string(), status: z.enum(["ok", "fail"]), ms: z.number() })),
  })
  .openapi("Readiness");

function checks(env: Env): Check[] {
  return [
    { name: "configuration", run: async () => getConfig(env) },
    { name: "database", run: () => env.DB.prepare("SELECT 1 FROM experiments LIMIT 1").all() },
    { name: "objects", run: () => orgObject(env, PROBE_OBJECT).ping() },
  ];
}

/** Deep readiness for load balancers and monitors; GET /health stays the cheap liveness check. */
export const readinessRoutes = createRouter().openapi(
  createRoute({
    method: "get",
    path: "/health/ready",
    tags: ["Health"],
    summary: "Readiness check (no auth): configuration, a D1 read and a Durable Object round trip",
    description:
      "Each check is bounded (2 s) and timed. `503` with `status: degraded` when one fails; the reason is " +
      "logged (`readiness_check_failed`), never returned.",
    responses: {
      200: { description: "Every check passed", content: { "application/json": { schema: Readiness } } },
      503: { description: "A check failed", content: { "application/json": { schema: Readiness } } },
    },
  }),
  async (c) => {
    const timers: ReturnType<typeof setTimeout>[] = [];
    const report = await runChecks(checks(c.env), {
      now: () => performance.now(),
      deadline: (ms) =>
        new Promise<never>((_, reject) => {
          timers.push(setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms));
        }),
      onFailure: (check, error) =>
        console.error(
          JSON.stringify({
            level: "error",
            event: "readiness_check_failed",
            check,
            request_id: c.get("requestId"),
            error: String(error),
          }),
        ),
    });
    for (const t of timers) clearTimeout(t);
    return c.json(report, report.status === "ok" ? 200 : 503);
  },
);
