import { type JWTPayload, errors as joseErrors, jwtVerify, SignJWT } from "jose";
import type { Config } from "../../config";
import { keyFor, unauthorized } from "../../http/auth";
import { ProblemError } from "../../http/problem";
import { WS_TICKET_TYP } from "../../http/tokens";

/** docs/contract.md fixes the ticket's lifetime: a browser has one minute to open the socket. */
export const TICKET_TTL_SECONDS = 60;
// Tickets are minted and checked by this same service, so only the drift between two edge machines
// matters: a few seconds, not the 30 s allowed for third-party issuers' tokens.
export const TICKET_CLOCK_TOLERANCE_SECONDS = 5;
// A distinct JOSE `typ` keeps the two kinds of token apart: an API token is never a ticket, and a
// ticket (which carries no scope claim either) is useless as a bearer token on any other route.
const TICKET_TYP = WS_TICKET_TYP;
const PURPOSE = "ws-ticket";
// Same rule as API tokens: the org names the Durable Object the socket lands in.
const ORG_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export interface Ticket {
  sub: string;
  org: string;
  jti: string;
  /** Epoch seconds. */
  exp: number;
}

/** Mints a single-use ticket for the caller's organization (single use is enforced by the org's object). */
export async function signTicket(config: Config, principal: { sub: string; org: string }): Promise<string> {
  let jwt = new SignJWT({ org: principal.org, purpose: PURPOSE })
    .setProtectedHeader({
      alg: "HS256",
      typ: TICKET_TYP,
      ...(config.jwt.signing.kid ? { kid: config.jwt.signing.kid } : {}),
    })
    .setSubject(principal.sub)
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + TICKET_TTL_SECONDS);
  if (config.jwtIssuer) jwt = jwt.setIssuer(config.jwtIssuer);
  if (config.jwtAudience) jwt = jwt.setAudience(config.jwtAudience);
  return jwt.sign(config.jwt.signing.secret);
}

/** Checks signature, type, expiry and claims; a failure is a 401 problem. It does NOT consume the ticket. */
export async function verifyTicket(token: string, config: Config): Promise<Ticket> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keyFor(config), {
      algorithms: ["HS256"],
      typ: TICKET_TYP,
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      clockTolerance: TICKET_CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ["exp", "sub", "jti"],
    }));
  } catch (err) {
    if (err instanceof ProblemError) throw err;
    throw unauthorized(describe(err));
  }
  const { sub, org, jti, exp, purpose } = payload;
  const wellFormed =
    purpose === PURPOSE &&
    typeof sub === "string" &&
    sub !== "" &&
    typeof jti === "string" &&
    typeof exp === "number" &&
    typeof org === "string" &&
    ORG_PATTERN.test(org);
  if (!wellFormed) throw unauthorized("ticket is malformed");
  return { sub, org, jti, exp };
}

function describe(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return "ticket expired; request a new one from POST /ws-ticket";
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return "ticket signature is invalid";
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `ticket claim '${err.claim}' is invalid`;
  return "ticket is malformed";
}
