/**
 * Request and response schemas of the assignment routes. They validate input and generate the
 * OpenAPI document; the response shapes mirror src/experiments/model.ts (checked at compile time below).
 */
import { z } from "@hono/zod-openapi";
import { EMPTY_ASSIGNMENTS_REASON, KEY_MESSAGE, KEY_PATTERN, VARIANT_TYPES } from "../experiments/model";
import { NOT_IN_EXPERIMENT_REASONS } from "../targeting/model";
import { EXPOSURE_REJECT_REASONS, type ExposureReport, MAX_EXPOSURES_PER_REQUEST } from "./exposure-types";
import { AttributesSchema } from "../targeting/schemas";
import { TIME_FORMS } from "../http/time";
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

// 200 keys covers any sane page; the cap keeps one request's work bounded.
const MAX_NAMED_EXPERIMENTS = 200;

/** Earlier answers the client kept: they keep an exposed user in their variant (docs/targeting.md). */
const Exposed = z
  .record(ExperimentKey, z.string().regex(KEY_PATTERN, `variant keys ${KEY_MESSAGE}`))
  .refine((m) => Object.keys(m).length <= MAX_NAMED_EXPERIMENTS, `at most ${MAX_NAMED_EXPERIMENTS} experiments`)
  .optional()
  .openapi({
    description:
      "`{ experiment_key: variant_key }` of this user's earlier in-experiment answers. A user who no longer matches " +
      "a changed targeting keeps that variant (in the experiment) when it is still their bucketed variant; other keys are ignored.",
    example: { checkout_button: "green" },
  });

// Strict: an unknown field is a 400 naming it, never silently dropped.
export const AssignOneBody = z
  .object({ user_id: UserId, attributes: Attributes, exposed: Exposed })
  .strict()
  .openapi("AssignRequest");

export const AssignManyBody = z
  .object({
    user_id: UserId,
    attributes: Attributes,
    exposed: Exposed,
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

const SkippedSchema = z
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
    reason: z.literal(EMPTY_ASSIGNMENTS_REASON).optional().openapi({
      description:
        "Present when no experiment was named and the organization has none running: why `assignments` is empty",
    }),
    detail: z
      .string()
      .optional()
      .openapi({ description: "With `reason`: what to check, naming the token's organization" }),
  })
  .openapi("Assignments");

// A conditional header longer than any client needs (one ETag is 45 characters) is ignored, as
// RFC 9110 lets a server do with a precondition, rather than failing the request: a full 200.
export const IfNoneMatchHeader = z.object({
  "if-none-match": z
    .string()
    .optional()
    .transform((v) => (v !== undefined && v.length > 2048 ? undefined : v))
    .openapi({ description: "An ETag from an earlier GET /config (a value over 2048 characters is ignored)" }),
});

// Compile-time guarantee that the documented Assignment is the one the service answers.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameAssignment: Same<z.infer<typeof AssignmentSchema>, AssignmentAnswer> = true;
void sameAssignment;

// ---------------------------------------------------------------- POST /exposures

const MAX_EPOCH_MS = 8.64e15; // the largest time a JS Date can hold

const EXPOSURE_TIME = `must be ${TIME_FORMS} from 0 to ${MAX_EPOCH_MS}`;

/**
 * ISO-8601 (with a zone) or epoch milliseconds, normalized to epoch ms. One message for every way to
 * miss: zod said a bare "Invalid input" for 1.5 or a date without a zone, and gave 1e20 two errors.
 */
const TimeIn = z
  .union(
    [
      z.iso.datetime({ offset: true }),
      z
        .number()
        .int({ error: EXPOSURE_TIME, abort: true })
        .min(0, { error: EXPOSURE_TIME, abort: true })
        .max(MAX_EPOCH_MS, EXPOSURE_TIME),
    ],
    { error: EXPOSURE_TIME },
  )
  .transform((v) => (typeof v === "number" ? v : Date.parse(v)))
  .openapi({ description: "ISO-8601 time or epoch milliseconds; default now", example: "2026-11-29T12:00:00Z" });

const ExposureIn = z
  .object({
    experiment_key: ExperimentKey,
    variant_key: z.string().regex(KEY_PATTERN, `variant keys ${KEY_MESSAGE}`),
    user_id: UserId,
    timestamp: TimeIn.optional(),
  })
  .strict()
  .openapi("ExposureIn");

export const ExposuresBody = z
  .object({ exposures: z.array(ExposureIn).min(1).max(MAX_EXPOSURES_PER_REQUEST) })
  .strict()
  .openapi("ExposuresRequest");

export const ExposuresResponse = z
  .object({
    accepted: z.number().int().openapi({ description: "Exposures newly stored (first of their experiment and user)" }),
    duplicates: z
      .number()
      .int()
      .openapi({ description: "Valid exposures of a pair already stored, or repeated in this request" }),
    rejected: z.array(
      z.object({
        index: z.number().int().openapi({ description: "Position in `exposures`" }),
        reason: z.enum(EXPOSURE_REJECT_REASONS),
      }),
    ),
  })
  .openapi("ExposuresAccepted");

const sameReport: Same<z.infer<typeof ExposuresResponse>, ExposureReport> = true;
void sameReport;
