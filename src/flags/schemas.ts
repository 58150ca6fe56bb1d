/**
 * Request and response schemas of `/flags` (docs/contract.md "Feature flags"). Bodies are strict: an
 * unknown field is a 400 naming it, never silently dropped. Values are checked against the
 * flag's value_type in the service (a PATCH may change either side), with the same paths.
 */
import { z } from "@hono/zod-openapi";
import { givenOnce, listOf, pageQueryFields } from "../http/params";
import { JsonValue, jsonValueProblem } from "../http/json";
import { isObject } from "../targeting/model";
import { ConditionSchema } from "../targeting/schemas";
import { Attributes, UserId } from "../assignment/schemas";
import { KEY_MESSAGE, KEY_RULE, PERCENT_MESSAGE, percentBasisPoints } from "../experiments/model";
import {
  FLAG_KEY_PATTERN,
  FLAG_REASONS,
  FLAG_VALUE_TYPES,
  type FlagValue,
  flagValueProblems,
  MAX_FLAG_RULES,
} from "./model";

const Iso = z.string().openapi({ format: "date-time", example: "2026-12-02T12:00:00.000Z" });
const Key = z.string().regex(FLAG_KEY_PATTERN, KEY_MESSAGE).openapi({ example: "new-checkout" });
const Value = JsonValue.transform((v) => v as FlagValue).openapi({
  description: "A value of the flag's value_type",
  example: true,
});
const ValueType = z.enum(FLAG_VALUE_TYPES);

const FlagRuleIn = z
  .strictObject({
    condition: ConditionSchema.nullable().optional(),
    // Hundredths, as coverage and traffic (bucketing counts basis points): 33.333 is refused, not
    // rounded, so what is stored is what decides.
    rollout_percentage: z
      .number()
      .refine((p) => percentBasisPoints(p) !== null, PERCENT_MESSAGE)
      .default(100)
      .openapi({
        description: "Share (0-100, at most 2 decimals) of matching users served; default 100",
        minimum: 0,
        maximum: 100,
        multipleOf: 0.01,
      }),
    value: Value,
  })
  .openapi("FlagRule");

const Rules = z.array(FlagRuleIn).max(MAX_FLAG_RULES);

/** Adds an issue per value sent that is not of a valid value_type (checked on partial input too). */
function valuesMatchType(flag: unknown, ctx: z.core.$RefinementCtx<unknown>): void {
  if (!isObject(flag)) return;
  const type = FLAG_VALUE_TYPES.find((t) => t === flag.value_type);
  if (type === undefined) return; // value_type's own issue says what is wrong
  const rules = Array.isArray(flag.rules) ? flag.rules : [];
  // Only values that were sent: a missing one already has its "required" issue.
  const given: { path: (string | number)[]; value: unknown }[] = [
    ...("default_value" in flag ? [{ path: ["default_value"], value: flag.default_value }] : []),
    ...rules.flatMap((r, i) => (isObject(r) && "value" in r ? [{ path: ["rules", i, "value"], value: r.value }] : [])),
  ];
  for (const g of given) {
    // A value JsonValue refused (1e999, too deep) already has that issue at this path: a number
    // flag's 1e999 was also "must be a finite number", two errors for one mistake.
    if (jsonValueProblem(g.value) !== null) continue;
    for (const p of flagValueProblems(type, g.value, []))
      ctx.addIssue({ code: "custom", path: g.path, message: p.message });
  }
}

export const FlagIn = z
  .strictObject({
    key: Key,
    description: z.string().max(10_000).nullable().optional(),
    value_type: ValueType,
    default_value: Value,
    enabled: z.boolean().default(true),
    rules: Rules.default([]).openapi({ description: "Ordered: the first rule that holds the user gives its value" }),
  })
  // Values against value_type in the same answer as every other mistake: an object refinement is
  // skipped once a field has failed, so a bad rollout hid a bad value until the next attempt.
  .superRefine(valuesMatchType, { when: () => true })
  .openapi("FlagIn");
export type FlagInput = z.infer<typeof FlagIn>;

export const FlagPatch = z
  .strictObject({
    key: Key.optional(),
    description: z.string().max(10_000).nullable().optional(),
    value_type: ValueType.optional(),
    default_value: Value.optional(),
    enabled: z.boolean().optional(),
    rules: Rules.optional().openapi({ description: "Replaces the rules" }),
  })
  .openapi("FlagPatch");
export type FlagPatchInput = z.infer<typeof FlagPatch>;

export const Flag = z
  .object({
    id: z.string(),
    key: z.string(),
    description: z.string().nullable(),
    value_type: ValueType,
    default_value: z.unknown(),
    enabled: z.boolean(),
    rules: z.array(
      z.object({
        condition: z.record(z.string(), z.unknown()).nullable().optional(),
        rollout_percentage: z.number(),
        value: z.unknown(),
      }),
    ),
    created_at: Iso,
    updated_at: Iso,
  })
  .openapi("Flag");

export const FlagPage = listOf(Flag, "FlagPage");

export const FlagListQuery = z.object({
  key: givenOnce(Key, KEY_RULE).optional().openapi({
    description:
      "Only the flag with exactly this key (0 or 1 item): how to find one by key, as the :id routes take ids",
    example: "new-checkout",
  }),
  ...pageQueryFields,
});

// 200 keys covers any sane page; the cap keeps one request's work bounded.
const MAX_NAMED_FLAGS = 200;

export const FlagsEvaluateBody = z
  .strictObject({
    user_id: UserId,
    attributes: Attributes,
    flags: z
      .array(z.string().regex(FLAG_KEY_PATTERN, `flag keys ${KEY_MESSAGE}`))
      .max(MAX_NAMED_FLAGS)
      .optional()
      .openapi({ description: "Keys to evaluate; omitted: every flag of the organization" }),
  })
  .openapi("FlagsEvaluateRequest");

const FlagEvaluationSchema = z
  .object({
    value: z.unknown().openapi({ description: "The flag's value for this user (null for an unknown key)" }),
    rule_index: z.number().int().nullable().openapi({ description: "The rule that gave the value, or null" }),
    reason: z.enum(FLAG_REASONS),
  })
  .openapi("FlagEvaluation");

export const FlagsEvaluateResponse = z
  .object({ flags: z.record(z.string(), FlagEvaluationSchema) })
  .openapi("FlagsEvaluation", {
    example: { flags: { "new-checkout": { value: true, rule_index: 0, reason: "rule" } } },
  });

export { IdParam } from "../http/params";
