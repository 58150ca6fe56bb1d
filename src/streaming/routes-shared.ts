import type { z } from "@hono/zod-openapi";
import { ProblemError } from "../http/problem";
import type { Failure } from "./service-types";

export { orgOf } from "./org-stub";

/** Turns an RPC `Result` into its value, or throws the ProblemError it describes (same kind, detail, errors). */
export function unwrap<T>(result: { ok: true; value: T } | Failure): T {
  if (result.ok) return result.value;
  throw new ProblemError(result.kind, result.detail, result.errors ? { errors: result.errors } : {});
}

export { IdParam } from "../http/params";

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export const body = <T extends z.ZodType>(schema: T) => ({ body: { content: { "application/json": { schema } } } });

export const TAG = ["Streaming analytics"];
