import { z } from "zod";
import type { Env } from "./env";

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== "" ? v.trim() : undefined));
const positiveInt = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === "" ? fallback : Number(v)))
    .pipe(z.number().int().positive());

const ConfigSchema = z.object({
  JWT_SECRET: z.string().min(16, "JWT_SECRET must be at least 16 characters"),
  JWT_ISSUER: optionalString,
  JWT_AUDIENCE: optionalString,
  EVENT_RETENTION_DAYS: positiveInt(7),
  ALERT_RETENTION_DAYS: positiveInt(90),
  METRIC_RETENTION_DAYS: positiveInt(365),
  ASSIGNMENT_CACHE_TTL_SECONDS: positiveInt(30),
  CORS_ORIGINS: optionalString,
  DEV_SIGN_IN: optionalString,
  ALLOW_HTTP_LOCALHOST_CHANNELS: optionalString,
});

export interface Config {
  jwtSecret: Uint8Array;
  jwtIssuer: string | undefined;
  jwtAudience: string | undefined;
  retention: { eventDays: number; alertDays: number; metricDays: number };
  assignmentCacheTtlMs: number;
  corsOrigins: string[];
  devSignIn: boolean;
  /** Channels may use http://127.0.0.1 and localhost (never in production). */
  allowHttpLocalhostChannels: boolean;
}

// Vars are strings that only change on deploy, so parse them once per isolate and per env object.
const cache = new WeakMap<object, Config>();

/** Parses vars and secrets into a typed config; a misconfiguration fails loudly at the first request. */
export function getConfig(env: Env): Config {
  const hit = cache.get(env);
  if (hit) return hit;
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    // A deployment problem, not the caller's: it must not surface as a 400 naming env vars. The
    // error handler turns this plain Error into a 500 that reveals only the request id.
    const fields = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid Worker configuration (${fields})`);
  }
  const raw = parsed.data;
  const config: Config = {
    jwtSecret: new TextEncoder().encode(raw.JWT_SECRET),
    jwtIssuer: raw.JWT_ISSUER,
    jwtAudience: raw.JWT_AUDIENCE,
    retention: {
      eventDays: raw.EVENT_RETENTION_DAYS,
      alertDays: raw.ALERT_RETENTION_DAYS,
      metricDays: raw.METRIC_RETENTION_DAYS,
    },
    assignmentCacheTtlMs: raw.ASSIGNMENT_CACHE_TTL_SECONDS * 1000,
    corsOrigins: raw.CORS_ORIGINS ? raw.CORS_ORIGINS.split(",").map((s) => s.trim()) : [],
    devSignIn: raw.DEV_SIGN_IN === "true",
    allowHttpLocalhostChannels: raw.ALLOW_HTTP_LOCALHOST_CHANNELS === "true",
  };
  cache.set(env, config);
  return config;
}
