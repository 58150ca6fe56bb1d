import { SignJWT } from "jose";

/**
 * The organization of local development: the dashboard's "Sign in as demo" (dev-auth.ts) and
 * `npm run token` (scripts/token.ts) both mint for it, so README's walk-through, the token script
 * and the dashboard see the same experiments.
 */
export const DEV_ORG = "demo";

export const DEFAULT_TOKEN_TTL_SECONDS = 12 * 60 * 60;
/**
 * The JOSE `typ` of WebSocket tickets. Declared here, beside the API token's, because the bearer
 * check refuses it: a ticket is never an API token.
 */
export const WS_TICKET_TYP = "ws-ticket+jwt";

export interface TokenClaims {
  sub: string;
  org: string;
  scope: string;
  issuer?: string | undefined;
  audience?: string | undefined;
}

/**
 * Signs an HS256 token the way the API verifies it. Shared by the dev sign-in route, scripts/token.ts
 * and the tests; it imports nothing but jose so Node can run it straight from source.
 */
export async function signToken(
  secret: Uint8Array,
  claims: TokenClaims,
  ttlSeconds = DEFAULT_TOKEN_TTL_SECONDS,
  kid?: string,
): Promise<string> {
  let jwt = new SignJWT({ org: claims.org, scope: claims.scope })
    .setProtectedHeader(kid === undefined ? { alg: "HS256", typ: "JWT" } : { alg: "HS256", typ: "JWT", kid })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds);
  if (claims.issuer) jwt = jwt.setIssuer(claims.issuer);
  if (claims.audience) jwt = jwt.setAudience(claims.audience);
  return jwt.sign(secret);
}
