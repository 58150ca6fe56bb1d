/**
 * Alert rules, Prometheus-like. Evaluation is a pure step function over a JSON-serializable state
 * (stored in SQLite next to the rule), so a hibernated or restarted object resumes exactly:
 *
 *   inactive ──cond──▶ pending(since) ──cond held for_seconds──▶ firing(since) ──¬cond──▶ inactive
 *      ▲                    │ ¬cond                                                  (resolve_alert)
 *      └────────────────────┘                   for_seconds = 0: inactive ──cond──▶ firing (open_alert)
 *
 * `cond` is a threshold (`operator threshold`) or, for anomaly rules, a robust z-score of the
 * window against the previous windows (anomaly.ts). When the window has no data, `no_data` decides:
 * `keep` leaves the state as it is (a dead service keeps its alert), `resolve` resolves, `alert`
 * treats silence as the condition holding. The caller computes the observed value (rule-windows.ts
 * `valuesByWindow`) and applies the actions: open an alert with fingerprint `rule:<id>` (through the
 * same dedup as POST /alerts) and store its id with `attachAlert`; resolve it with the note.
 */
import type { Severity } from "./alert-state";
import { anomalyHolds, DEFAULT_BASELINE_WINDOWS, DEFAULT_SENSITIVITY, minimumBaseline, robustZ } from "./anomaly";
import type { Aggregation } from "./rollup";

import { type NoDataPolicy, type Operator, RULE_FINGERPRINT_PREFIX, type RuleType, ruleSeries } from "./model";

export type { Operator, RuleType } from "./model";

export interface AlertRule {
  id: string;
  name: string;
  metric_name: string;
  aggregation: Aggregation;
  window_seconds: number;
  /** Threshold rules: always set. Anomaly rules: null scores both sides, gt/lt only one. */
  operator: Operator | null;
  /** Null for anomaly rules. */
  threshold: number | null;
  severity: Severity;
  /** How long the condition must hold before firing; 0 fires on the first evaluation that holds. */
  for_seconds: number;
  /** Defaults: threshold, keep, no tag filter, sensitivity 3, 30 baseline windows. */
  type?: RuleType;
  no_data?: NoDataPolicy;
  /** Only points carrying all these tags count (null or absent: every point). */
  tags?: Record<string, string> | null;
  sensitivity?: number;
  baseline_windows?: number;
}

export type RuleState =
  | { status: "inactive" }
  | { status: "pending"; since: number }
  | { status: "firing"; since: number; alert_id?: string };

export type RuleAction =
  | {
      type: "open_alert";
      rule_id: string;
      fingerprint: string;
      severity: Severity;
      title: string;
      message: string;
      /** Null when the alert is about missing data (`no_data: alert`). */
      value: number | null;
    }
  | {
      type: "resolve_alert";
      rule_id: string;
      fingerprint: string;
      /** Known when `attachAlert` was called; otherwise find the unresolved alert by fingerprint. */
      alert_id?: string;
      note: string;
    };

export interface Evaluation {
  state: RuleState;
  actions: RuleAction[];
}

export const INACTIVE: RuleState = { status: "inactive" };

const SYMBOL: Record<Operator, string> = { gt: ">", gte: "≥", lt: "<", lte: "≤" };
const NEGATED: Record<Operator, string> = { gt: "≤", gte: "<", lt: "≥", lte: ">" };

function ruleFingerprint(ruleId: string): string {
  return `${RULE_FINGERPRINT_PREFIX}${ruleId}`;
}

/**
 * An anomaly must persist one more window before it fires unless the rule says otherwise: a robust
 * z-score over 30 windows has heavier tails than the normal (the median and MAD are themselves
 * estimates), so pure Gaussian noise crosses |z| ≥ 4 about 20 times in 10,000 windows, while two
 * windows in a row almost never do (test/unit/streaming-anomaly.test.ts measures both).
 */
export function defaultForSeconds(type: RuleType, windowSeconds: number): number {
  return type === "anomaly" ? windowSeconds : 0;
}

