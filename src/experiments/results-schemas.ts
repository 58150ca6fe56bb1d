/** Schemas of `POST|GET /experiments/:id/results` (docs/contract.md, "Results analysis"). */
import { z } from "@hono/zod-openapi";
import { EXPERIMENT_STATUSES } from "./model";
import { TimeIn } from "../http/time";

export const MAX_RESULTS = 1000;
export const ResultIn = z
  .object({
    metric_name: z.string().trim().min(1).max(128),
    metric_value: z.number().refine(Number.isFinite, "must be a finite number"),
    user_id: z.string().min(1).max(256).optional(),
    variant_id: z.string().min(1).max(128).optional(),
    recorded_at: TimeIn.optional().openapi({ description: "When the value happened; default now" }),
  })
  // Strict, like every write body: an unknown field is a 400 naming it, never silently dropped.
  .strict()
  .refine((r) => r.user_id !== undefined || r.variant_id !== undefined, {
    message: "user_id or variant_id is required (without variant_id the user's exposure decides the variant)",
    path: ["user_id"],
  })
  .openapi("ResultIn");
export type ResultInput = z.infer<typeof ResultIn>;

export const ResultBatchIn = z
  .object({ results: z.array(ResultIn).min(1).max(MAX_RESULTS) })
  .strict()
  .openapi("ResultBatchIn");

export const ResultsBody = z.union([ResultBatchIn, ResultIn]);

export const Accepted = z.object({ accepted: z.number().int() }).openapi("ResultsAccepted");

const num = z.number().nullable();

export const Analysis = z
  .object({
    experiment_id: z.string(),
    status: z.enum(EXPERIMENT_STATUSES),
    assignments: z.array(z.object({ variant_id: z.string(), users: z.number().int() })),
    srm: z.object({ p_value: num, mismatch: z.boolean() }),
    metrics: z.array(
      z.object({
        metric_name: z.string(),
        variants: z.array(
          z.object({ variant_id: z.string(), count: z.number().int(), mean: num, stddev: num, min: num, max: num }),
        ),
        comparisons: z.array(
          z.object({
            variant_id: z.string(),
            control_variant_id: z.string(),
            difference: num,
            relative_lift: num,
            ci_low: num,
            ci_high: num,
            p_value: num,
            chance_to_beat_control: num,
          }),
        ),
      }),
    ),
  })
  .openapi("ResultsAnalysis");
export type AnalysisOut = z.infer<typeof Analysis>;
