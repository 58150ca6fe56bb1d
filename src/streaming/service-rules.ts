/**
 * Rules (rules.ts) applied to the store: compute the observed window value from rollups, step the
 * pure state machine, carry out its actions through the same alert dedup as POST /alerts, and
 * persist the new state. Called on each metric batch (rules of those metrics) and on the alarm
 * (every rule), so a rule also clears when its data stops arriving.
 */
import { openOrDedupe, resolve } from "./alert-state";
import { DEFAULT_BASELINE_WINDOWS } from "./anomaly";
import { mergedKey } from "./baseline-cache";
import { mergedBuckets } from "./merged-buckets";
import { aggregate, type BucketRun, needsSketch, oldestKept, planQuery } from "./rollup";
import { keptValues, runsByWindow, valuesByWindow, type WindowBucket, windowEdges, windowRuns } from "./rule-windows";
import { fieldErrors } from "../http/validation";
import { modelRuleSeries, RULE_FINGERPRINT_PREFIX } from "./model";
import { parseModelRollupName } from "./models";
import {
  type AlertRule,
  attachAlert,
  evaluateRule,
  patchedRuleInput,
  retireRule,
  reviseRule,
  type RuleAction,
  type RuleState,
} from "./rules";
import { AlertRuleIn, type AlertRuleInT, type AlertRulePatchT, type AlertRuleT } from "./schemas";
import { fail, inTransaction, type OrgContext, ok, pageOrBadCursor, type Result } from "./service-types";
import { presentPage, presentRule, presentRules } from "./present";
import type { Page, PageFilter } from "./store/sql";
import { commitAlertChange, occurrenceChange } from "./service-alert-change";
import { findUnresolved, getAlert } from "./store/alerts";
import { metricBucketsIn, modelRollupsInRange } from "./store/metrics";
import { listTagSets, runRange, taggedBucketsIn, taggedTotalsIn } from "./store/tags";
import { hasTags, matchesFilter, type Tags } from "./tags";
import {
  createRule,
  deleteRule,
  getRule,
  rulePage,
  type StoredRule,
  saveRuleState,
  updateRuleDefinition,
} from "./store/rules";
import { metricRetentionMs } from "./store/retention";

/** The tag sets of the metric that the filter selects. */
function selectedTagSets(ctx: OrgContext, name: string, filter: Tags): number[] {
  return listTagSets(ctx.sql, name)
    .filter((s) => matchesFilter(s.tags, filter))
    .map((s) => s.tag_set);
}

/**
 * Buckets of the rule's metric in these runs, only of the tag sets its filter selects when it has
 * one. A model statistic (`@models/…`) reads the model rollups of that series, of the model and
 * version its `model` and `version` tags name; the buckets of several versions merge as one series.
 */
function metricRows(
  ctx: OrgContext,
  name: string,
  filter: Tags | null | undefined,
  runs: BucketRun[],
  sketches: boolean,
): Iterable<WindowBucket> {
  const series = modelRuleSeries(name);
  if (series !== null) {
    const model = filter?.model ?? null;
    const version = filter?.version;
    return runs
      .flatMap((r) => modelRollupsInRange(ctx.sql, r.resolution_ms, r.from, r.to - 1, model))
      .filter((b) => {
        const key = parseModelRollupName(b.name);
        return key !== null && key.series === series && (version === undefined || key.model_version === version);
      });
  }
  if (!hasTags(filter))
    return runs.flatMap((r) => metricBucketsIn(ctx.sql, name, r.resolution_ms, r.from, r.to - 1, sketches));
  const sets = selectedTagSets(ctx, name, filter);
  // One row per bucket and tag set: read as a stream, never held whole (valuesByWindow folds it).
  return (function* () {
    for (const r of runs) yield* taggedBucketsIn(ctx.sql, runRange(name, sets, r), sketches);
  })();
}

/** The windows a rule scores (rule-windows.ts `windowEdges`, newest first) and how they are read. */
interface RuleWindows {
  edges: readonly number[];
  resolutionMs: number;
  metricRetentionMs: number;
  /** The start of the rule's oldest window (its last edge), even when only the current one is read. */
  from: number;
}

/** Whether the rule reads its buckets merged over its tag sets (`mergedBuckets`) in the object. */
const readsMergedBuckets = (rule: AlertRule): rule is AlertRule & { tags: Tags } =>
  hasTags(rule.tags) && modelRuleSeries(rule.metric_name) === null && needsSketch(rule.aggregation);