/** The rule behind an alert, from its fingerprint (null for alerts raised by POST /alerts). */
export function ruleIdOf(fingerprint: string | null): string | null {
  return fingerprint?.startsWith(RULE_FINGERPRINT_PREFIX) ? fingerprint.slice(RULE_FINGERPRINT_PREFIX.length) : null;
}

export function conditionHolds(operator: Operator, value: number, threshold: number): boolean {
  switch (operator) {
    case "gt":
      return value > threshold;
    case "gte":
      return value >= threshold;
    case "lt":
      return value < threshold;
    case "lte":
      return value <= threshold;
  }
}

/** Enough digits to read, never float noise like 0.30000000000000004. */
export function formatNumber(value: number): string {
  return String(Number(value.toPrecision(6)));
}

function describe(rule: AlertRule, value: number, z: number | null): { title: string; message: string } {
  const held = rule.for_seconds > 0 ? ` for at least ${rule.for_seconds} s` : "";
  const series = ruleSeries(rule);
  const observed = `${rule.aggregation}(${series}) = ${formatNumber(value)}`;
  if (z !== null) {
    const windows = rule.baseline_windows ?? DEFAULT_BASELINE_WINDOWS;
    return {
      title: `${rule.name}: ${observed}, anomaly z = ${formatNumber(z)}`,
      message: `Rule "${rule.name}": ${rule.aggregation} of ${series} over the last ${rule.window_seconds} s is ${formatNumber(value)}, a robust z-score of ${formatNumber(z)} against the previous ${windows} windows (sensitivity ${formatNumber(rule.sensitivity ?? DEFAULT_SENSITIVITY)})${held}.`,
    };
  }
  const op = rule.operator ?? "gt";
  const threshold = formatNumber(rule.threshold ?? 0);
  return {
    title: `${rule.name}: ${observed} ${SYMBOL[op]} ${threshold}`,
    message: `Rule "${rule.name}": ${rule.aggregation} of ${series} over the last ${rule.window_seconds} s is ${formatNumber(value)}, ${SYMBOL[op]} threshold ${threshold}${held}.`,
  };
}

function openAction(rule: AlertRule, text: { title: string; message: string }, value: number | null): RuleAction {
  return {
    type: "open_alert",
    rule_id: rule.id,
    fingerprint: ruleFingerprint(rule.id),
    severity: rule.severity,
    title: text.title,
    message: text.message,
    value,
  };
}

function resolveAction(rule: AlertRule, state: RuleState, note: string): RuleAction {
  const alertId = state.status === "firing" ? state.alert_id : undefined;
  return {
    type: "resolve_alert",
    rule_id: rule.id,
    fingerprint: ruleFingerprint(rule.id),
    ...(alertId === undefined ? {} : { alert_id: alertId }),
    note,
  };
}

/** Whether the condition holds for an observed value, and the z-score for anomaly rules. */
function check(
  rule: AlertRule,
  observed: number,
  baseline: readonly number[],
): { holds: boolean; z: number | null; note: string } {
  if (rule.type === "anomaly") {
    const windows = rule.baseline_windows ?? DEFAULT_BASELINE_WINDOWS;
    if (baseline.length < minimumBaseline(windows)) {
      return { holds: false, z: null, note: `baseline too short: ${baseline.length} of ${windows} windows have data` };
    }
    const z = robustZ(observed, baseline) ?? 0;
    const sensitivity = rule.sensitivity ?? DEFAULT_SENSITIVITY;
    return {
      holds: anomalyHolds(z, sensitivity, rule.operator),
      z,
      note: `back to normal: z = ${formatNumber(z)}, sensitivity ${formatNumber(sensitivity)}`,
    };
  }
  const op = rule.operator ?? "gt";
  const threshold = rule.threshold ?? 0;
  return {
    holds: conditionHolds(op, observed, threshold),
    z: null,
    note: `condition cleared: ${rule.aggregation} = ${formatNumber(observed)} ${NEGATED[op]} ${formatNumber(threshold)}`,
  };
}

