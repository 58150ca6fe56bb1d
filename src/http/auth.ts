import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { type JWTHeaderParameters, type JWTPayload, errors as joseErrors, jwtVerify } from "jose";
import { type Config, getConfig } from "../config";
import { ProblemError } from "./problem";
import { limitFailedAuth } from "./rate-limit";
import { WS_TICKET_TYP } from "./tokens";
import { type AppEnv, ORG_PATTERN, type Principal, SCOPES, type Scope } from "./types";

// Clocks of token issuers drift; a few seconds of allowance avoids spurious 401s at the edges.
const CLOCK_TOLERANCE_SECONDS = 30;

/** Every 401 carries its challenge (RFC 9110 §15.5.2), the WebSocket's and a ticket's too. */
export const unauthorized = (detail: string) =>
  new ProblemError("unauthorized", detail, { headers: { "WWW-Authenticate": 'Bearer realm="api"' } });

/**
 * The secret a token's `kid` header names (JWT_SECRETS), or JWT_SECRET for a token without one.
 * During a rotation both keys are configured, so tokens signed with either keep working.
 */
export const keyFor =
  (config: Config) =>
  (header: Pick<JWTHeaderParameters, "kid">): Uint8Array => {
    const key = header.kid === undefined ? config.jwt.unnamed : config.jwt.byKid.get(header.kid);
    if (!key)
      throw unauthorized(header.kid === undefined ? "token has no 'kid' header" : "token 'kid' is not a current key");
    return key;
  };

interface Verified {
  principal: Principal;
  payload: JWTPayload;
  /** Past this instant the token is expired even with the clock tolerance. */
  validUntilMs: number;
  kid: string | undefined;
  /** The secret that verified it: a hit counts only while that same secret is configured for `kid`. */
  key: Uint8Array;
}

// Edge clients send the same token on every page view, and the HMAC check through WebCrypto is most
// of the hot path's CPU (~0.2 ms of ~0.3 ms for POST /assign). A verified token stays valid until
// its `exp`, so remembering successes per isolate is safe; failures are never remembered. Bounded,
// oldest first out. Keyed by config so a changed issuer or audience starts afresh, and every hit is
// checked against the key that verified it, so a key removed from rotation stops verifying at once.
const VERIFIED_CACHE_SIZE = 4096;
const verifiedByConfig = new WeakMap<Config, Map<string, Verified>>();

/** Verifies an HS256 token and turns its claims into a Principal, or throws a 401 problem. */
export async function verifyToken(
  token: string,
  config: Config,
  now: number = Date.now(),
): Promise<{ principal: Principal; payload: JWTPayload }> {
  let cache = verifiedByConfig.get(config);
  if (!cache) {
    cache = new Map();
    verifiedByConfig.set(config, cache);
  }
  const hit = cache.get(token);
  if (hit && now < hit.validUntilMs && safeKey(config, hit.kid) === hit.key) return hit;
  if (hit) cache.delete(token);

  const verified = await verifyUncached(token, config, now);
  if (cache.size >= VERIFIED_CACHE_SIZE) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(token, verified);
  return verified;
}

function safeKey(config: Config, kid: string | undefined): Uint8Array | undefined {
  return kid === undefined ? config.jwt.unnamed : config.jwt.byKid.get(kid);
}