/**
 * Each window's value. A tag filter makes every bucket one row per selected tag set: a daily
 * anomaly rule over 1,000 tag sets is 745,000 rows, 1.8 s to read and fold in JS. Unless the
 * aggregation is a percentile, whose sketches only JS can merge, SQLite adds those rows up instead,
 * one query and one row per run of each window (`taggedTotalsIn`): the same count, sum, min and
 * max, in 0.38 s for those rows (`npm run bench -- rules`, bench/RESULTS.md). A percentile reads
 * the buckets merged over the tag sets, from the object's cache where it holds them
 * (`mergedBuckets`); without a cache (a read outside the object), every row as it comes.
 */
function windowValues(ctx: OrgContext, rule: AlertRule, w: RuleWindows): (number | null)[] {
  const { metric_name: name, tags, aggregation } = rule;
  if (hasTags(tags) && modelRuleSeries(name) === null && !needsSketch(aggregation)) {
    const sets = selectedTagSets(ctx, name, tags);
    return runsByWindow(w.edges, w.resolutionMs, ctx.now, w.metricRetentionMs).map((runs) =>
      aggregate(
        runs.map((r) => taggedTotalsIn(ctx.sql, runRange(name, sets, r))),
        aggregation,
      ),
    );
  }
  const runs = windowRuns(w.edges, w.resolutionMs, ctx.now, w.metricRetentionMs);
  if (readsMergedBuckets(rule) && ctx.baselines !== undefined) {
    const sets = selectedTagSets(ctx, name, rule.tags);
    const read = { reader: rule.id, key: mergedKey(name, sets), name, sets };
    ctx.baselines.readingMerged(read.reader, read.key, name, w.from);
    return valuesByWindow(mergedBuckets(ctx, ctx.baselines, read, runs), w.edges, aggregation);
  }
  const rows = metricRows(ctx, name, tags, runs, needsSketch(aggregation));
  return valuesByWindow(rows, w.edges, aggregation);
}

/**
 * Each window's value, the baseline windows from the object's cache when nothing changed them
 * since they were read (baseline-cache.ts): then only the current window is read.
 */
function windowsOf(ctx: OrgContext, rule: AlertRule, w: RuleWindows): (number | null)[] {
  const cache = ctx.baselines;
  if (cache === undefined || w.edges.length < 3) return windowValues(ctx, rule, w);
  // What the baseline read depends on: the series, its filter, the aggregation, and the edges.
  const key = JSON.stringify([rule.metric_name, rule.tags ?? null, rule.aggregation, w.resolutionMs, w.edges.slice(1)]);
  const baseline = cache.get(rule.id, key);
  if (baseline !== undefined) return [...windowValues(ctx, rule, { ...w, edges: w.edges.slice(0, 2) }), ...baseline];
  const values = windowValues(ctx, rule, w);
  cache.set(rule.id, { key, series: rule.metric_name, until: w.edges[1] as number, values: values.slice(1) });
  return values;
}

/**
 * The current window's value and, for anomaly rules, the previous windows that have data. The
 * resolution is the one a read of all the windows at a step of one window would use (planQuery);
 * the buckets are read as runs of coarser ones where they fit (rule-windows.ts), the same data.
 */
export function observe(ctx: OrgContext, { rule }: StoredRule): { value: number | null; baseline: number[] } {
  const anomaly = rule.type === "anomaly";
  const windows = anomaly ? (rule.baseline_windows ?? DEFAULT_BASELINE_WINDOWS) + 1 : 1;
  const metricRetention = metricRetentionMs(ctx.retention);
  const { resolution_ms } = planQuery({
    windowSeconds: rule.window_seconds * windows,
    stepSeconds: rule.window_seconds,
    now: ctx.now,
    metricRetentionMs: metricRetention,
  });
  const edges = windowEdges(ctx.now, rule.window_seconds, windows, resolution_ms);
  const keptFrom = oldestKept(resolution_ms, ctx.now, metricRetention);
  const windowed = {
    edges,
    resolutionMs: resolution_ms,
    metricRetentionMs: metricRetention,
    from: edges[edges.length - 1] as number,
  };
  const values = keptValues(windowsOf(ctx, rule, windowed), edges, keptFrom);
  return {
    value: values[0] ?? null,
    baseline: values.slice(1).filter((v): v is number => v !== null && Number.isFinite(v)),
  };
}

