import { createMiddleware } from "hono/factory";
import { ProblemError } from "./problem";
import type { AppEnv } from "./types";

// The Workers Rate Limiting binding counts over a 10 s period (wrangler.toml); waiting one
// period is the honest upper bound to give clients.
const RETRY_AFTER_SECONDS = 10;

/** Per-organization ingestion limit. Must run after requireScope: it keys on the token's org. */
export const limitIngest = createMiddleware<AppEnv>(async (c, next) => {
  const { success } = await c.env.INGEST_LIMITER.limit({ key: `ingest:${c.var.principal.org}` });
  if (!success) {
    throw new ProblemError("rate-limited", "ingestion rate limit exceeded for this organization", {
      headers: { "Retry-After": String(RETRY_AFTER_SECONDS) },
    });
  }
  await next();
});
