/**
 * zod for the flag shapes of src/flags/model.ts as GET /config serves them, for the server (GET /config's OpenAPI, flag routes).
 * Server-only; the SDK uses the plain types.
 */
import { z } from "zod";
import type { JsonValue } from "../targeting/model";
import { conditionSchema } from "../targeting/schema";
import { FLAG_VALUE_TYPES } from "../flags/model";

// Any JSON value. z.unknown() (typed by a transform) because z.json()'s recursive schema has no
// OpenAPI form; a JSON body can hold nothing but JSON anyway.
const jsonValue = z.unknown().transform((v) => v as JsonValue);

const flagRuleSchema = z
  .object({
    condition: conditionSchema.nullable().optional(),
    rollout_percentage: z.number().min(0).max(100),
    value: jsonValue,
  })
  .strict();

export const clientFlagSchema = z.object({
  key: z.string(),
  value_type: z.enum(FLAG_VALUE_TYPES),
  default_value: jsonValue,
  enabled: z.boolean(),
  rules: z.array(flagRuleSchema),
});
