/**
 * Request and response schemas of the assignment routes. They validate input and generate the
 * OpenAPI document; the response shapes mirror src/experiments/model.ts (checked at compile time below).
 */
import { z } from "@hono/zod-openapi";
import { KEY_MESSAGE, KEY_PATTERN, VARIANT_TYPES } from "../experiments/model";
import { NOT_IN_EXPERIMENT_REASONS } from "../targeting/model";
import { AttributesSchema } from "../targeting/schemas";
import type { AssignmentAnswer } from "./service";

/** Opaque, but bounded: a user id is hashed on the hot path and stored with each exposure. */
export const UserId = z
  .string()
  .min(1)
  .max(256)
  .openapi({ description: "Your stable identifier for the user (1-256 characters)", example: "user-42" });

const ExperimentKey = z
  .string()
  .regex(KEY_PATTERN, `experiment keys ${KEY_MESSAGE}`)
  .openapi({ example: "checkout_button" });

export { IdParam as ExperimentIdParam } from "../http/params";

export const Attributes = AttributesSchema.optional();

// Strict: an unknown field is a 400 naming it, never silently dropped.
export const AssignOneBody = z.object({ user_id: UserId, attributes: Attributes }).strict().openapi("AssignRequest");

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
  .strict()
  .openapi("AssignManyRequest");

export const AssignmentSchema = z
  .object({
    experiment_id: z.string(),
    experiment_key: z.string(),
    variant_id: z.string(),
    variant_key: z.string(),
    variant_name: z.string(),
    variant_type: z.enum(VARIANT_TYPES),
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

// Compile-time guarantee that the documented Assignment is the one the service answers.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameAssignment: Same<z.infer<typeof AssignmentSchema>, AssignmentAnswer> = true;
void sameAssignment;
