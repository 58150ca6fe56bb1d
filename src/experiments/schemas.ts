/**
 * Request and response schemas of the experiments part of `/api/v1/ab-testing` (docs/contract.md). The
 * routes validate with them and the OpenAPI document is generated from them. Results and the
 * analysis have their own file (results-schemas.ts).
 */
import { z } from "@hono/zod-openapi";
import { decimalNumber, enumQuery, givenOnce, listOf, pageQueryFields, textQuery, wholeNumber } from "../http/params";
import { ConditionSchema, NamespaceKey, NamespaceSchema } from "../targeting/schemas";
import { JsonObject } from "../http/json";
import { TimeIn } from "../http/time";
import { MetricKey } from "../metrics/schemas";
import { CORRECTIONS, ENGINES } from "../stats";
import { CONFIDENCE_RANGE, DEFAULT_ANALYSIS_SETTINGS, TUNING_RANGE } from "./analysis-settings";
import {
  EXPERIMENT_STATUSES,
  KEY_MESSAGE,
  KEY_RULE,
  SEARCH_MAX_LENGTH,
  KEY_PATTERN,
  MAX_VARIANTS,
  metricRoleConflicts,
  PERCENT_MESSAGE,
  percentBasisPoints,
  scheduleOrderProblem,
  VARIANT_TYPES,
} from "./model";

// Write bodies are strict objects: a read-only field (id, status, created_at...) or an unknown
// one is a 400 naming it, never silently dropped (src/http/validation.ts names each key).

const Iso = z.string().openapi({ format: "date-time", example: "2026-11-29T12:00:00.000Z" });
const IsoOrNull = Iso.nullable();
const Key = z.string().regex(KEY_PATTERN, KEY_MESSAGE).openapi({ example: "checkout-button" });
const Name = z.string().trim().min(1).max(200);
const LongText = z.string().max(10_000);
/** Checked exactly (model.ts): 49.999 is refused, not rounded to 50. */
const Percentage = z
  .number()
  .refine((p) => percentBasisPoints(p) !== null, PERCENT_MESSAGE)
  .openapi({ minimum: 0, maximum: 100, multipleOf: 0.01 });
const Seed = z.string().min(1).max(128);
const MetricName = MetricKey;
/** Secondary and guardrail metrics: keys of results (defined in the catalogue or not), each once. */
const MetricList = z
  .array(MetricKey)
  .max(50)
  .superRefine((list, ctx) => {
    list.forEach((key, i) => {
      if (list.indexOf(key) !== i) ctx.addIssue({ code: "custom", path: [i], message: `'${key}' is listed twice` });
    });
  });
const d = DEFAULT_ANALYSIS_SETTINGS;
/** Every field optional: what is not sent keeps its current value (PATCH) or default (create). */
const AnalysisSettingsIn = z
  .object({
    engine: z
      .enum(ENGINES)
      .optional()
      .openapi({ description: `Default ${d.engine}` }),
    confidence_level: decimalNumber(CONFIDENCE_RANGE)
      .optional()
      .openapi({ description: `Default ${d.confidence_level}` }),
    sequential: z.boolean().optional().openapi({ description: "Always-valid intervals for continuous monitoring" }),
    sequential_tuning: decimalNumber(TUNING_RANGE)
      .optional()
      .openapi({
        description: `Users (both arms) where the sequential interval is tightest; default ${d.sequential_tuning}`,
      }),
    cuped: z.boolean().optional().openapi({ description: "Adjust by each user's pre-exposure value of the metric" }),
    correction: z
      .enum(CORRECTIONS)
      .optional()
      .openapi({ description: `Multiple-comparison correction; default ${d.correction}` }),
  })
  .strict()
  .openapi("AnalysisSettingsIn");
export const AnalysisSettingsOut = z
  .object({
    engine: z.enum(ENGINES),
    confidence_level: z.number(),
    sequential: z.boolean(),
    sequential_tuning: z.number(),
    cuped: z.boolean(),
    correction: z.enum(CORRECTIONS),
  })
  .openapi("AnalysisSettings");
const PlannedUsers = wholeNumber({ min: 1, max: 1e12, unit: "users per variant" });
/** The reading of results: changeable in any status (they change the analysis, not the assignment). */
const analysisFields = {
  secondary_metrics: MetricList.optional(),
  guardrail_metrics: MetricList.optional().openapi({ description: "Metrics that must not get worse; never corrected" }),
  planned_users_per_variant: PlannedUsers.nullable().optional().openapi({ description: "From POST /power" }),
  analysis_settings: AnalysisSettingsIn.nullable().optional(),
};

