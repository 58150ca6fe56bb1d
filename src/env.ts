import type { OrgObject } from "./streaming/org-object";

/** Bindings and vars as declared in wrangler.toml (secrets come from .dev.vars or `wrangler secret`). */
export interface Env {
  DB: D1Database;
  ORG: DurableObjectNamespace<OrgObject>;
  ASSETS: Fetcher;
  INGEST_LIMITER: RateLimit;
  AUTH_FAILURE_LIMITER: RateLimit;
  /** The kid-less signing secret; optional once JWT_SECRETS holds the keys. */
  JWT_SECRET?: string;
  /** `kid:secret` pairs, comma-separated, newest first: key rotation with overlap. */
  JWT_SECRETS?: string;
  JWT_ISSUER?: string;
  JWT_AUDIENCE?: string;
  EVENT_RETENTION_DAYS?: string;
  ALERT_RETENTION_DAYS?: string;
  METRIC_RETENTION_DAYS?: string;
  ASSIGNMENT_CACHE_TTL_SECONDS?: string;
  CORS_ORIGINS?: string;
  DEV_SIGN_IN?: string;
  INGEST_LIMIT_PERIOD_SECONDS?: string;
  AUTH_FAILURE_LIMIT_PERIOD_SECONDS?: string;
  /** "true" only under `npm run bench`: exposes bench-only baseline routes. */
  BENCH_ROUTES?: string;
}
