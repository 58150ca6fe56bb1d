import type { OrgObject } from "./streaming/org-object";

/** Bindings and vars as declared in wrangler.toml (secrets come from .dev.vars or `wrangler secret`). */
export interface Env {
  DB: D1Database;
  ORG: DurableObjectNamespace<OrgObject>;
  ASSETS: Fetcher;
  INGEST_LIMITER: RateLimit;
  JWT_SECRET: string;
  JWT_ISSUER?: string;
  JWT_AUDIENCE?: string;
  EVENT_RETENTION_DAYS?: string;
  ALERT_RETENTION_DAYS?: string;
  METRIC_RETENTION_DAYS?: string;
  ASSIGNMENT_CACHE_TTL_SECONDS?: string;
  CORS_ORIGINS?: string;
  DEV_SIGN_IN?: string;
}
