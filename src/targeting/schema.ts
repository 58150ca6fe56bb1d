/**
 * zod for conditions and namespaces, for the server's request schemas: a condition the validator
 * refuses becomes a 400 whose `errors` name the path inside it (e.g. `targeting.$and.0.country.$in`).
 * Server-only (zod); the SDK uses model.ts and validate.ts directly.
 */
import { KEY_MESSAGE } from "../experiments/model";
import { z } from "zod";
import { NAMESPACE_KEY_PATTERN } from "./model";
import { validateCondition } from "./validate";

export const conditionSchema = z.record(z.string(), z.unknown()).superRefine((condition, ctx) => {
  for (const issue of validateCondition(condition)) {
    ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
  }
});

export const namespaceSchema = z
  .object({
    key: z.string().regex(NAMESPACE_KEY_PATTERN, `namespace keys ${KEY_MESSAGE}`),
    start: z.number().min(0).max(1),
    end: z.number().min(0).max(1),
  })
  .strict()
  .refine((n) => n.start < n.end, { message: "start must be below end (0 <= start < end <= 1)", path: ["end"] });
