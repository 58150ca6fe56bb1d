import { createRoute, z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { BOOKMARK_HEADER, BOOKMARK_PATTERN } from "../db/session";
import { requireScope } from "./auth";
import { d1Session } from "./d1-session";
import { LONE_SURROGATE_MESSAGE, loneSurrogatePaths } from "./json";
import { buildProblem, problemResponse } from "./problem";
import type { AppEnv, Scope } from "./types";

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    request_id: z.string().optional(),
  })
  .openapi("Problem");

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});

/** Error answers every authenticated route can give; listed once so the document stays honest. */
const COMMON_ERRORS = {
  400: problem("Validation failed; `errors` names each bad field"),
  401: problem("Missing, malformed, forged or expired token"),
  403: problem("Token lacks the route's scope"),
  404: problem("Not found (including resources of another organization)"),
  413: problem("Body over 1 MiB"),
  429: problem(
    "Rate limited (the route's per-organization limit, or too many refused tokens from this address); see Retry-After",
  ),
} as const;

type RouteConfig = Parameters<typeof createRoute>[0];

/**
 * On a route whose body is optional, an empty body sent with a Content-Type (what many HTTP clients
 * send for a bodyless POST: `curl -H "Content-Type: application/json" -X POST`) is no body, as it
 * is without the header; it was a 400 "not valid JSON". Runs before the validators, which then see
 * a request without a body or a Content-Type.
 */
const LOSSY_UTF8 = new TextDecoder();
const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The body's text, decoded once from its bytes and left in Hono's body cache for the validators;
 * null when the bytes are not UTF-8. JSON must be UTF-8 (RFC 8259), and a lossy decode turned bad
 * bytes into U+FFFD that was stored as if sent (an outside check). Only a text that holds U+FFFD
 * (a decoder's replacement, or one the client sent) is decoded again, strictly, so a well-formed
 * body costs the one decode that reading it as text always cost.
 */
async function bodyText(c: Context<AppEnv>): Promise<string | null> {
  // Hono keeps promises there, whatever its type says (request.js #cachedBody).
  const cache = c.req.bodyCache as { text?: Promise<string> };
  const cached = cache.text;
  if (cached !== undefined) return cached;
  const bytes = await c.req.arrayBuffer();
  const text = LOSSY_UTF8.decode(bytes);
  if (text.includes("\uFFFD")) {
    try {
      STRICT_UTF8.decode(bytes);
    } catch {
      return null;
    }
  }
  cache.text = Promise.resolve(text);
  return text;
}

const emptyBodyIsNoBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.header("content-type") !== undefined && (await bodyText(c))?.trim() === "") {
    const headers = new Headers(c.req.raw.headers);
    headers.delete("content-type");
    c.req.raw = new Request(c.req.raw.url, { method: c.req.raw.method, headers });
  }
  await next();
};

/**
 * A lone surrogate can reach a JSON body only as an escape (`\ud800`): UTF-8 has no spelling for
 * one (a decoder makes U+FFFD of it). So the body's text is scanned for such an escape first, a
 * native regex search; only a body that holds one (nearly none) is parsed and walked here. Hono
 * caches the text, not the parsed value (its json() runs JSON.parse on the cached text each time),
 * so parsing every body here too cost every request a second parse, 500-event batches included.
 * A `\\ud800` (an escaped backslash) matches too and is then walked: found innocent, never refused.
 */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * A JSON body whose strings (or keys) hold a lone surrogate (`"a\ud800b"`) is a 400 naming each:
 * text is stored as UTF-8, which cannot spell one, so it used to be stored as replacement
 * characters while the answer echoed it as sent. One check for every body, before the route's
 * validator. A body that does not parse is left to the validator's own 400.
 */
const JSON_TYPE = /^application\/([a-z.-]+\+)?json/i;