/** Steps a rule whose condition holds now: pending until for_seconds have passed, then firing. */
function holding(rule: AlertRule, state: RuleState, now: number, open: () => RuleAction): Evaluation {
  switch (state.status) {
    case "firing":
      return { state, actions: [] };
    case "pending":
      // A `since` ahead of `now` (clock skew) counts as just started, never as elapsed.
      if (now - state.since >= rule.for_seconds * 1000) {
        return { state: { status: "firing", since: now }, actions: [open()] };
      }
      return { state, actions: [] };
    case "inactive":
      if (rule.for_seconds <= 0) return { state: { status: "firing", since: now }, actions: [open()] };
      return { state: { status: "pending", since: now }, actions: [] };
  }
}

/**
 * One evaluation at `now`. `observed` is the rule's aggregation over its window, or null when the
 * window has no data (count and sum are 0, not null, on an empty window — see rollup `aggregate`).
 * `baseline` (anomaly rules) holds the values of the previous windows that have data.
 */
export function evaluateRule(
  rule: AlertRule,
  state: RuleState,
  observed: number | null,
  now: number,
  baseline: readonly number[] = [],
): Evaluation {
  if (observed === null || !Number.isFinite(observed)) {
    const noData = `no data: no ${ruleSeries(rule)} points in the last ${rule.window_seconds} s`;
    switch (rule.no_data ?? "keep") {
      case "keep":
        return { state, actions: [] };
      case "resolve":
        return {
          state: INACTIVE,
          actions: state.status === "firing" ? [resolveAction(rule, state, noData)] : [],
        };
      case "alert":
        return holding(rule, state, now, () =>
          openAction(
            rule,
            {
              title: `${rule.name}: no data`,
              message: `Rule "${rule.name}": ${noData}${rule.for_seconds > 0 ? ` for at least ${rule.for_seconds} s` : ""}.`,
            },
            null,
          ),
        );
    }
  }
  const result = check(rule, observed, baseline);
  if (!result.holds) {
    if (state.status === "firing") return { state: INACTIVE, actions: [resolveAction(rule, state, result.note)] };
    return { state: INACTIVE, actions: [] };
  }
  return holding(rule, state, now, () => openAction(rule, describe(rule, observed, result.z), observed));
}

/** After the caller opened (or deduplicated into) the alert for an open_alert action. */
export function attachAlert(state: RuleState, alertId: string): RuleState {
  return state.status === "firing" ? { ...state, alert_id: alertId } : state;
}

/** What decides whether the condition holds; name and severity only label what the rule raises. */
const CONDITION_FIELDS = [
  "type",
  "metric_name",
  "aggregation",
  "window_seconds",
  "operator",
  "threshold",
  "for_seconds",
  "no_data",
  "tags",
  "sensitivity",
  "baseline_windows",
] as const satisfies readonly (keyof AlertRule)[];

