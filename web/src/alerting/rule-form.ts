/**
 * The alert-rule form: its text fields to the `POST /alert-rules` body (and back, to edit), a
 * sentence describing the condition, and the window the live preview draws. Pure.
 */
import {
  type Aggregation,
  isModelRuleMetric,
  NO_DATA_POLICIES,
  type NoDataPolicy,
  OPERATORS,
  type Operator,
  RULE_TYPES,
  type RuleType,
  ruleSeries,
  type Severity,
} from "../../../src/streaming/model";

export interface RuleForm {
  name: string;
  type: RuleType;
  metric_name: string;
  /** For a model statistic (`@models/…`): the model and version it watches; "" is every one. */
  model: string;
  version: string;
  /** For any other metric: its tag filter as typed, `region=eu, env=prod`; "" is every point. */
  tag_filter: string;
  aggregation: Aggregation;
  window_seconds: string;
  operator: Operator;
  threshold: string;
  severity: Severity;
  for_seconds: string;
  no_data: NoDataPolicy;
  sensitivity: string;
  baseline_windows: string;
}

export const newRuleForm = (metric = ""): RuleForm => ({
  name: "",
  type: RULE_TYPES[0],
  metric_name: metric,
  model: "",
  version: "",
  tag_filter: "",
  aggregation: "avg",
  window_seconds: "60",
  operator: OPERATORS[0],
  threshold: "",
  severity: "warning",
  for_seconds: "0",
  no_data: NO_DATA_POLICIES[0],
  sensitivity: "3",
  baseline_windows: "30",
});

export interface RuleBody {
  name: string;
  type: RuleType;
  metric_name: string;
  /** A model statistic's model and version, or a metric's tag filter; absent for no filter. */
  tags?: Record<string, string>;
  aggregation: Aggregation;
  window_seconds: number;
  operator?: Operator;
  threshold?: number;
  severity: Severity;
  for_seconds: number;
  no_data: NoDataPolicy;
  sensitivity?: number;
  baseline_windows?: number;
}

/** A rule as the API returns it (the fields the form edits). */
export interface RuleLike {
  name: string;
  type: RuleType;
  metric_name: string;
  tags?: Record<string, string> | null;
  aggregation: Aggregation;
  window_seconds: number;
  operator: Operator | null;
  threshold: number | null;
  severity: Severity;
  for_seconds: number;
  no_data: NoDataPolicy;
  sensitivity: number | null;
  baseline_windows: number | null;
}

export function ruleToForm(r: RuleLike): RuleForm {
  const base = newRuleForm(r.metric_name);
  return {
    ...base,
    name: r.name,
    type: r.type,
    ...(isModelRuleMetric(r.metric_name)
      ? { model: r.tags?.model ?? "", version: r.tags?.version ?? "" }
      : { tag_filter: formatTagFilter(r.tags) }),
    aggregation: r.aggregation,
    window_seconds: String(r.window_seconds),
    operator: r.operator ?? base.operator,
    threshold: r.threshold === null ? "" : String(r.threshold),
    severity: r.severity,
    for_seconds: String(r.for_seconds),
    no_data: r.no_data,
    sensitivity: r.sensitivity === null ? base.sensitivity : String(r.sensitivity),
    baseline_windows: r.baseline_windows === null ? base.baseline_windows : String(r.baseline_windows),
  };
}

/** A number typed by a person: "", "abc" and "1e999" are not numbers. */
export function parseNumber(text: string): number | null {
  const t = text.trim();
  if (t === "") return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/**
 * The request body, or the fields a person must fix first (keyed by the API's field paths, so the
 * server's own validation errors land on the same fields). Range checks stay the server's.
 */
export function formToBody(f: RuleForm): { body: RuleBody } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const num = (key: keyof RuleForm & string, required: boolean): number | undefined => {
    const raw = String(f[key]);
    const n = parseNumber(raw);
    if (n === null) {
      if (required || raw.trim() !== "") errors[key] = "Enter a number.";
      return undefined;
    }
    return n;
  };
  if (!f.name.trim()) errors.name = "Give the rule a name.";
  if (!f.metric_name.trim()) errors.metric_name = "Pick the metric to watch.";
  const window_seconds = num("window_seconds", true);
  const for_seconds = num("for_seconds", false) ?? 0;
  const body: RuleBody = {
    name: f.name.trim(),
    type: f.type,
    metric_name: f.metric_name.trim(),
    aggregation: f.aggregation,
    window_seconds: window_seconds ?? 0,
    severity: f.severity,
    for_seconds,
    no_data: f.no_data,
  };
  // A model statistic: the form asks for model and version, sent as the rule's tags.
  if (isModelRuleMetric(body.metric_name)) {
    body.tags = {
      ...(f.model.trim() ? { model: f.model.trim() } : {}),
      ...(f.version.trim() ? { version: f.version.trim() } : {}),
    };
  } else {
    const filter = parseTagFilter(f.tag_filter);
    if ("error" in filter) errors.tags = filter.error;
    else if (Object.keys(filter.tags).length > 0) body.tags = filter.tags;
  }
  if (f.type === "threshold") {
    body.operator = f.operator;
    const threshold = num("threshold", true);
    if (threshold !== undefined) body.threshold = threshold;
  } else {
    const sensitivity = num("sensitivity", false);
    const baseline = num("baseline_windows", false);
    if (sensitivity !== undefined) body.sensitivity = sensitivity;
    if (baseline !== undefined) body.baseline_windows = baseline;
    // On anomaly rules the operator only restricts the side: gt/lt, or none for both sides.
    if (f.operator === "gt" || f.operator === "lt") body.operator = f.operator;
  }
  return Object.keys(errors).length ? { errors } : { body };
}