/** Carries out one action; returns the state to store (with the alert id attached on open). */
function apply(ctx: OrgContext, stored: StoredRule, state: RuleState, action: RuleAction): RuleState {
  const by = `${RULE_FINGERPRINT_PREFIX}${stored.rule.id}`;
  if (action.type === "open_alert") {
    const existing = findUnresolved(ctx.sql, action.fingerprint);
    const input = {
      severity: action.severity,
      title: action.title,
      message: action.message,
      fingerprint: action.fingerprint,
    };
    const result = openOrDedupe(existing, input, crypto.randomUUID(), ctx.now);
    const { alert, created } = result;
    const out = commitAlertChange(ctx, alert, occurrenceChange(result, by));
    if (out !== null) ctx.publish({ type: created ? "alert" : "alert_updated", data: out });
    return attachAlert(state, alert.id);
  }
  const alert =
    (action.alert_id === undefined ? null : getAlert(ctx.sql, action.alert_id)) ??
    findUnresolved(ctx.sql, action.fingerprint);
  // Someone may have resolved it by hand already: nothing left to do.
  if (alert === null || alert.status === "resolved") return state;
  const result = resolve(alert, by, action.note, ctx.now);
  if (result.ok) {
    const out = commitAlertChange(ctx, result.alert, { action: "resolved", by, note: action.note });
    if (out !== null) ctx.publish({ type: "alert_updated", data: out });
  }
  return state;
}

/** Evaluates the given rules at ctx.now. Run inside the caller's `inTransaction`, which holds its publications until commit. */
export function evaluateRules(ctx: OrgContext, rules: readonly StoredRule[]): void {
  for (const stored of rules) {
    const { value, baseline } = observe(ctx, stored);
    const { state, actions } = evaluateRule(stored.rule, stored.state, value, ctx.now, baseline);
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

export function listAlertRules(ctx: OrgContext, filter: PageFilter): Result<Page<AlertRuleT>> {
  const page = rulePage(ctx.sql, filter);
  return pageOrBadCursor(page && presentPage(page, presentRule, "alert_rules", (r) => r.rule.id));
}

export function getAlertRule(ctx: OrgContext, id: string): Result<AlertRuleT> {
  const stored = getRule(ctx.sql, id);
  const [rule] = stored === null ? [] : presentRules([stored]);
  return rule === undefined ? fail("not-found", "alert rule not found") : ok(rule);
}

/**
 * Edits a rule in place: its id, its alert fingerprint (`rule:<id>`) and its creation time stay.
 * The patch is merged over the stored rule and the result checked as a create request would be.
 * Then the state carries over (rules.ts reviseRule, whose actions run first: a new severity resolves
 * a firing rule's alert) and the rule is evaluated at once: an edit that clears a firing condition
 * resolves its alert with the clearing note, and a re-graded one opens its new alert.
 */
export function patchAlertRule(ctx: OrgContext, id: string, patch: AlertRulePatchT): Result<AlertRuleT> {
  return inTransaction(ctx, (tx) => {
    const before = getRule(tx.sql, id);
    if (before === null) return fail("not-found", "alert rule not found");
    // `{}` names no change: the rule as it is, like an empty PATCH everywhere else in the API.
    if (Object.keys(patch).length === 0) return ok(presentRule(before));
    const parsed = AlertRuleIn.safeParse(patchedRuleInput(before.rule, patch));
    if (!parsed.success) {
      return fail("validation", "the rule after this change is not valid", fieldErrors(parsed.error));
    }
    const after = updateRuleDefinition(tx.sql, id, parsed.data) as StoredRule;
    // A rule that stops reading merged buckets (its aggregation no longer a percentile, or its tag
    // filter gone) would hold them until it is deleted; any other change keeps them, as they hold data.
    if (!readsMergedBuckets(after.rule)) tx.baselines?.forget(id);
    const revision = reviseRule(before.rule, after.rule, before.state);
    let state = revision.state;
    for (const action of revision.actions) state = apply(tx, after, state, action);
    if (state !== before.state) saveRuleState(tx.sql, id, state);
    evaluateRules(tx, [{ ...after, state }]);
    return ok(presentRule(getRule(tx.sql, id) as StoredRule));
  });
}

/** Deleting a firing rule resolves its alert with a note, like any cleared condition. */
export function deleteAlertRule(ctx: OrgContext, id: string): Result<null> {
  return inTransaction(ctx, (tx) => {
    const stored = getRule(tx.sql, id);
    if (stored === null) return fail("not-found", "alert rule not found");
    for (const action of retireRule(stored.rule, stored.state)) apply(tx, stored, stored.state, action);
    deleteRule(tx.sql, id);
    tx.baselines?.forget(id);
    return ok(null);
  });
}
