/**
 * zod for the flag shapes of src/flags/model.ts as GET /config serves them, for the server (GET /config's OpenAPI, flag routes).
 * Server-only; the SDK uses the plain types.
 */
import { z } from "@hono/zod-openapi";
import type { JsonValue } from "../targeting/model";
import { ConditionSchema } from "../targeting/schemas";
import { FLAG_VALUE_TYPES } from "../flags/model";

// Any JSON value. z.unknown() (typed by a transform) because z.json()'s recursive schema has no
// OpenAPI form; a JSON body can hold nothing but JSON anyway.
const jsonValue = z
  .unknown()
  .transform((v) => v as JsonValue)
  .openapi({ description: "A JSON value of the flag's value_type" });

const flagRuleSchema = z
  .object({
    // A union with null, not .nullable(), which the OpenAPI generator drops on a named schema.
    condition: z
      .union([ConditionSchema, z.null()])
      .optional()
      .openapi({ description: "Who the rule is for; null or absent: everyone" }),
    rollout_percentage: z.number().min(0).max(100),
    value: jsonValue,
  })
  .strict()
  .openapi("ConfigFlagRule");

export const clientFlagSchema = z
  .object({
    key: z.string(),
    value_type: z.enum(FLAG_VALUE_TYPES),
    default_value: jsonValue,
    enabled: z.boolean(),
    rules: z
      .array(flagRuleSchema)
      .openapi({ description: "Ordered: the first rule that holds the user gives its value" }),
  })
  .openapi("ConfigFlag");
