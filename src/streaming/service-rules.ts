/**
 * Rules (rules.ts) applied to the store: compute the observed window value from rollups, step the
 * pure state machine, carry out its actions through the same alert dedup as POST /alerts, and
 * persist the new state. Called on each metric batch (rules of those metrics) and on the alarm
 * (every rule), so a rule also clears when its data stops arriving.
 */
import { type Alert, openOrDedupe, resolve } from "./alert-state";
import { planQuery, windowValue } from "./rollup";
import { attachAlert, evaluateRule, retireRule, type RuleAction, type RuleState } from "./rules";
import type { AlertRuleInT, AlertRuleT } from "./schemas";
import { fail, inTransaction, type OrgContext, ok, type Result } from "./service-types";
import { presentAlert, presentAll, presentRule, presentRules } from "./present";
import { findUnresolved, getAlert, saveAlert } from "./store/alerts";
import { rollupsInRange } from "./store/metrics";
import { createRule, deleteRule, getRule, listRules, type StoredRule, saveRuleState } from "./store/rules";

const DAY_MS = 86_400_000;

function observe(ctx: OrgContext, { rule }: StoredRule): number | null {
  const metricRetentionMs = ctx.retention.metricDays * DAY_MS;
  const options = {
    windowSeconds: rule.window_seconds,
    aggregation: rule.aggregation,
    now: ctx.now,
    metricRetentionMs,
  };
  const plan = planQuery({ ...options, stepSeconds: rule.window_seconds });
  return windowValue(rollupsInRange(ctx.sql, rule.metric_name, plan.resolution_ms, plan.from, plan.to), options);
}

/**
 * Rules run inside metric ingestion: an alert that cannot be presented (an old row it deduplicated
 * into) is skipped with a warning rather than failing the batch that triggered it.
 */
function publishAlert(ctx: OrgContext, alert: Alert, type: "alert" | "alert_updated"): void {
  for (const data of presentAll([alert], presentAlert, "alerts", (a) => a.id)) ctx.publish({ type, data });
}

/** Carries out one action; returns the state to store (with the alert id attached on open). */
function apply(ctx: OrgContext, stored: StoredRule, state: RuleState, action: RuleAction): RuleState {
  const by = `rule:${stored.rule.id}`;
  if (action.type === "open_alert") {
    const existing = findUnresolved(ctx.sql, action.fingerprint);
    const input = {
      severity: action.severity,
      title: action.title,
      message: action.message,
      fingerprint: action.fingerprint,
    };
    const { alert, created } = openOrDedupe(existing, input, crypto.randomUUID(), ctx.now);
    saveAlert(ctx.sql, alert);
    publishAlert(ctx, alert, created ? "alert" : "alert_updated");
    return attachAlert(state, alert.id);
  }
  const alert =
    (action.alert_id === undefined ? null : getAlert(ctx.sql, action.alert_id)) ??
    findUnresolved(ctx.sql, action.fingerprint);
  // Someone may have resolved it by hand already: nothing left to do.
  if (alert === null || alert.status === "resolved") return state;
  const result = resolve(alert, by, action.note, ctx.now);
  if (result.ok) {
    saveAlert(ctx.sql, result.alert);
    publishAlert(ctx, result.alert, "alert_updated");
  }
  return state;
}

/** Evaluates the given rules at ctx.now. Run inside the caller's `inTransaction`, which holds its publications until commit. */
export function evaluateRules(ctx: OrgContext, rules: readonly StoredRule[]): void {
  for (const stored of rules) {
    const { state, actions } = evaluateRule(stored.rule, stored.state, observe(ctx, stored), ctx.now);
    let next = state;
    for (const action of actions) next = apply(ctx, stored, next, action);
    if (JSON.stringify(next) !== JSON.stringify(stored.state)) saveRuleState(ctx.sql, stored.rule.id, next);
  }
}

export function createAlertRule(ctx: OrgContext, input: AlertRuleInT): AlertRuleT {
  return inTransaction(ctx, (tx) => {
    const stored = createRule(tx.sql, input, tx.now);
    // Evaluate at once: a rule over data already present should not wait for the next alarm.
    evaluateRules(tx, [stored]);
    return presentRule(getRule(tx.sql, stored.rule.id) as StoredRule);
  });
}

export function listAlertRules(ctx: OrgContext): AlertRuleT[] {
  return presentRules(listRules(ctx.sql));
}

/** Deleting a firing rule resolves its alert with a note, like any cleared condition. */
export function deleteAlertRule(ctx: OrgContext, id: string): Result<null> {
  return inTransaction(ctx, (tx) => {
    const stored = getRule(tx.sql, id);
    if (stored === null) return fail("not-found", "alert rule not found");
    for (const action of retireRule(stored.rule, stored.state)) apply(tx, stored, stored.state, action);
    deleteRule(tx.sql, id);
    return ok(null);
  });
}