export const VariantIn = z
  .object({
    key: Key,
    variant_name: Name.optional().openapi({ description: "Defaults to the key" }),
    variant_type: z.enum(VARIANT_TYPES),
    model_version: z.string().max(200).nullable().optional(),
    config: JsonObject.optional().openapi({ description: "Any JSON object; default {}" }),
    traffic_percentage: Percentage,
  })
  .strict()
  .openapi("VariantIn");
export type VariantInput = z.infer<typeof VariantIn>;

/** Variant keys are unique within an experiment: report every repeat with its index. */
const uniqueKeys = (list: readonly { key: string }[], ctx: z.RefinementCtx) => {
  const seen = new Set<string>();
  list.forEach((v, i) => {
    if (seen.has(v.key))
      ctx.addIssue({ code: "custom", path: [i, "key"], message: `duplicate variant key '${v.key}'` });
    seen.add(v.key);
  });
};
const VariantList = z.array(VariantIn).max(MAX_VARIANTS).superRefine(uniqueKeys);
const TrafficSplit = z.record(Key, Percentage);

/**
 * ISO-8601 (with a zone) or epoch milliseconds, normalized to epoch ms; null clears. The shared
 * time parser: epoch seconds (1800000000) used to pass as a time in January 1970, which the
 * scheduler then acted on at its next tick; now they are refused, naming the milliseconds to send.
 */
const ScheduleTime = TimeIn.nullable()
  .optional()
  .openapi({ description: "ISO-8601 time or epoch milliseconds; null: none", example: "2026-12-24T09:00:00Z" });

/** Both schedule times given: the end must come after the start. */
const scheduleOrder = (
  e: { scheduled_start_at?: number | null | undefined; scheduled_end_at?: number | null | undefined },
  ctx: z.RefinementCtx,
) => {
  const problem = scheduleOrderProblem(e.scheduled_start_at, e.scheduled_end_at);
  if (problem !== null) ctx.addIssue({ code: "custom", path: [problem.path], message: problem.message });
};

/** Who enters and when: targeting, namespace and schedule, changeable on create and patch alike. */
const audienceFields = {
  targeting: ConditionSchema.nullable().optional().openapi({
    description: "Who may enter: a condition over the user's attributes (docs/targeting.md); null: everyone",
  }),
  namespace: NamespaceSchema.nullable().optional(),
  scheduled_start_at: ScheduleTime,
  scheduled_end_at: ScheduleTime,
};

/** Each metric in one role (model.ts), as sent; PATCH also checks against the stored roles. */
const oneRolePerMetric = (
  e: { primary_metric?: string | null; secondary_metrics?: string[]; guardrail_metrics?: string[] },
  ctx: z.RefinementCtx,
) => {
  const named = {
    primary_metric: e.primary_metric ?? null,
    secondary_metrics: e.secondary_metrics ?? [],
    guardrail_metrics: e.guardrail_metrics ?? [],
  };
  for (const { field, index, message } of metricRoleConflicts(named)) {
    ctx.addIssue({ code: "custom", path: [field, index], message });
  }
};

export const ExperimentIn = z
  .object({
    key: Key,
    experiment_name: Name,
    description: LongText.nullable().optional(),
    hypothesis: LongText.nullable().optional(),
    primary_metric: MetricName.nullable().optional(),
    coverage: Percentage.optional().openapi({ description: "Percentage of users enrolled; default 100" }),
    seed: Seed.nullable().optional().openapi({ description: "Hash seed; defaults to the key" }),
    variants: VariantList.optional(),
    traffic_split: TrafficSplit.optional().openapi({
      description: "Percentages by variant key, applied to the inline variants (every key must name one)",
      example: { control: 50, treatment: 50 },
    }),
    ...analysisFields,
    ...audienceFields,
  })
  .strict()
  .superRefine(scheduleOrder)
  .superRefine(oneRolePerMetric)
  .superRefine((e, ctx) => {
    const keys = new Set((e.variants ?? []).map((v) => v.key));
    for (const key of Object.keys(e.traffic_split ?? {})) {
      if (!keys.has(key))
        ctx.addIssue({ code: "custom", path: ["traffic_split", key], message: `no variant with key '${key}'` });
    }
  })
  .openapi("ExperimentIn", {
    example: {
      key: "checkout_button",
      experiment_name: "Checkout button",
      hypothesis: "A green button converts better than the blue one.",
      primary_metric: "conversion",
      secondary_metrics: ["revenue"],
      guardrail_metrics: ["latency_ms"],
      variants: [
        { key: "control", variant_name: "Blue", variant_type: "control", traffic_percentage: 50 },
        { key: "green", variant_name: "Green", variant_type: "treatment", traffic_percentage: 50 },
      ],
    },
  });
