/** Schemas of `POST|GET /experiments/:id/results` (docs/contract.md, "Results analysis"). */
import { z } from "@hono/zod-openapi";
import { CAPPING_TYPES, DIRECTIONS, FORMATS, METRIC_KINDS } from "../metrics/model";
import { MetricKey, MetricKeyQuery } from "../metrics/schemas";
import { VERDICTS } from "../stats";
import { EXPERIMENT_STATUSES } from "./model";
import { decimalNumber, wholeNumber } from "../http/params";
import { TimeIn } from "../http/time";
import { boundedValue } from "../http/values";
import { AnalysisSettingsOut } from "./schemas";

const MAX_RESULTS = 1000;
export const ResultIn = z
  .object({
    metric_name: MetricKey,
    metric_value: boundedValue("docs/statistics.md, Limits"),
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
const reason = z.string().nullable().openapi({ description: "Why the statistics next to it are null" });

export const Analysis = z
  .object({
    experiment_id: z.string(),
    status: z.enum(EXPERIMENT_STATUSES),
    analysis_settings: AnalysisSettingsOut,
    assignments: z.array(z.object({ variant_id: z.string(), users: z.number().int() })),
    srm: z.object({ p_value: num, mismatch: z.boolean(), reason }),
    data_quality: z.object({
      unexposed_results: z.number().int().openapi({ description: "Results of users never exposed (not analysed)" }),
      anonymous_results: z.number().int().openapi({ description: "Results without user_id (not analysed)" }),
      pre_exposure_results: z
        .number()
        .int()
        .openapi({ description: "Results recorded before the user's first exposure (CUPED's covariate only)" }),
    }),
    power: z.object({
      planned_users_per_variant: z.number().int().nullable(),
      progress: num.openapi({ description: "Exposed users of the smallest variant / planned users (may pass 1)" }),
      days_running: num,
    }),
    metrics: z.array(
      z.object({
        metric_name: z.string(),
        name: z.string(),
        defined: z.boolean().openapi({ description: "false: no catalogue entry; read as mean / increase / number" }),
        role: z.enum(["primary", "secondary", "guardrail", "other"]),
        kind: z.enum(METRIC_KINDS),
        direction: z.enum(DIRECTIONS),
        format: z.enum(FORMATS),
        currency: z.string().nullable(),
        capping: z
          .object({
            type: z.enum(CAPPING_TYPES),
            value: z.number(),
            cap: num.openapi({ description: "The cap applied" }),
          })
          .nullable(),
        variants: z.array(
          z.object({
            variant_id: z.string(),
            count: z.number().int().openapi({ description: "Values analysed: exposed users (rows for event_mean)" }),
            users: z.number().int(),
            mean: num,
            stddev: num,
            adjusted_mean: num.openapi({ description: "CUPED-adjusted mean, when CUPED was applied" }),
            min: num,
            max: num,
            sum: z.number(),
          }),
        ),
        cuped: z.object({ applied: z.boolean(), theta: num, variance_reduction: num, reason }),
        comparisons: z.array(
          z.object({
            variant_id: z.string(),
            control_variant_id: z.string(),
            difference: num,
            relative_lift: num,
            lift_ci_low: num,
            lift_ci_high: num,
            ci_low: num,
            ci_high: num,
            p_value: num,
            p_value_adjusted: num,
            chance_to_beat_control: num,
            expected_loss: num,
            credible_low: num,
            credible_high: num,
            significant: z.boolean(),
            verdict: z.enum(VERDICTS),
            reason,
          }),
        ),
      }),
    ),
  })
  .openapi("ResultsAnalysis");
export type AnalysisOut = z.infer<typeof Analysis>;

export const TimeseriesQuery = z.object({
  metric: MetricKeyQuery.optional().openapi({ description: "A metric_name; default the primary metric" }),
});

export const Timeseries = z
  .object({
    metric_name: z.string(),
    items: z.array(
      z.object({
        date: z.string().openapi({ description: "UTC day (YYYY-MM-DD); values are cumulative up to its end" }),
        variants: z.array(
          z.object({
            variant_id: z.string(),
            users: z.number().int(),
            mean: num,
            adjusted_mean: num.openapi({
              description: "CUPED-adjusted mean on that day (null when CUPED is off or could not be applied that day)",
            }),
          }),
        ),
        comparisons: z.array(
          z.object({ variant_id: z.string(), relative_lift: num, lift_ci_low: num, lift_ci_high: num }),
        ),
      }),
    ),
  })
  .openapi("ResultsTimeseries");

export const PowerIn = z
  .strictObject({
    kind: z.enum(METRIC_KINDS),
    baseline_mean: z.number().refine(Number.isFinite, "must be a finite number"),
    baseline_stddev: decimalNumber({ above: 0 })
      .optional()
      .openapi({ description: "Required for mean and event_mean (binomial: from the rate)" }),
    mde_relative: decimalNumber({ above: 0, max: 100 }).openapi({
      description: "Smallest relative lift to detect, 0.05 = 5%",
    }),
    alpha: decimalNumber({ above: 0, below: 1 }).optional().openapi({ description: "Two-sided; default 0.05" }),
    power: decimalNumber({ above: 0, below: 1 }).optional().openapi({ description: "Default 0.8" }),
    variants: wholeNumber({ min: 2, max: 50, unit: "variants, counting the control" })
      .optional()
      .openapi({ description: "Default 2" }),
  })
  .superRefine((p, ctx) => {
    if (p.kind === "binomial") {
      if (!(p.baseline_mean > 0 && p.baseline_mean < 1))
        ctx.addIssue({ code: "custom", path: ["baseline_mean"], message: "a binomial baseline is a rate in (0, 1)" });
      else if (!(p.baseline_mean * (1 + p.mde_relative) < 1))
        ctx.addIssue({ code: "custom", path: ["mde_relative"], message: "the lifted rate must stay below 1" });
    } else {
      if (p.baseline_stddev === undefined)
        ctx.addIssue({
          code: "custom",
          path: ["baseline_stddev"],
          message: "required for mean and event_mean metrics",
        });
      if (p.baseline_mean === 0)
        ctx.addIssue({
          code: "custom",
          path: ["baseline_mean"],
          message: "a relative effect needs a non-zero baseline",
        });
    }
  })
  .openapi("PowerIn");

export const PowerOut = z
  .object({ users_per_variant: z.number().int().openapi({ description: "Exposed users each variant needs" }) })
  .openapi("PowerOut");
