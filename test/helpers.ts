import { env, SELF } from "cloudflare:test";
import { SignJWT } from "jose";
import { expect } from "vitest";
import { signToken } from "../src/http/tokens";

export const ALL_SCOPES = "read write ingest assign";
const secret = () => new TextEncoder().encode(env.JWT_SECRET);

/** A valid token for `org` with `scope` (all scopes by default), signed with the test secret. */
export function tokenFor(org: string, scope = ALL_SCOPES, sub = "tester@example.com"): Promise<string> {
  return signToken(secret(), { sub, org, scope });
}

/** Signs arbitrary claims, for the auth matrix (expired, bad org, wrong issuer...). */
export function rawToken(
  claims: Record<string, unknown>,
  options: { secret?: string; exp?: number } = {},
): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: "HS256" });
  if (options.exp !== undefined) jwt.setExpirationTime(options.exp);
  return jwt.sign(options.secret ? new TextEncoder().encode(options.secret) : secret());
}

export interface ApiOptions {
  method?: string;
  token?: string | null;
  body?: unknown;
  rawBody?: BodyInit;
  headers?: Record<string, string>;
}

/** Where a request goes: the Worker through SELF by default (exposure-capture.ts passes its own). */
export type Fetcher = (request: Request) => Promise<Response>;
const viaSelf: Fetcher = (request) => SELF.fetch(request);

/** Calls the Worker in-process, the way a client would over HTTP. */
export function api(path: string, options: ApiOptions = {}, fetcher: Fetcher = viaSelf): Promise<Response> {
  const headers = new Headers(options.headers);
  if (options.token) headers.set("Authorization", `Bearer ${options.token}`);
  let body: BodyInit | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  }
  return fetcher(
    new Request(`https://edge.test${path}`, { method: options.method ?? (body ? "POST" : "GET"), headers, body }),
  );
}

/** A client bound to one organization's token: `const acme = await as("acme"); await acme.post(...)`. */
export async function as(org: string, scope = ALL_SCOPES, fetcher: Fetcher = viaSelf) {
  const token = await tokenFor(org, scope);
  return {
    token,
    get: (path: string) => api(path, { token }, fetcher),
    post: (path: string, body?: unknown) => api(path, { token, method: "POST", body: body ?? {} }, fetcher),
    /** A POST whose JSON body is sent as given, unserialized: text JSON.stringify could not write (1e999), or bytes. */
    postRaw: (path: string, body: BodyInit) =>
      api(path, { token, method: "POST", rawBody: body, headers: { "Content-Type": "application/json" } }, fetcher),
    patch: (path: string, body: unknown) => api(path, { token, method: "PATCH", body }, fetcher),
    delete: (path: string) => api(path, { token, method: "DELETE" }, fetcher),
  };
}

/** Asserts a problem+json answer and returns its body. */
export async function expectProblem(
  res: Response,
  status: number,
): Promise<{
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: { path: string; message: string }[];
}> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text}`);
  const contentType = res.headers.get("Content-Type") ?? "";
  if (!contentType.startsWith("application/problem+json")) throw new Error(`expected problem+json, got ${contentType}`);
  const body = JSON.parse(text);
  if (body.status !== status || typeof body.type !== "string" || typeof body.title !== "string") {
    throw new Error(`malformed problem: ${text}`);
  }
  return body;
}

/** A 400 whose only error names one query parameter (`query.<name>`) with this message. */
export async function expectQueryError(res: Response, name: string, message: string): Promise<void> {
  const problem = await expectProblem(res, 400);
  expect(problem.errors, res.url).toEqual([{ path: `query.${name}`, message }]);
}
