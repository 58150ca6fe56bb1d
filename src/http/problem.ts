import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** One invalid field: `path` is dotted (`events.3.event_type`), empty for the body as a whole. */
export interface FieldError {
  path: string;
  message: string;
}

/** RFC 9457 problem details, the body of every error this service returns. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
  request_id?: string;
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** Stable problem type slugs; clients switch on `type`, humans read `title` and `detail`. */
export type ProblemKind =
  | "validation"
  | "unauthorized"
  | "forbidden"
  | "not-found"
  | "method-not-allowed"
  | "conflict"
  | "payload-too-large"
  | "unsupported-media-type"
  | "unprocessable"
  | "rate-limited"
  | "internal"
  | "unavailable";

const KIND_STATUS: Record<ProblemKind, ContentfulStatusCode> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  "not-found": 404,
  "method-not-allowed": 405,
  conflict: 409,
  "payload-too-large": 413,
  "unsupported-media-type": 415,
  unprocessable: 422,
  "rate-limited": 429,
  internal: 500,
  unavailable: 503,
};

export const problemType = (kind: ProblemKind) => `urn:edge-experiments:problem:${kind}`;

/**
 * Thrown anywhere below a route; the app's error handler renders it. Services throw it instead of
 * returning status codes so that a guard deep in a repository still yields the right answer.
 */
export class ProblemError extends Error {
  readonly kind: ProblemKind;
  readonly status: ContentfulStatusCode;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    kind: ProblemKind,
    detail?: string,
    options: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail ?? kind);
    this.kind = kind;
    this.status = KIND_STATUS[kind];
    this.errors = options.errors;
    this.headers = options.headers;
  }

  toProblem(): Problem {
    return buildProblem(this.kind, this.message === this.kind ? undefined : this.message, this.errors);
  }
}

/**
 * The organization's object was reset, aborted or overloaded before it answered. Each write is one
 * transaction (stored whole or not at all) and every write route is idempotent (event_id,
 * fingerprint, exposures), so the caller may retry.
 */
export const storageRestarted = (): ProblemError =>
  new ProblemError(
    "unavailable",
    "the organization's storage restarted before answering; nothing was stored in part, retry the request",
    { headers: { "Retry-After": "1" } },
  );

export function buildProblem(kind: ProblemKind, detail?: string, errors?: FieldError[]): Problem {
  const status = KIND_STATUS[kind];
  const problem: Problem = { type: problemType(kind), title: TITLES[status] ?? "Error", status };
  if (detail !== undefined) problem.detail = detail;
  if (errors !== undefined) problem.errors = errors;
  return problem;
}

export function problemResponse(c: Context, problem: Problem, headers?: Record<string, string>): Response {
  const requestId = c.get("requestId");
  const body: Problem = requestId ? { ...problem, request_id: requestId } : problem;
  return new Response(JSON.stringify(body), {
    status: problem.status,
    headers: { "Content-Type": "application/problem+json", ...headers },
  });
}

/** Shorthands used by services: `throw notFound("experiment")`. */
export const notFound = (what: string) => new ProblemError("not-found", `${what} not found`);
/**
 * Not found by id, saying so: a GrowthBook user reaches for `/flags/new-checkout`, and "not found"
 * alone does not tell them the route wants the id the create answer and the list return. `list` is
 * the list route that finds one by key (`GET /flags?key=…`), named in the answer.
 */
export const notFoundById = (what: string, list: string) =>
  new ProblemError(
    "not-found",
    `${what} not found (this route takes the ${what}'s id, not its key; GET ${list}?key=<key> finds it by key)`,
  );
export const conflict = (detail: string, errors?: FieldError[]) =>
  new ProblemError("conflict", detail, errors ? { errors } : {});
/**
 * A key already taken (409), naming it and the read that finds the one holding it: a bare "already
 * exists" leaves the caller to hunt for it, and the :id routes want its id. `list` is the list route
 * holding it; one that filters by `?key=` is linked with the key. `within` narrows where keys are
 * unique when that is less than the organization (" in this experiment").
 */
export const keyTaken = (what: string, key: string, list: string, { byKey = true, within = "" } = {}) =>
  conflict(
    `${what} with key ${JSON.stringify(key)} already exists${within}: GET ${byKey ? `${list}?key=${encodeURIComponent(key)}` : list}`,
  );
export const unprocessable = (detail: string, errors?: FieldError[]) =>
  new ProblemError("unprocessable", detail, errors ? { errors } : {});
export const badRequest = (detail: string, errors?: FieldError[]) =>
  new ProblemError("validation", detail, errors ? { errors } : {});