/** The rule with every default spelled out, so that absent and default compare equal. */
function normalized(rule: AlertRule): Record<(typeof CONDITION_FIELDS)[number], unknown> {
  const anomaly = rule.type === "anomaly";
  const tags = rule.tags ?? {};
  return {
    type: rule.type ?? "threshold",
    metric_name: rule.metric_name,
    aggregation: rule.aggregation,
    window_seconds: rule.window_seconds,
    operator: rule.operator ?? null,
    threshold: anomaly ? null : rule.threshold,
    for_seconds: rule.for_seconds,
    no_data: rule.no_data ?? "keep",
    tags: JSON.stringify(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    sensitivity: anomaly ? (rule.sensitivity ?? DEFAULT_SENSITIVITY) : null,
    baseline_windows: anomaly ? (rule.baseline_windows ?? DEFAULT_BASELINE_WINDOWS) : null,
  };
}

export function conditionChanged(before: AlertRule, after: AlertRule): boolean {
  const a = normalized(before);
  const b = normalized(after);
  return CONDITION_FIELDS.some((k) => a[k] !== b[k]);
}

/** What an edit does to a rule's state, and to its open alert. */
export interface Revision {
  state: RuleState;
  actions: RuleAction[];
}

/**
 * The state an edited rule continues from (PATCH /alert-rules/:id); the caller carries out the
 * actions, then evaluates the rule right after, as on create.
 * - A new name changes nothing: an open alert keeps the title it was raised with (a title is what
 *   was said at the time); the next alert uses the new name.
 * - A new condition restarts a pending wait: `for_seconds` must pass under the condition as it now
 *   reads. A firing rule stays firing with its alert, so the evaluation that follows resolves that
 *   alert with the usual clearing note when the new condition does not hold, and keeps it open when
 *   it still does (an edit never orphans an alert, nor closes and reopens one that still holds).
 * - A new severity on a firing rule resolves its alert, with a note naming the change, and leaves
 *   the rule pending since the condition began to hold, so the evaluation that follows opens a new
 *   alert at the new severity at once while the condition (old or new) holds. Severity is part of
 *   what an alert is: channels (`min_severity`) and silences select on it. Keeping the old alert
 *   and changing its severity would never tell a critical-only channel of an escalation, and would
 *   leave a silence that matched the old severity hiding the new one.
 */
export function reviseRule(before: AlertRule, after: AlertRule, state: RuleState): Revision {
  if (state.status === "pending") return { state: conditionChanged(before, after) ? INACTIVE : state, actions: [] };
  if (state.status === "firing" && before.severity !== after.severity) {
    return {
      // Pending for exactly for_seconds: `holding` fires on the next evaluation that holds.
      state: { status: "pending", since: state.since - after.for_seconds * 1000 },
      actions: [resolveAction(after, state, `rule edited: severity ${before.severity} → ${after.severity}`)],
    };
  }
  return { state, actions: [] };
}

/** The rule as a create request would write it (omitted: unset), the base a patch is merged over. */
function asInput(rule: AlertRule): Record<string, unknown> {
  const anomaly = rule.type === "anomaly";
  const input: Record<string, unknown> = {
    name: rule.name,
    type: rule.type ?? "threshold",
    metric_name: rule.metric_name,
    aggregation: rule.aggregation,
    window_seconds: rule.window_seconds,
    severity: rule.severity,
    for_seconds: rule.for_seconds,
    no_data: rule.no_data ?? "keep",
  };
  if (rule.operator !== null) input.operator = rule.operator;
  if (!anomaly && rule.threshold !== null) input.threshold = rule.threshold;
  if (rule.tags != null && Object.keys(rule.tags).length > 0) input.tags = rule.tags;
  if (anomaly) {
    input.sensitivity = rule.sensitivity ?? DEFAULT_SENSITIVITY;
    input.baseline_windows = rule.baseline_windows ?? DEFAULT_BASELINE_WINDOWS;
  }
  return input;
}

/** Fields that belong to one rule type only; a patch that changes `type` drops the old type's. */
const ONLY_FOR: Record<RuleType, readonly string[]> = {
  threshold: ["threshold"],
  anomaly: ["sensitivity", "baseline_windows"],
};

/**
 * A patch merged over the stored rule, shaped as a create request for the caller to validate
 * (schemas.ts AlertRuleIn). A `null` in the patch unsets the field; `undefined` leaves it.
 */
export function patchedRuleInput(rule: AlertRule, patch: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const merged = asInput(rule);
  const from = (rule.type ?? "threshold") as RuleType;
  const to = (patch.type ?? from) as RuleType;
  if (to !== from) for (const key of ONLY_FOR[from]) delete merged[key];
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/** When a rule is deleted: resolve its alert if it was firing. */
export function retireRule(rule: AlertRule, state: RuleState): RuleAction[] {
  return state.status === "firing" ? [resolveAction(rule, state, "rule deleted")] : [];
}

/** Stored state back from SQLite; anything unrecognized restarts the rule as inactive. */
export function parseRuleState(input: unknown): RuleState {
  const json: unknown = typeof input === "string" ? safeParse(input) : input;
  if (typeof json !== "object" || json === null) return INACTIVE;
  const { status, since, alert_id } = json as Record<string, unknown>;
  if (status === "pending" && typeof since === "number") return { status, since };
  if (status === "firing" && typeof since === "number") {
    return typeof alert_id === "string" ? { status, since, alert_id } : { status, since };
  }
  return INACTIVE;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