const wellFormedText: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!JSON_TYPE.test(c.req.header("content-type") ?? "")) return next();
  const text = await bodyText(c);
  if (text === null) {
    return problemResponse(c, buildProblem("validation", "request body is not valid UTF-8 (JSON text must be UTF-8)"));
  }
  if (!SURROGATE_ESCAPE.test(text)) return next();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return next();
  }
  const paths = loneSurrogatePaths(body);
  if (paths.length === 0) return next();
  return problemResponse(
    c,
    buildProblem(
      "validation",
      "request validation failed",
      paths.map((path) => ({ path, message: LONE_SURROGATE_MESSAGE })),
    ),
  );
};

/**
 * Every API route is declared through this: the scope check, the security requirement in the
 * OpenAPI document, the shared error responses, and a required JSON body when one is declared
 * (so an empty body is a 400, not silently `{}`).
 */
export function defineRoute<const R extends RouteConfig>(
  scope: Scope,
  route: R,
  extra: MiddlewareHandler<AppEnv>[] = [],
): R & { middleware: MiddlewareHandler<AppEnv>[] } {
  const body = route.request?.body;
  const optionalBody = body?.required === false ? [emptyBodyIsNoBody] : [];
  // After the route's own middleware (rate limits), just before the validator: a refused request is not parsed first.
  const textCheck = body === undefined ? [] : [wellFormedText];
  return createRoute({
    ...route,
    request: route.request && body ? { ...route.request, body: { required: true, ...body } } : route.request,
    security: [{ bearerAuth: [] }],
    description: `${route.description ?? ""}\n\nScope: \`${scope}\`.`.trim(),
    responses: { ...COMMON_ERRORS, ...route.responses },
    middleware: [requireScope(scope), ...optionalBody, ...extra, ...textCheck],
  }) as R & { middleware: MiddlewareHandler<AppEnv>[] };
}

/** Problem response entries for a route's own error statuses (409, 422, ...). */
export const problemResponses = <const S extends number>(entries: Record<S, string>) =>
  Object.fromEntries(Object.entries(entries).map(([s, d]) => [s, problem(d as string)])) as Record<
    S,
    ReturnType<typeof problem>
  >;

const BOOKMARK_DOC =
  "D1 Sessions API bookmark. A response of a D1-backed route carries the session's bookmark; send it back " +
  "on the next request and that request reads data at least as new as this one saw or wrote " +
  "(read-your-writes across replicas). Omitted: reads may come from any replica, writes go to the primary.";
const BookmarkHeaders = z.object({
  [BOOKMARK_HEADER]: z
    .string()
    .max(256)
    .regex(BOOKMARK_PATTERN)
    .optional()
    .openapi({ description: BOOKMARK_DOC, example: "00000001-0000000a-00004f47-7f1c7d6a2b0e1c3d4e5f60718293a4b5" }),
});
const bookmarkResponseHeader = {
  [BOOKMARK_HEADER]: { description: BOOKMARK_DOC, schema: { type: "string" as const } },
};

/**
 * A route whose queries go to D1: declared like defineRoute, and run inside the request's D1
 * session (src/http/d1-session.ts), with the bookmark header documented on the request and on
 * every successful response.
 */
export function defineD1Route<const R extends RouteConfig>(
  scope: Scope,
  route: R,
  extra: MiddlewareHandler<AppEnv>[] = [],
): R & { middleware: MiddlewareHandler<AppEnv>[] } {
  const existing = route.request?.headers;
  const headers =
    existing === undefined
      ? BookmarkHeaders
      : existing instanceof z.ZodObject
        ? existing.extend(BookmarkHeaders.shape)
        : existing;
  const responses = Object.fromEntries(
    Object.entries(route.responses).map(([status, r]) =>
      status.startsWith("2") && typeof r === "object" && r !== null && !("$ref" in r)
        ? [status, { ...r, headers: { ...(r as { headers?: object }).headers, ...bookmarkResponseHeader } }]
        : [status, r],
    ),
  );
  return defineRoute(scope, { ...route, request: { ...route.request, headers }, responses } as R, [
    d1Session,
    ...extra,
  ]);
}
