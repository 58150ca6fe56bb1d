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

const MIN_SECRET_LENGTH = 16;
const KID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** `kid:secret` pairs, comma-separated; a secret may itself contain ':' (split on the first one). */
const JwtSecrets = optionalString.transform((value, ctx) => {
  const keys = new Map<string, string>();
  for (const pair of value ? value.split(",") : []) {
    const at = pair.indexOf(":");
    const kid = pair.slice(0, at).trim();
    const secret = pair.slice(at + 1).trim();
    if (at < 0 || !KID_PATTERN.test(kid) || secret.length < MIN_SECRET_LENGTH || keys.has(kid)) {
      ctx.addIssue({
        code: "custom",
        message: `each entry must be kid:secret (kid of [A-Za-z0-9._-], unique; secret of ${MIN_SECRET_LENGTH}+ characters)`,
      });
      return z.NEVER;
    }
    keys.set(kid, secret);
  }
  return keys;
});

// Workers Rate Limiting counts over 10 s or 60 s only. The binding does not tell its period, so each
// limiter's period is also a var, kept equal to its [[ratelimits]] entry (a unit test compares them).
const limiterPeriod = (fallback: 10 | 60) => positiveInt(fallback).pipe(z.union([z.literal(10), z.literal(60)]));

const ConfigSchema = z.object({
  // Optional since JWT_SECRETS exists; at least one of the two is required (checked below).
  JWT_SECRET: optionalString.pipe(
    z.string().min(MIN_SECRET_LENGTH, `JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters`).optional(),
  ),
  JWT_SECRETS: JwtSecrets,
  JWT_ISSUER: optionalString,
  JWT_AUDIENCE: optionalString,
  EVENT_RETENTION_DAYS: positiveInt(7),
  ALERT_RETENTION_DAYS: positiveInt(90),
  METRIC_RETENTION_DAYS: positiveInt(365),
  ASSIGNMENT_CACHE_TTL_SECONDS: positiveInt(30),
  CORS_ORIGINS: optionalString,
  DEV_SIGN_IN: optionalString,
  INGEST_LIMIT_PERIOD_SECONDS: limiterPeriod(10),
  AUTH_FAILURE_LIMIT_PERIOD_SECONDS: limiterPeriod(60),
  ASSIGN_LIMIT_PERIOD_SECONDS: limiterPeriod(10),
  ASSIGN_LIMIT_BATCH: positiveInt(100),
  ALLOW_HTTP_LOCALHOST_CHANNELS: optionalString,
});

/** The verification keys, and the one this Worker signs its own tokens (tickets, dev sign-in) with. */
interface JwtKeys {
  /** Tokens without a `kid` header verify with JWT_SECRET alone. */
  unnamed: Uint8Array | undefined;
  /** Tokens with a `kid` verify with that entry of JWT_SECRETS; an unknown kid is refused. */
  byKid: ReadonlyMap<string, Uint8Array>;
  /** The first JWT_SECRETS entry (the newest, by convention), else JWT_SECRET. */
  signing: { kid: string | undefined; secret: Uint8Array };
}

export interface Config {
  jwt: JwtKeys;
  jwtIssuer: string | undefined;
  jwtAudience: string | undefined;
  retention: { eventDays: number; alertDays: number; metricDays: number };
  assignmentCacheTtlMs: number;
  corsOrigins: string[];
  devSignIn: boolean;
  /** Seconds each limiter counts over: a refused caller is told to retry after one period. */
  limiterPeriodSeconds: { ingest: number; authFailure: number; assign: number };
  /** Assignment calls per ASSIGN_LIMITER unit (src/http/batched-limiter.ts). */
  assignLimitBatch: number;
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
    jwt: jwtKeys(raw.JWT_SECRET, raw.JWT_SECRETS),
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
    limiterPeriodSeconds: {
      ingest: raw.INGEST_LIMIT_PERIOD_SECONDS,
      authFailure: raw.AUTH_FAILURE_LIMIT_PERIOD_SECONDS,
      assign: raw.ASSIGN_LIMIT_PERIOD_SECONDS,
    },
    assignLimitBatch: raw.ASSIGN_LIMIT_BATCH,
    allowHttpLocalhostChannels: raw.ALLOW_HTTP_LOCALHOST_CHANNELS === "true",
  };
  cache.set(env, config);
  return config;
}

function jwtKeys(single: string | undefined, named: ReadonlyMap<string, string>): JwtKeys {
  const encode = (s: string) => new TextEncoder().encode(s);
  const byKid = new Map([...named].map(([kid, secret]) => [kid, encode(secret)] as const));
  const unnamed = single === undefined ? undefined : encode(single);
  const [first] = byKid;
  const signing = first ? { kid: first[0], secret: first[1] } : unnamed ? { kid: undefined, secret: unnamed } : null;
  // Same path as a schema failure: a deployment problem that must not surface as a client error.
  if (!signing) throw new Error("invalid Worker configuration (set JWT_SECRET or JWT_SECRETS)");
  return { unnamed, byKid, signing };
}
