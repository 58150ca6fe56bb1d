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
 * treats silence as the condition holding. The caller computes the observed value (rollup
 * `windowValue`) and applies the actions: open an alert with fingerprint `rule:<id>` (through the
 * same dedup as POST /alerts) and store its id with `attachAlert`; resolve it with the note.
 */
import type { Severity } from "./alert-state";
import { anomalyHolds, DEFAULT_BASELINE_WINDOWS, DEFAULT_SENSITIVITY, minimumBaseline, robustZ } from "./anomaly";
import type { Aggregation } from "./rollup";

import type { NoDataPolicy, Operator, RuleType } from "./model";

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
  return `rule:${ruleId}`;
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
  return fingerprint?.startsWith("rule:") ? fingerprint.slice(5) : null;
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
  const observed = `${rule.aggregation}(${rule.metric_name}) = ${formatNumber(value)}`;
  if (z !== null) {
    const windows = rule.baseline_windows ?? DEFAULT_BASELINE_WINDOWS;
    return {
      title: `${rule.name}: ${observed}, anomaly z = ${formatNumber(z)}`,
      message: `Rule "${rule.name}": ${rule.aggregation} of ${rule.metric_name} over the last ${rule.window_seconds} s is ${formatNumber(value)}, a robust z-score of ${formatNumber(z)} against the previous ${windows} windows (sensitivity ${formatNumber(rule.sensitivity ?? DEFAULT_SENSITIVITY)})${held}.`,
    };
  }
  const op = rule.operator ?? "gt";
  const threshold = formatNumber(rule.threshold ?? 0);
  return {
    title: `${rule.name}: ${observed} ${SYMBOL[op]} ${threshold}`,
    message: `Rule "${rule.name}": ${rule.aggregation} of ${rule.metric_name} over the last ${rule.window_seconds} s is ${formatNumber(value)}, ${SYMBOL[op]} threshold ${threshold}${held}.`,
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
    const noData = `no data: no ${rule.metric_name} points in the last ${rule.window_seconds} s`;
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
