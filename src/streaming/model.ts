/**
 * The streaming vocabulary, written once: source types and health, alert statuses and severities,
 * rule types, operators, no-data policies, rule states and metric aggregations. The pure modules,
 * the zod schemas and the dashboard derive from these lists. Dependency-free and zod-free, so the
 * browser bundles it as is (web/vite.config.ts allows it).
 */

export const SOURCE_TYPES = ["kafka", "websocket", "http", "webhook"] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

export const SOURCE_HEALTH_STATUSES = ["healthy", "idle", "stale", "error"] as const;
export type SourceHealthStatus = (typeof SOURCE_HEALTH_STATUSES)[number];

/**
 * Fingerprints of the alerts a rule raises: `rule:<rule id>`. Reserved: an alert posted with one
 * would be taken for the rule's own and merge with what the rule raises (POST /alerts refuses it).
 */
export const RULE_FINGERPRINT_PREFIX = "rule:";

export const ALERT_STATUSES = ["open", "acknowledged", "resolved"] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** What a person can do to an alert, and the statuses each action is allowed from (alert-state.ts). */
export const ALERT_ACTIONS = ["acknowledge", "resolve"] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];
export const ALERT_TRANSITIONS: Readonly<Record<AlertAction, readonly AlertStatus[]>> = {
  acknowledge: ["open"],
  resolve: ["open", "acknowledged"],
};

/** Least to most severe: the order matters (a channel's `min_severity` compares by it). */
export const SEVERITIES = ["info", "warning", "error", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Whether `severity` is `min` or more severe, by the order above. */
export const atLeastSeverity = (severity: Severity, min: Severity): boolean =>
  SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(min);

export const OPERATORS = ["gt", "gte", "lt", "lte"] as const;
export type Operator = (typeof OPERATORS)[number];

export const RULE_TYPES = ["threshold", "anomaly"] as const;
export type RuleType = (typeof RULE_TYPES)[number];

export const NO_DATA_POLICIES = ["keep", "resolve", "alert"] as const;
export type NoDataPolicy = (typeof NO_DATA_POLICIES)[number];

/** Where a rule's evaluation stands (rules.ts draws the transitions). */
export const RULE_STATES = ["inactive", "pending", "firing"] as const;

/**
 * A metric name, as `POST /metrics` takes it. No `@` (which keeps `@models/…` free for the model
 * statistics below) and no `#` (service-tags.ts composes `<name>#<tag set>`). Not `.` or `..`:
 * a URL path cannot carry them as a segment (clients and the runtime normalize `/metrics/..` and
 * even `%2e%2e` away), so such a metric was stored but could never be read back.
 */
export const METRIC_NAME_PATTERN = /^(?!\.\.?$)[A-Za-z0-9_.:/-]{1,200}$/;
export const METRIC_NAME_RULE = "1-200 characters of [A-Za-z0-9_.:/-], not . or ..";

export const AGGREGATIONS = ["count", "sum", "avg", "min", "max", "p50", "p90", "p95", "p99"] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/**
 * The dashboard's events-per-minute series (`GET /dashboard?minutes=`): 30 points by default (the
 * WebSocket snapshot's), up to a day. `event_rate` keeps a day of 10 s buckets for exactly this
 * (store/retention.ts keeps it RATE_SERIES_MAX_MINUTES long).
 */
export const RATE_SERIES_DEFAULT_MINUTES = 30;
export const RATE_SERIES_MAX_MINUTES = 1440;

/**
 * Model monitoring (`GET /models`): every prediction feeds two rollup series per model and version,
 * its confidence and (when sent) its latency, kept like a metric's (10 s, 5 min, 1 h buckets with a
 * DDSketch each), so a window's summary reads buckets, never the raw predictions.
 */
export const MODEL_SERIES = ["confidence", "latency_ms"] as const;
export type ModelSeries = (typeof MODEL_SERIES)[number];
export const MODEL_WINDOW_DEFAULT_SECONDS = 3600;
/** The longest window: a week of hourly buckets per version. */
export const MODEL_WINDOW_MAX_SECONDS = 7 * 86_400;
/** Confidence quantiles given per version: a box plot (p25, p50, p75) and its whiskers (p10, p90). */
export const CONFIDENCE_QUANTILES = { p10: 0.1, p25: 0.25, p50: 0.5, p75: 0.75, p90: 0.9 } as const;
export const LATENCY_QUANTILES = { p50: 0.5, p95: 0.95, p99: 0.99 } as const;
/** Model names in one answer, the busiest first; the rest are counted in `models_omitted`. */
export const MODELS_MAX = 50;
/**
 * Model rollup rows one `GET /models` may read (each is parsed and its sketch merged: about 6 µs
 * measured, so about 0.1 s of the organization's object at most). The Models page asks again every
 * few seconds while predictions arrive, and an hour of 100 busy versions was 72,000 rows and 0.46 s;
 * such a window is read from coarser buckets instead (group-budget.ts `coarsestNeeded`).
 */
export const MODEL_ROLLUPS_MAX = 20_000;

/**
 * Alert rules over model statistics: a rule whose `metric_name` is one of these watches that series
 * of the model rollups instead of a metric (`@` cannot start a metric name, so none is shadowed).
 * Its `tags` may name `model` and `version` (a named version; without `version`, every version of
 * the model, or of every model without `model`, merged as one series).
 */
export const MODEL_RULE_METRICS = {
  "@models/confidence": "confidence",
  "@models/latency_ms": "latency_ms",
} as const satisfies Record<string, ModelSeries>;
export type ModelRuleMetric = keyof typeof MODEL_RULE_METRICS;
export const MODEL_RULE_TAGS = ["model", "version"] as const;
const MODEL_RULE_PREFIX = "@models/";

/** Whether a rule's metric name is in the model statistics' namespace (known or not: `@models/…`). */
export const isModelRuleMetric = (metricName: string): boolean => metricName.startsWith(MODEL_RULE_PREFIX);

export const modelRuleSeries = (metricName: string): ModelSeries | null =>
  Object.hasOwn(MODEL_RULE_METRICS, metricName) ? MODEL_RULE_METRICS[metricName as ModelRuleMetric] : null;

/**
 * The series a rule watches, Prometheus-style: `checkout.latency_ms`, or with its tag filter
 * `@models/latency_ms{model="churn",version="v2"}`, so an alert (and the rules list) says which model
 * or region it is about. Tags in key order, values JSON-quoted.
 */
export function ruleSeries(rule: { metric_name: string; tags?: Record<string, string> | null }): string {
  const tags = Object.entries(rule.tags ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return tags.length === 0
    ? rule.metric_name
    : `${rule.metric_name}{${tags.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(",")}}`;
}
