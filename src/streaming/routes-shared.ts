import type { z } from "@hono/zod-openapi";
import { ProblemError } from "../http/problem";
import type { Failure } from "./service-types";

export { orgOf } from "./org-stub";

/**
 * Turns an RPC `Result` into its value, or throws the ProblemError it describes (same kind, detail,
 * errors). The object names items of a batch (`metrics.0.timestamp`); a body that was one item
 * (`single`: the batch key it was wrapped under) gets its paths back as sent (`timestamp`).
 */
export function unwrap<T>(result: { ok: true; value: T } | Failure, single?: string): T {
  if (result.ok) return result.value;
  const prefix = single === undefined ? null : `${single}.0.`;
  const errors =
    prefix === null
      ? result.errors
      : result.errors?.map((e) => (e.path.startsWith(prefix) ? { ...e, path: e.path.slice(prefix.length) } : e));
  throw new ProblemError(result.kind, result.detail, errors ? { errors } : {});
}

export { IdParam } from "../http/params";

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export const body = <T extends z.ZodType>(schema: T) => ({ body: { content: { "application/json": { schema } } } });

export const TAG = ["Streaming analytics"];
