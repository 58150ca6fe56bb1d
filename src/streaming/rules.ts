/**
 * Prometheus-like threshold rules. Evaluation is a pure step function over a JSON-serializable
 * state (stored in SQLite next to the rule), so a hibernated or restarted object resumes exactly:
 *
 *   inactive ──cond──▶ pending(since) ──cond held for_seconds──▶ firing(since) ──¬cond / no data──▶ inactive
 *      ▲                    │ ¬cond / no data                                       (resolve_alert)
 *      └────────────────────┘                   for_seconds = 0: inactive ──cond──▶ firing (open_alert)
 *
 * The caller computes the observed value (rollup `windowValue` over window_seconds) and applies the
 * actions: open an alert with fingerprint `rule:<id>` (through the same dedup as POST /alerts) and
 * store its id with `attachAlert`; resolve the unresolved alert with that fingerprint with the note.
 */
import type { Severity } from "./alert-state";
import type { Aggregation } from "./rollup";

export const OPERATORS = ["gt", "gte", "lt", "lte"] as const;
export type Operator = (typeof OPERATORS)[number];

export interface AlertRule {
  id: string;
  name: string;
  metric_name: string;
  aggregation: Aggregation;
  window_seconds: number;
  operator: Operator;
  threshold: number;
  severity: Severity;
  /** How long the condition must hold before firing; 0 fires on the first evaluation that holds. */
  for_seconds: number;
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
      value: number;
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

export function ruleFingerprint(ruleId: string): string {
  return `rule:${ruleId}`;
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

function openAction(rule: AlertRule, value: number): RuleAction {
  const shown = `${rule.aggregation}(${rule.metric_name}) = ${formatNumber(value)} ${SYMBOL[rule.operator]} ${formatNumber(rule.threshold)}`;
  const held = rule.for_seconds > 0 ? ` for at least ${rule.for_seconds} s` : "";
  return {
    type: "open_alert",
    rule_id: rule.id,
    fingerprint: ruleFingerprint(rule.id),
    severity: rule.severity,
    title: `${rule.name}: ${shown}`,
    message: `Rule "${rule.name}": ${rule.aggregation} of ${rule.metric_name} over the last ${rule.window_seconds} s is ${formatNumber(value)}, ${SYMBOL[rule.operator]} threshold ${formatNumber(rule.threshold)}${held}.`,
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

/**
 * One evaluation at `now`. `observed` is the rule's aggregation over its window, or null when the
 * window has no data (count and sum are 0, not null, on an empty window — see rollup `aggregate`).
 * A state whose clock is ahead of `now` (clock skew) is treated as just started, never as elapsed.
 */
export function evaluateRule(rule: AlertRule, state: RuleState, observed: number | null, now: number): Evaluation {
  if (observed === null || !Number.isFinite(observed)) {
    if (state.status === "firing") {
      return {
        state: INACTIVE,
        actions: [
          resolveAction(rule, state, `no data: no ${rule.metric_name} points in the last ${rule.window_seconds} s`),
        ],
      };
    }
    return { state: INACTIVE, actions: [] };
  }
  if (!conditionHolds(rule.operator, observed, rule.threshold)) {
    if (state.status === "firing") {
      const note = `condition cleared: ${rule.aggregation} = ${formatNumber(observed)} ${NEGATED[rule.operator]} ${formatNumber(rule.threshold)}`;
      return { state: INACTIVE, actions: [resolveAction(rule, state, note)] };
    }
    return { state: INACTIVE, actions: [] };
  }
  switch (state.status) {
    case "firing":
      return { state, actions: [] };
    case "pending":
      if (now - state.since >= rule.for_seconds * 1000) {
        return { state: { status: "firing", since: now }, actions: [openAction(rule, observed)] };
      }
      return { state, actions: [] };
    case "inactive":
      if (rule.for_seconds <= 0)
        return { state: { status: "firing", since: now }, actions: [openAction(rule, observed)] };
      return { state: { status: "pending", since: now }, actions: [] };
  }
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
