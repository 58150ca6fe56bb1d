/**
 * Request and response schemas of `/api/v1/streaming-analytics` (docs/contract.md, "Streaming analytics").
 * The Worker validates with them; the OpenAPI document, the realtime protocol and the dashboard
 * import the inferred types. Inputs accept ISO-8601 or epoch ms and are normalized to epoch ms
 * here, so the Durable Object never sees an unparsed time; outputs are ISO-8601 UTC strings.
 */
import { z } from "@hono/zod-openapi";
import { decimalNumber, pageQueryFields, wholeNumber } from "../http/params";
import { ItemJsonObject, ItemJsonValue, JsonObject, withoutProto } from "../http/json";
import { fieldErrors } from "../http/validation";
import { TimeIn } from "../http/time";
import { boundedValue } from "../http/values";
import { ALERT_STATUSES, SEVERITIES } from "./alert-state";
import { SOURCE_HEALTH_STATUSES } from "./health";
import { AGGREGATIONS } from "./rollup";
import { HISTORY_ACTIONS } from "./notify/model";
import { DEFAULT_BASELINE_WINDOWS, DEFAULT_SENSITIVITY } from "./anomaly";
import {
  CONFIDENCE_QUANTILES,
  isModelRuleMetric,
  LATENCY_QUANTILES,
  METRIC_NAME_PATTERN,
  METRIC_NAME_RULE,
  MODEL_RULE_METRICS,
  MODEL_RULE_TAGS,
  modelRuleSeries,
  NO_DATA_POLICIES,
  OPERATORS,
  RULE_FINGERPRINT_PREFIX,
  RULE_STATES,
  RULE_TYPES,
  SOURCE_TYPES,
} from "./model";

const MAX_BATCH = 1000;
const Iso = z.string().openapi({ format: "date-time", example: "2026-11-29T12:00:00.000Z" });
const Id = z.string().min(1).max(128);
// Names and types are shown in lists, charts and logs: no control characters (a NUL in an
// event_type was stored, echoed and then broke tools reading GET /events).
const NO_CONTROL = /^[^\p{Cc}]*$/u;
const NO_CONTROL_MESSAGE = "must not contain control characters";
const Name = z.string().trim().min(1).max(200).regex(NO_CONTROL, NO_CONTROL_MESSAGE);

// ---------------------------------------------------------------- sources

export const SourceIn = z
  .object({
    name: Name,
    source_type: z.enum(SOURCE_TYPES),
    description: z.string().max(2000).optional(),
    config: JsonObject.optional(),
  })
  .strict()
  .openapi("SourceIn");

export const SourcePatch = z
  .object({
    name: Name.optional(),
    source_type: z.enum(SOURCE_TYPES).optional(),
    description: z.string().max(2000).nullable().optional(),
    config: JsonObject.nullable().optional(),
  })
  .strict()
  .openapi("SourcePatch");

const SourceHealth = z
  .object({
    status: z.enum(SOURCE_HEALTH_STATUSES),
    last_event_at: Iso.nullable(),
    events_last_5m: z.number().int(),
  })
  .openapi("SourceHealth");

export const Source = z
  .object({
    id: z.string(),
    name: z.string(),
    source_type: z.enum(SOURCE_TYPES),
    description: z.string().nullable(),
    config: JsonObject.nullable(),
    created_at: Iso,
    updated_at: Iso,
    health: SourceHealth,
  })
  .openapi("Source");

// ---------------------------------------------------------------- events

const EventIn = z
  .object({
    event_id: Id.optional(),
    source_id: Id.optional(),
    event_type: z.string().trim().min(1).max(200).regex(NO_CONTROL, NO_CONTROL_MESSAGE),
    payload: ItemJsonObject.optional(),
    timestamp: TimeIn.optional(),
  })
  .strict()
  .openapi("EventIn");

export const EventBatchIn = z
  .object({ events: z.array(EventIn).min(1).max(MAX_BATCH) })
  .strict()
  .openapi("EventBatchIn");

export const EventAccepted = z
  .object({
    accepted: z.number().int().openapi({ description: "Events newly stored" }),
    duplicates: z.number().int().openapi({ description: "Events whose event_id was already stored (or repeated)" }),
  })
  .openapi("EventAccepted");

export const EventOut = z
  .object({
    id: z.string().openapi({ description: "Same as event_id" }),
    event_id: z.string(),
    source_id: z.string().nullable(),
    event_type: z.string(),
    payload: JsonObject.nullable(),
    timestamp: Iso,
    received_at: Iso,
    processed: z.boolean(),
    processed_at: Iso.nullable(),
  })
  .openapi("EventOut");

