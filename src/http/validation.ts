import type { Hook } from "@hono/zod-openapi";
import type { z } from "zod";
import { buildProblem, type FieldError, problemResponse } from "./problem";
import type { AppEnv } from "./types";
import "./zod-messages"; // missing fields say `required` (installed once, before any route validates)

const dotted = (path: readonly PropertyKey[]) => path.map(String).join(".");

/**
 * Turns zod issues into docs/contract.md's `errors[]`, one entry per bad field, paths dotted. A strict
 * object's unrecognized keys are one zod issue; they become one error per key, so each read-only
 * or unknown field is named by its own path.
 */
export function fieldErrors(error: z.ZodError, prefix: readonly PropertyKey[] = []): FieldError[] {
  return error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({
          path: dotted([...prefix, ...issue.path, key]),
          message: "is read-only or unknown: not accepted in this request",
        }))
      : [{ path: dotted([...prefix, ...issue.path]), message: issue.message }],
  );
}

const TARGET_PREFIX: Record<string, string[]> = { query: ["query"], param: ["path"], header: ["header"] };

/** The single validation hook of every route: a 400 problem naming each invalid field. */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result, c) => {
  if (result.success) return;
  const prefix = TARGET_PREFIX[result.target] ?? [];
  const errors = fieldErrors(result.error as z.ZodError, prefix);
  return problemResponse(c, buildProblem("validation", "request validation failed", errors));
};