/**
 * The `PATCH /alert-rules/:id` body for an edit: every field the form holds. An anomaly rule that
 * watches both sides says so with `operator: null`, or a one-sided operator would survive; a blank
 * tag filter says `tags: null`, or the stored filter would (and a rule moved from a model statistic
 * to a metric would go on filtering by a model the metric does not have).
 */
export function bodyToPatch(
  body: RuleBody,
): Omit<RuleBody, "operator" | "tags"> & { operator: Operator | null; tags: Record<string, string> | null } {
  return { ...body, operator: body.operator ?? null, tags: body.tags ?? null };
}

/** The API's bound on a rule's tag filter (src/streaming/schemas.ts). */
const MAX_FILTER_TAGS = 20;

/**
 * `region=eu, env=prod` → `{ region: "eu", env: "prod" }`. Blank is no filter. A value cannot hold a
 * comma here (the API takes any value); a key is needed before each `=`, once.
 */
export function parseTagFilter(text: string): { tags: Record<string, string> } | { error: string } {
  const tags: Record<string, string> = {};
  const parts = text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  for (const part of parts) {
    const eq = part.indexOf("=");
    const key = part.slice(0, eq).trim();
    if (eq < 0 || !key) return { error: `Write each tag as key=value: "${part}" has no ${eq < 0 ? '"="' : "key"}.` };
    if (Object.hasOwn(tags, key)) return { error: `The tag "${key}" is given twice.` };
    tags[key] = part.slice(eq + 1).trim();
  }
  if (parts.length > MAX_FILTER_TAGS) return { error: `At most ${MAX_FILTER_TAGS} tags.` };
  return { tags };
}

/** The stored filter as the form shows it, keys in order. */
export const formatTagFilter = (tags: Record<string, string> | null | undefined): string =>
  Object.entries(tags ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");

const SYMBOL: Record<Operator, string> = { gt: ">", gte: "≥", lt: "<", lte: "≤" };

/** "avg of checkout.latency_ms over 1 min > 500, for 30 s" — the rule as a person reads it. */
export function describeRule(r: RuleLike): string {
  const what = `${r.aggregation} of ${ruleSeries(r)} over ${fmtSeconds(r.window_seconds)}`;
  const cond =
    r.type === "threshold"
      ? `${what} ${SYMBOL[r.operator ?? "gt"]} ${r.threshold ?? "?"}`
      : `${what} is an outlier (|z| ≥ ${r.sensitivity ?? 3} vs the previous ${r.baseline_windows ?? 30} windows${
          r.operator === "gt" ? ", above only" : r.operator === "lt" ? ", below only" : ""
        })`;
  return r.for_seconds > 0 ? `${cond}, for ${fmtSeconds(r.for_seconds)}` : cond;
}

export function fmtSeconds(s: number): string {
  if (s % 86_400 === 0 && s >= 86_400) return `${s / 86_400} d`;
  if (s % 3600 === 0 && s >= 3600) return `${s / 3600} h`;
  if (s % 60 === 0 && s >= 60) return `${s / 60} min`;
  return `${s} s`;
}

/** Points the preview shows; enough to see the threshold against recent behaviour. */
const PREVIEW_POINTS = 30;
const MIN_PREVIEW_S = 15 * 60;
const MAX_PREVIEW_S = 7 * 86_400;
const MIN_STEP_S = 10;

/**
 * The preview's query: one point per rule window (the value the rule compares), over the last 30
 * windows, at least 15 minutes and at most 7 days, filtered by the rule's tags (`tag.<key>`). Null
 * until the window is a usable number and the tag filter reads.
 */
export function previewQuery(
  windowText: string,
  aggregation: Aggregation,
  tagFilter = "",
): ({ window: string; step: string; aggregation: Aggregation } & Record<string, string>) | null {
  const w = parseNumber(windowText);
  const filter = parseTagFilter(tagFilter);
  if (w === null || w < MIN_STEP_S || "error" in filter) return null;
  const step = Math.max(MIN_STEP_S, Math.round(w));
  const window = Math.min(MAX_PREVIEW_S, Math.max(MIN_PREVIEW_S, step * PREVIEW_POINTS));
  const tags = Object.fromEntries(Object.entries(filter.tags).map(([k, v]) => [`tag.${k}`, v]));
  return { ...tags, window: String(window), step: String(step), aggregation };
}

/**
 * The preview's read: at the rule's step, or, when a filter over many tag sets makes that more than
 * one read may fold (a 422, src/streaming/group-budget.ts), without the step: the server then picks
 * the finest step that fits, and the chart says which (`step_seconds`).
 */
export function readPreview<T>(
  get: (query: Record<string, string>) => Promise<T>,
  query: Record<string, string>,
): Promise<T> {
  return get(query).catch((err: unknown) => {
    if ((err as { status?: unknown } | null)?.status !== 422) throw err;
    const { step: _, ...coarser } = query;
    return get(coarser);
  });
}