export const ProcessIn = z
  .object({ event_ids: z.array(Id).min(1).max(MAX_BATCH) })
  .strict()
  .openapi("ProcessIn");
export const ProcessOut = z
  .object({ processed: z.number().int().openapi({ description: "Events of the list now marked processed" }) })
  .openapi("ProcessOut");

// ---------------------------------------------------------------- predictions

const PredictionIn = z
  .object({
    model_name: Name,
    model_version: z.string().max(200).optional(),
    prediction: ItemJsonValue,
    confidence: decimalNumber({ min: 0, max: 1 }),
    // Bounded like a metric value: latencies are added into the model rollups' float sums.
    latency_ms: boundedValue("docs/streaming.md, Limits", { nonNegative: true }).optional(),
    event_id: Id.optional(),
    features: ItemJsonObject.optional(),
    timestamp: TimeIn.optional(),
  })
  .strict()
  .openapi("PredictionIn");

const PredictionBatchIn = z
  .object({ predictions: z.array(PredictionIn).min(1).max(MAX_BATCH) })
  .strict()
  .openapi("PredictionBatchIn");

export const PredictionOut = z
  .object({
    id: z.string(),
    model_name: z.string(),
    model_version: z.string().nullable(),
    prediction: z.unknown(),
    confidence: z.number(),
    latency_ms: z.number().nullable(),
    event_id: z.string().nullable(),
    features: JsonObject.nullable(),
    timestamp: Iso,
  })
  .openapi("PredictionOut");

export const PredictionsAccepted = z
  .object({ accepted: z.number().int(), items: z.array(PredictionOut) })
  .openapi("PredictionsAccepted");

const numbersOf = <T extends Record<string, number>>(named: T) =>
  z.object(Object.fromEntries(Object.keys(named).map((k) => [k, z.number()])) as { [K in keyof T]: z.ZodNumber });

const ModelVersionSummary = z
  .object({
    model_version: z.string().nullable().openapi({ description: "null: predictions sent without a version" }),
    predictions: z.number().int(),
    share: z.number().openapi({ description: "Of the model's predictions in the window, 0 to 1" }),
    confidence: z.object({
      mean: z.number(),
      min: z.number(),
      max: z.number(),
      quantiles: numbersOf(CONFIDENCE_QUANTILES),
    }),
    latency_ms: z
      .object({ count: z.number().int(), mean: z.number(), max: z.number(), quantiles: numbersOf(LATENCY_QUANTILES) })
      .nullable()
      .openapi({ description: "Over the predictions that carried latency_ms; null when none did" }),
    last_at: Iso.openapi({ description: "The newest prediction's time in the window" }),
    series: z.array(
      z.object({
        t: Iso,
        predictions: z.number().int(),
        mean_confidence: z.number().nullable(),
        latency_p95_ms: z.number().nullable(),
      }),
    ),
  })
  .openapi("ModelVersionSummary");

export const ModelsSummary = z
  .object({
    window_seconds: z.number().int().openapi({ example: 300 }),
    step_seconds: z.number().int(),
    from: Iso.openapi({ description: "Start of the first bucket read: the window is covered whole" }),
    to: Iso,
    models: z.array(
      z.object({
        model_name: z.string(),
        predictions: z.number().int(),
        versions: z.array(ModelVersionSummary).openapi({ description: "Busiest first" }),
      }),
    ),
    models_omitted: z.number().int().openapi({ description: "Less busy models left out of `models`" }),
  })
  .openapi("ModelsSummary");

// ---------------------------------------------------------------- alerts

export const AlertIn = z
  .object({
    severity: z.enum(SEVERITIES),
    title: z.string().trim().min(1).max(500),
    message: z.string().max(10_000).optional(),
    source_id: Id.optional(),
    fingerprint: z
      .string()
      .min(1)
      .max(500)
      .refine(
        (f) => !f.startsWith(RULE_FINGERPRINT_PREFIX),
        `"${RULE_FINGERPRINT_PREFIX}…" is reserved for the alerts of alert rules`,
      )
      .optional(),
  })
  .strict()
  .openapi("AlertIn");

export const AlertActionIn = z
  .object({ note: z.string().max(5000).optional() })
  .strict()
  .openapi("AlertActionIn");

const AlertHistoryEntry = z
  .object({
    at: Iso,
    action: z.enum(HISTORY_ACTIONS),
    by: z.string().optional(),
    note: z.string().optional(),
  })
  .openapi("AlertHistoryEntry");

