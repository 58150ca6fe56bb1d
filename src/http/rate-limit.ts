import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { getConfig } from "../config";
import { BatchedLimiter } from "./batched-limiter";
import { ProblemError } from "./problem";
import type { AppEnv } from "./types";

// Each limiter is a Workers Rate Limiting binding ([[ratelimits]] in wrangler.toml). A refused caller
// is told to retry after one period of that limiter: the honest upper bound, since the binding does
// not say when its window turns.
const rateLimited = (detail: string, periodSeconds: number) =>
  new ProblemError("rate-limited", detail, { headers: { "Retry-After": String(periodSeconds) } });

/**
 * The limiter's verdict, or admission when the binding fails: a limiter outage must not take
 * ingestion or sign-in down with it (the assignment limiter admits the same way, batched-limiter.ts).
 * The limiter protects capacity; it is not what makes a request correct.
 */
async function allowed(limiter: RateLimit, key: string): Promise<boolean> {
  try {
    return (await limiter.limit({ key })).success;
  } catch (err) {
    console.warn(`rate limiter unavailable for ${key}; admitting`, err);
    return true;
  }
}

/** Per-organization ingestion limit. Must run after requireScope: it keys on the token's org. */
export const limitIngest = createMiddleware<AppEnv>(async (c, next) => {
  const success = await allowed(c.env.INGEST_LIMITER, `ingest:${c.get("principal").org}`);
  if (!success) {
    throw rateLimited(
      "ingestion rate limit exceeded for this organization",
      getConfig(c.env).limiterPeriodSeconds.ingest,
    );
  }
  await next();
});

/**
 * Counts one refused token against the client's address and throws 429 once the budget is spent.
 * A refused token carries no trustworthy org, so the key is the connecting IP (CF-Connecting-IP,
 * set by Cloudflare's edge and not forgeable by the client there).
 */
export async function limitFailedAuth(c: Context<AppEnv>): Promise<void> {
  const ip = c.req.header("CF-Connecting-IP") ?? "unknown";
  const success = await allowed(c.env.AUTH_FAILURE_LIMITER, `auth-failure:${ip}`);
  if (!success) {
    throw rateLimited(
      "too many failed authentications from this address",
      getConfig(c.env).limiterPeriodSeconds.authFailure,
    );
  }
}

/** The isolate's assignment counts per organization (tests step its clock). */
export const assignLimiter = new BatchedLimiter();

/**
 * Per-organization assignment limit that never waits: calls are counted in the isolate and
 * ASSIGN_LIMITER is consulted in the background once per ASSIGN_LIMIT_BATCH calls, so one limiter
 * unit is that many calls. Once the limiter says the organization is over, its calls get 429 at
 * once until one period has passed. Must run after requireScope: it keys on the token's org.
 */
export const limitAssign = createMiddleware<AppEnv>(async (c, next) => {
  const config = getConfig(c.env);
  const admission = assignLimiter.admit(`assign:${c.get("principal").org}`, {
    consult: (key) => c.env.ASSIGN_LIMITER.limit({ key }),
    defer: (work) => c.executionCtx.waitUntil(work),
    batch: config.assignLimitBatch,
    periodSeconds: config.limiterPeriodSeconds.assign,
  });
  if (!admission.admitted) {
    throw rateLimited("assignment rate limit exceeded for this organization", admission.retryAfterSeconds);
  }
  await next();
});
