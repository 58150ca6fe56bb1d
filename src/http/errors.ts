import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { ZodError } from "zod";
import { buildProblem, ProblemError, problemResponse, storageRestarted } from "./problem";
import type { AppEnv } from "./types";
import { fieldErrors } from "./validation";

/** Every failure becomes problem+json here; a 500 reveals nothing but the request id. */
export const onError: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof ProblemError) return problemResponse(c, err.toProblem(), err.headers);
  if (err instanceof ZodError) {
    return problemResponse(c, buildProblem("validation", "request validation failed", fieldErrors(err)));
  }
  if (err instanceof HTTPException) return fromHttpException(c, err);
  if (isTransientDurableObjectError(err)) {
    console.warn(JSON.stringify({ level: "warn", request_id: c.get("requestId"), error: String(err) }));
    const restarted = storageRestarted();
    return problemResponse(c, restarted.toProblem(), restarted.headers);
  }
  console.error(
    JSON.stringify({ level: "error", request_id: c.get("requestId"), error: String(err), stack: (err as Error).stack }),
  );
  return problemResponse(c, buildProblem("internal", "unexpected error; quote the request id when reporting it"));
};

/**
 * Errors the Workers runtime marks as transient: `retryable` or `overloaded` (infrastructure), and
 * `durableObjectReset`, which workerd sets on calls cut because the object was reset or aborted
 * (a new deploy, an exceeded limit, `ctx.abort()`): the next call gets a fresh instance.
 */
function isTransientDurableObjectError(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const flags = err as { retryable?: unknown; overloaded?: unknown; durableObjectReset?: unknown };
  return flags.retryable === true || flags.overloaded === true || flags.durableObjectReset === true;
}

function fromHttpException(c: Context<AppEnv>, err: HTTPException): Response {
  switch (err.status) {
    case 400:
      // Hono's JSON validator raises this for unparseable bodies; docs/contract.md wants it as a validation error.
      return problemResponse(
        c,
        buildProblem("validation", "request body is not valid JSON", [{ path: "", message: err.message }]),
      );
    case 413:
      return problemResponse(c, buildProblem("payload-too-large", err.message));
    case 415:
      return problemResponse(c, buildProblem("unsupported-media-type", "send the body as application/json"));
    case 401:
      return problemResponse(c, buildProblem("unauthorized", err.message));
    default:
      if (err.status >= 500) {
        console.error(JSON.stringify({ level: "error", request_id: c.get("requestId"), error: err.message }));
        return problemResponse(c, buildProblem("internal"));
      }
      return problemResponse(c, { ...buildProblem("validation", err.message), status: err.status, title: err.message });
  }
}

export const onNotFound: NotFoundHandler<AppEnv> = (c) =>
  problemResponse(c, buildProblem("not-found", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`));