const AlertNote = z.object({ at: Iso, by: z.string(), text: z.string() }).openapi("AlertNote");

export const AlertOut = z
  .object({
    id: z.string(),
    severity: z.enum(SEVERITIES),
    status: z.enum(ALERT_STATUSES),
    title: z.string(),
    message: z.string().nullable(),
    source_id: z.string().nullable(),
    fingerprint: z.string().nullable(),
    occurrences: z.number().int(),
    created_at: Iso,
    last_seen_at: Iso,
    acknowledged_at: Iso.nullable(),
    acknowledged_by: z.string().nullable(),
    resolved_at: Iso.nullable(),
    resolved_by: z.string().nullable(),
    notes: z.array(AlertNote),
    silenced: z.boolean().openapi({ description: "A silence matched its last change: recorded, not notified" }),
    history: z.array(AlertHistoryEntry).openapi({ description: "Every change, oldest first" }),
  })
  .openapi("Alert");

// ---------------------------------------------------------------- alert rules

/**
 * A tag key: JSON.parse makes `"__proto__"` an own key, but copying it into an object sets the
 * prototype instead, so such a tag was silently dropped (a rule filtering on it watched every
 * point). Refused, as in event payloads; an empty key could never be filtered on (`tag.=x`).
 */
const TagKey = z.string().min(1).max(200);
const TAGS_DOC = {
  type: "object",
  additionalProperties: { type: "string", maxLength: 500 },
  example: { region: "eu" },
};
/** A tag's value, as sent on a point and as a filter (`tag.<key>=<value>` on GET /metrics/:name). */
export const TagValue = z.string().max(500);
/** Tags as sent: string values, no `__proto__` key (see TagKey). */
const TagMap = z.record(TagKey, TagValue);
const TagRecord = withoutProto(TagMap, TAGS_DOC);

/** A tag filter: only points carrying every one of these tags count (metric tags are strings). */
const TagFilter = withoutProto(
  TagMap.refine((tags) => Object.keys(tags).length <= 20, "at most 20 tags"),
  TAGS_DOC,
);

// The fields of a rule as written; AlertRuleIn adds the checks across fields, AlertRulePatch makes each optional.
const AlertRuleFields = z
  .object({
    name: Name,
    type: z.enum(RULE_TYPES).optional().openapi({ description: "Default threshold" }),
    metric_name: z
      .string()
      .min(1)
      .max(200)
      .openapi({
        description: `A metric (${METRIC_NAME_RULE}), or a model statistic: \`@models/confidence\` or \`@models/latency_ms\`, with \`tags\` naming \`model\` and \`version\` (docs/streaming.md, Model monitoring)`,
      }),
    aggregation: z.enum(AGGREGATIONS),
    window_seconds: wholeNumber({ min: 10, max: 31 * 86400, unit: "seconds, up to 31 days" }).openapi({ example: 300 }),
    operator: z
      .enum(OPERATORS)
      .optional()
      .openapi({ description: "Required for threshold rules; on anomaly rules gt/lt restricts to one side" }),
    threshold: z.number().refine(Number.isFinite, "must be finite").optional(),
    severity: z.enum(SEVERITIES),
    for_seconds: wholeNumber({ min: 0, max: 86400, unit: "seconds, up to a day" })
      .optional()
      .openapi({ description: "Default 0; anomaly rules default to window_seconds (one confirming window)" }),
    no_data: z.enum(NO_DATA_POLICIES).optional().openapi({ description: "Default keep" }),
    tags: TagFilter.optional(),
    sensitivity: decimalNumber({ min: 0.5, max: 100 })
      .optional()
      .openapi({ description: `Anomaly rules: |z| at which the rule holds (default ${DEFAULT_SENSITIVITY})` }),
    baseline_windows: wholeNumber({ min: 3, max: 500, unit: "windows" })
      .optional()
      .openapi({ description: `Anomaly rules: previous windows scored against (default ${DEFAULT_BASELINE_WINDOWS})` }),
  })
  .strict();