export type ExperimentInput = z.infer<typeof ExperimentIn>;

export const ExperimentPatch = z
  .object({
    key: Key.optional(),
    experiment_name: Name.optional(),
    description: LongText.nullable().optional(),
    hypothesis: LongText.nullable().optional(),
    primary_metric: MetricName.nullable().optional(),
    coverage: Percentage.optional(),
    seed: Seed.nullable().optional().openapi({ description: "null resets it to the default (the key)" }),
    variants: VariantList.optional().openapi({
      description: "Replaces the variant set; a variant whose key already exists keeps its id",
    }),
    traffic_split: TrafficSplit.optional().openapi({
      description: "New percentages by variant key",
      example: { control: 50, treatment: 50 },
    }),
    ...analysisFields,
    ...audienceFields,
  })
  .strict()
  .superRefine(scheduleOrder)
  .superRefine((p, ctx) => {
    if (p.variants !== undefined && p.traffic_split !== undefined) {
      ctx.addIssue({ code: "custom", path: ["traffic_split"], message: "send either variants or traffic_split" });
    }
  })
  .openapi("ExperimentPatch");
export type ExperimentPatchInput = z.infer<typeof ExperimentPatch>;

export const CompleteIn = z
  .object({
    winner_variant_id: z.string().min(1).max(128).nullable().optional(),
    winner_variant_key: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .openapi({ description: "The winner by its variant key, instead of (or agreeing with) winner_variant_id" }),
  })
  .strict()
  .openapi("CompleteIn");

export const Variant = z
  .object({
    id: z.string(),
    key: z.string(),
    variant_name: z.string(),
    variant_type: z.enum(VARIANT_TYPES),
    model_version: z.string().nullable(),
    config: z.record(z.string(), z.unknown()),
    traffic_percentage: z.number(),
  })
  .openapi("Variant");

export const Experiment = z
  .object({
    id: z.string(),
    key: z.string(),
    experiment_name: z.string(),
    description: z.string().nullable(),
    hypothesis: z.string().nullable(),
    status: z.enum(EXPERIMENT_STATUSES),
    primary_metric: z.string().nullable(),
    secondary_metrics: z.array(z.string()),
    guardrail_metrics: z.array(z.string()),
    planned_users_per_variant: z.number().int().nullable(),
    analysis_settings: AnalysisSettingsOut,
    coverage: z.number(),
    seed: z.string(),
    variants: z.array(Variant),
    traffic_split: z.record(z.string(), z.number()),
    targeting: z.record(z.string(), z.unknown()).nullable(),
    namespace: z.object({ key: z.string(), start: z.number(), end: z.number() }).nullable(),
    scheduled_start_at: IsoOrNull,
    scheduled_end_at: IsoOrNull,
    winner_variant_id: z.string().nullable(),
    created_at: Iso,
    updated_at: Iso,
    started_at: IsoOrNull,
    completed_at: IsoOrNull,
  })
  .openapi("Experiment");
export type ExperimentOut = z.infer<typeof Experiment>;

export const ExperimentPage = listOf(Experiment, "ExperimentPage");

// Lists share one shape (docs/contract.md). Variants are few (<= MAX_VARIANTS, the default limit),
// so one page usually holds them all; `limit` and `cursor` page them like every list.
export const VariantPage = listOf(Variant, "VariantPage");
export const VariantListQuery = z.object({ ...pageQueryFields });

export const ListQuery = z.object({
  status: enumQuery(EXPERIMENT_STATUSES).optional(),
  key: givenOnce(Key, KEY_RULE).optional().openapi({
    description:
      "Only the experiment with exactly this key (0 or 1 item): how to find one by key, as the :id routes take ids",
    example: "checkout-button",
  }),
  q: textQuery({ max: SEARCH_MAX_LENGTH })
    .optional()
    // Blank is no search, as an emptied search box means.
    .transform((s) => s?.trim() || undefined)
    .openapi({
      description: "Only experiments whose key or name contains this text (ASCII letters in either case)",
      example: "checkout",
    }),
  // The experiments sharing a layer, for a check of overlapping ranges without reading them all.
  namespace: givenOnce(NamespaceKey, KEY_RULE).optional().openapi({
    description: "Only the experiments in this namespace (its key)",
    example: "checkout",
  }),
  ...pageQueryFields,
});
export type ListQueryInput = z.infer<typeof ListQuery>;

export { IdParam } from "../http/params";