async function verifyUncached(token: string, config: Config, now: number): Promise<Verified> {
  let payload: JWTPayload;
  let header: JWTHeaderParameters;
  try {
    ({ payload, protectedHeader: header } = await jwtVerify(token, keyFor(config), {
      algorithms: ["HS256"],
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ["exp", "sub"],
      currentDate: new Date(now),
    }));
  } catch (err) {
    if (err instanceof ProblemError) throw err;
    throw unauthorized(describeJoseError(err));
  }
  // Tickets are signed with the same keys but only open the WebSocket; as a bearer token they are
  // refused outright rather than accepted as a token without scopes (which would be a 403).
  if (header.typ?.toLowerCase() === WS_TICKET_TYP) {
    throw unauthorized("a WebSocket ticket is not an API token; pass it as ?ticket= to GET /ws");
  }
  const org = payload.org;
  if (typeof org !== "string" || !ORG_PATTERN.test(org)) {
    throw unauthorized("token claim 'org' must be 1-64 characters of [A-Za-z0-9_-]");
  }
  if (typeof payload.sub !== "string" || payload.sub === "") {
    throw unauthorized("token claim 'sub' must be a non-empty string");
  }
  // requiredClaims guarantees a numeric exp.
  const validUntilMs = ((payload.exp as number) + CLOCK_TOLERANCE_SECONDS) * 1000;
  const kid = header.kid;
  const key = safeKey(config, kid) as Uint8Array;
  return { principal: { sub: payload.sub, org, scopes: parseScopes(payload.scope) }, payload, validUntilMs, kid, key };
}

function parseScopes(claim: unknown): ReadonlySet<Scope> {
  const words = typeof claim === "string" ? claim.split(/\s+/) : Array.isArray(claim) ? claim : [];
  const known = new Set<string>(SCOPES);
  return new Set(words.filter((w): w is Scope => typeof w === "string" && known.has(w)));
}

function describeJoseError(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return "token expired";
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `token claim '${err.claim}' is invalid`;
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return "token algorithm not allowed (HS256 only)";
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return "token signature is invalid";
  return "token is malformed";
}

/**
 * The 403 for a token without `scope`: which scopes it has (no secret: GET /me lists them; the token
 * itself is never echoed) and that a token with it comes from whoever issues them (docs/operations.md;
 * `npm run token` locally, which a production answer does not name), so no one need decode the JWT.
 */
export function missingScope(what: string, scope: Scope, principal: Principal): ProblemError {
  const has = SCOPES.filter((s) => principal.scopes.has(s));
  return new ProblemError(
    "forbidden",
    `${what} needs the '${scope}' scope; this token has${has.length > 0 ? `: ${has.join(" ")}` : " none"}. ` +
      `Ask your token issuer for one that ${has.length > 0 ? "also " : ""}has it.`,
  );
}

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/**
 * Why no token was found: `absent` when no header came. A header that is there but not in the Bearer
 * scheme (a bare token pasted as the whole header, `Basic …`) is told the shape to send: "missing"
 * would read as a header lost.
 */
export function missingTokenDetail(
  header: string | undefined,
  absent = "missing bearer token: send Authorization: Bearer <token>",
): string {
  if (header === undefined || header.trim() === "") return absent;
  return "the Authorization header must be 'Bearer <token>' (one space, then the JWT)";
}

/**
 * `verifying`, a presented token or ticket being checked. Its 401 counts against the client's
 * failed-auth limit (429 once spent): a refused credential is what probing looks like. A missing
 * one costs nothing to refuse and is not counted (it never gets here).
 */
export async function countingFailures<T>(c: Context<AppEnv>, verifying: Promise<T>): Promise<T> {
  try {
    return await verifying;
  } catch (err) {
    if (err instanceof ProblemError && err.kind === "unauthorized") await limitFailedAuth(c);
    throw err;
  }
}

/**
 * Authenticates the caller and requires one scope. It is attached per route (not per prefix) so
 * that unknown paths stay 404 whatever the token, and each route declares its scope where it is defined.
 * Every refused token counts against the client's failed-auth limit (429 once it is spent).
 */
export const requireScope = (scope: Scope) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header("Authorization");
    const token = bearerToken(header);
    if (!token) throw unauthorized(missingTokenDetail(header));
    const { principal } = await countingFailures(c, verifyToken(token, getConfig(c.env)));
    if (!principal.scopes.has(scope)) throw missingScope("this route", scope, principal);
    c.set("principal", principal);
    await next();
  });