export const AlertRuleIn = AlertRuleFields.superRefine((rule, ctx) => {
  const modelStatistics = Object.keys(MODEL_RULE_METRICS).join(" and ");
  if (isModelRuleMetric(rule.metric_name)) {
    if (modelRuleSeries(rule.metric_name) === null) {
      ctx.addIssue({ code: "custom", path: ["metric_name"], message: `model statistics are ${modelStatistics}` });
    }
    for (const key of Object.keys(rule.tags ?? {})) {
      if (!(MODEL_RULE_TAGS as readonly string[]).includes(key)) {
        ctx.addIssue({
          code: "custom",
          path: ["tags", key],
          message: `a model rule filters by ${MODEL_RULE_TAGS.join(" and ")} only`,
        });
      }
    }
  } else if (!METRIC_NAME_PATTERN.test(rule.metric_name)) {
    // A name no metric can have (`@foo`, a space) watched nothing: POST /metrics refuses it.
    ctx.addIssue({
      code: "custom",
      path: ["metric_name"],
      message: `a metric name (${METRIC_NAME_RULE}) or a model statistic: ${modelStatistics}`,
    });
  }
  if ((rule.type ?? "threshold") === "threshold") {
    if (rule.operator === undefined)
      ctx.addIssue({ code: "custom", path: ["operator"], message: "required for threshold rules" });
    if (rule.threshold === undefined)
      ctx.addIssue({ code: "custom", path: ["threshold"], message: "required for threshold rules" });
    for (const key of ["sensitivity", "baseline_windows"] as const) {
      if (rule[key] !== undefined) ctx.addIssue({ code: "custom", path: [key], message: "only for anomaly rules" });
    }
  } else if (rule.threshold !== undefined) {
    ctx.addIssue({ code: "custom", path: ["threshold"], message: "anomaly rules take sensitivity, not threshold" });
  }
}).openapi("AlertRuleIn");

/**
 * A partial rule. The service merges it over the stored rule and checks the result as AlertRuleIn
 * (so a patch that leaves the rule invalid is a 400 naming the field). `null` unsets: `operator`
 * (anomaly rules: score both sides), `tags` (no filter). Changing `type` drops the other type's
 * fields (threshold, or sensitivity and baseline_windows). Strict: a misspelt field is a 400, not a
 * change that silently did nothing.
 */
export const AlertRulePatch = AlertRuleFields.partial()
  .extend({
    operator: z.enum(OPERATORS).nullable().optional(),
    tags: z.union([TagFilter, z.null()]).optional(),
  })
  .strict()
  .openapi("AlertRulePatch");

export const AlertRule = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.enum(RULE_TYPES),
    metric_name: z.string(),
    aggregation: z.enum(AGGREGATIONS),
    window_seconds: z.number().int().openapi({ example: 300 }),
    operator: z.enum(OPERATORS).nullable(),
    threshold: z.number().nullable(),
    severity: z.enum(SEVERITIES),
    for_seconds: z.number().int(),
    no_data: z.enum(NO_DATA_POLICIES),
    tags: z.record(z.string(), z.string()).nullable(),
    sensitivity: z.number().nullable(),
    baseline_windows: z.number().int().nullable(),
    created_at: Iso,
    state: z.object({
      status: z.enum(RULE_STATES),
      since: Iso.nullable(),
      alert_id: z.string().nullable(),
    }),
  })
  .openapi("AlertRule");

// ---------------------------------------------------------------- metrics

export const MetricName = z
  .string()
  .regex(METRIC_NAME_PATTERN, METRIC_NAME_RULE)
  .openapi({ example: "model.latency_ms" });

const MetricIn = z
  .object({
    name: MetricName,
    value: boundedValue("docs/streaming.md, Limits"),
    timestamp: TimeIn.optional(),
    tags: TagRecord.optional(),
  })
  .strict()
  .openapi("MetricIn");

const MetricBatchIn = z
  .object({ metrics: z.array(MetricIn).min(1).max(MAX_BATCH) })
  .strict()
  .openapi("MetricBatchIn");

export const MetricsAccepted = z.object({ accepted: z.number().int() }).openapi("MetricsAccepted");

export const MetricSummary = z
  .object({
    name: z.string(),
    latest: z.number().nullable(),
    latest_at: Iso.nullable(),
    trend: z.enum(["up", "down", "stable"]),
  })
  .openapi("MetricSummary");

export const MetricSeries = z
  .object({
    name: z.string(),
    aggregation: z.enum(AGGREGATIONS),
    window_seconds: z.number().int().openapi({ example: 300 }),
    step_seconds: z.number().int(),
    value: z.number().nullable(),
    series: z.array(z.object({ t: Iso, value: z.number().nullable() })),
    tags: z
      .record(z.string(), z.string())
      .optional()
      .openapi({ description: "The tag filter applied (tag.<key>=<value>), when any" }),
    groups: z
      .array(
        z.object({
          tags: z.record(z.string(), z.string()),
          value: z.number().nullable(),
          series: z.array(z.object({ t: Iso, value: z.number().nullable() })),
        }),
      )
      .optional()
      .openapi({ description: "With group_by: one entry per value of that tag, sorted by value" }),
  })
  .openapi("MetricSeries");

