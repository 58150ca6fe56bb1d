/**
 * Request and response schemas of the assignment routes. They validate input and generate the
 * OpenAPI document; the response shapes mirror config-types.ts (checked at compile time below).
 */
import { z } from "@hono/zod-openapi";
import { FLAG_KEY_PATTERN, FLAG_REASONS } from "../flags/model";
import { NOT_IN_EXPERIMENT_REASONS } from "../targeting/model";
import { AttributesSchema } from "../targeting/schemas";
import type { AssignmentAnswer } from "./service";

/** Opaque, but bounded: a user id is hashed on the hot path and stored with each exposure. */
const UserId = z
  .string()
  .min(1)
  .max(256)
  .openapi({ description: "Your stable identifier for the user (1-256 characters)", example: "user-42" });

const ExperimentKey = z
  .string()
  .regex(/^[a-z0-9_-]{1,64}$/, "experiment keys are 1-64 characters of [a-z0-9_-]")
  .openapi({ example: "checkout_button" });

export { IdParam as ExperimentIdParam } from "../http/params";

const Attributes = AttributesSchema.optional();

export const AssignOneBody = z.object({ user_id: UserId, attributes: Attributes }).openapi("AssignRequest");

// 200 keys covers any sane page; the cap keeps one request's work bounded.
export const MAX_NAMED_EXPERIMENTS = 200;

export const AssignManyBody = z
  .object({
    user_id: UserId,
    attributes: Attributes,
    experiments: z
      .array(ExperimentKey)
      .max(MAX_NAMED_EXPERIMENTS)
      .optional()
      .openapi({ description: "Keys to evaluate; omitted: every running experiment" }),
  })
  .openapi("AssignManyRequest");

export const AssignmentSchema = z
  .object({
    experiment_id: z.string(),
    experiment_key: z.string(),
    variant_id: z.string(),
    variant_key: z.string(),
    variant_name: z.string(),
    variant_type: z.enum(["control", "treatment"]),
    model_version: z.string().nullable(),
    config: z.record(z.string(), z.unknown()),
    in_experiment: z
      .boolean()
      .openapi({ description: "True only for an enrolled user of a running experiment (an exposure)" }),
    reason: z
      .enum(NOT_IN_EXPERIMENT_REASONS)
      .nullable()
      .openapi({
        description:
          "Why the answer is not an exposure: the user failed `targeting`, is outside the `namespace` range or " +
          "outside `coverage` (checked in that order), or the experiment is `paused` / `completed`. null when in_experiment.",
      }),
  })
  .openapi("Assignment");

export const SkippedSchema = z
  .object({
    key: z.string(),
    reason: z.enum(["not_found", "draft", "no_variants"]),
  })
  .openapi("SkippedExperiment");

export const AssignManyResponse = z
  .object({
    assignments: z.array(AssignmentSchema),
    skipped: z
      .array(SkippedSchema)
      .openapi({ description: "Named keys that gave no assignment (unknown, or not started yet), in request order" }),
  })
  .openapi("Assignments");

export const IfNoneMatchHeader = z.object({
  "if-none-match": z.string().max(2048).optional().openapi({ description: "An ETag from an earlier GET /config" }),
});

export const FlagsEvaluateBody = z
  .strictObject({
    user_id: UserId,
    attributes: Attributes,
    flags: z
      .array(z.string().regex(FLAG_KEY_PATTERN, "flag keys are 1-64 characters of [a-z0-9_-]"))
      .max(MAX_NAMED_EXPERIMENTS)
      .optional()
      .openapi({ description: "Keys to evaluate; omitted: every flag of the organization" }),
  })
  .openapi("FlagsEvaluateRequest");

export const FlagEvaluationSchema = z
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

// Compile-time guarantee that the documented Assignment is the one the service answers.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameAssignment: Same<z.infer<typeof AssignmentSchema>, AssignmentAnswer> = true;
void sameAssignment;