/** The payload of the live `metric` message: one per metric and flush, its newest point with its tags. */
export const MetricPointOut = z
  .object({ name: z.string(), value: z.number(), timestamp: Iso, tags: z.record(z.string(), z.string()) })
  .openapi("MetricPoint");

// ---------------------------------------------------------------- dashboard

const countsOf = <const T extends readonly [string, ...string[]]>(keys: T) =>
  z.object(Object.fromEntries(keys.map((k) => [k, z.number().int()])) as { [K in T[number]]: z.ZodNumber });

export const DashboardSummary = z
  .object({
    generated_at: Iso,
    events: z.object({
      total: z.number().int().openapi({ description: "Events accepted since the organization began" }),
      last_5m: z.number().int(),
      per_minute: z.number().openapi({ description: "Mean events per minute over the last 5 minutes" }),
      per_minute_series: z.array(z.object({ t: Iso, count: z.number().int() })),
    }),
    predictions: z.object({ total: z.number().int(), mean_confidence: z.number().nullable() }),
    alerts: z.object({
      by_status: countsOf(ALERT_STATUSES),
      by_severity: countsOf(SEVERITIES).openapi({ description: "Unresolved alerts by severity" }),
    }),
    sources: z.array(Source),
    metrics: z.array(MetricSummary),
    recent_events: z.array(EventOut),
    recent_predictions: z.array(PredictionOut),
  })
  .openapi("DashboardSummary");

/**
 * A body that is either one item or `{ <key>: [items] }`. A plain zod union cannot name the bad
 * field (both branches fail on a missing key, so zod reports only "invalid_union" at the root);
 * this picks the branch by the key's presence, so `metrics.3.value` is reported as such. The
 * OpenAPI document still shows the union.
 */
function oneOrBatch<B extends z.ZodType, S extends z.ZodType>(key: string, batch: B, single: S, name: string) {
  const documented = z.toJSONSchema(z.union([batch, single]), { unrepresentable: "any", io: "input" });
  const { $schema: _drop, ...schema } = documented;
  return z
    .unknown()
    .transform((value, ctx): z.output<B> | z.output<S> => {
      const isBatch = typeof value === "object" && value !== null && !Array.isArray(value) && key in value;
      const result = (isBatch ? batch : single).safeParse(value);
      if (result.success) return result.data as z.output<B> | z.output<S>;
      // Re-raised as custom issues, since a transform cannot raise others; a strict object's
      // unrecognized keys become one issue per key, as fieldErrors names them elsewhere.
      for (const error of fieldErrors(result.error)) {
        ctx.addIssue({ code: "custom", message: error.message, path: error.path.split("."), input: value });
      }
      return z.NEVER;
    })
    .openapi(name, schema as Record<string, unknown>);
}

export const PredictionBody = oneOrBatch("predictions", PredictionBatchIn, PredictionIn, "PredictionBody");
export const MetricBody = oneOrBatch("metrics", MetricBatchIn, MetricIn, "MetricBody");

export const ListQuery = z.object(pageQueryFields);

export type SourceInT = z.output<typeof SourceIn>;
export type SourcePatchT = z.output<typeof SourcePatch>;
export type SourceT = z.output<typeof Source>;
export type EventInT = z.output<typeof EventIn>;
export type EventOutT = z.output<typeof EventOut>;
export type PredictionInT = z.output<typeof PredictionIn>;
export type PredictionOutT = z.output<typeof PredictionOut>;
export type AlertInT = z.output<typeof AlertIn>;
export type AlertOutT = z.output<typeof AlertOut>;
export type AlertRuleInT = z.output<typeof AlertRuleIn>;
export type AlertRulePatchT = z.output<typeof AlertRulePatch>;
export type AlertRuleT = z.output<typeof AlertRule>;
export type MetricInT = z.output<typeof MetricIn>;
export type MetricSummaryT = z.output<typeof MetricSummary>;
export type MetricSeriesT = z.output<typeof MetricSeries>;
export type MetricPointOutT = z.output<typeof MetricPointOut>;
export type DashboardSummaryT = z.output<typeof DashboardSummary>;
export type ModelsSummaryT = z.output<typeof ModelsSummary>;
