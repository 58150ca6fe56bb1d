/** Recording results and computing the analysis (docs/contract.md "Results analysis"). */
import type { Db } from "../db/client";
import { badRequest, conflict, type FieldError, ProblemError, unprocessable } from "../http/problem";
import { futureTimeErrors } from "../http/time";
import { bucketedVariant } from "../evaluation/evaluate";
import { UNDEFINED_METRIC } from "../metrics/model";
import { buildAnalysis, type MetricRole, type MetricSpec } from "./analysis";
import {
  binomialReading,
  type MetricReading,
  nearestRank,
  percentileOffset,
  sampleShifts,
  valueReading,
} from "./analysis-moments";
import { withDefaults } from "./analysis-settings";
import { toClientExperiment } from "./present";
import type { ExperimentWithVariants } from "./repository";
import type { RawDefinition } from "./results-repository";
import { buildTimeseries, DAY_MS } from "./timeseries";
import { recordResultsConflict } from "./lifecycle";
import * as results from "./results-repository";
import type { ResultInput } from "./results-schemas";
import { loadExperiment } from "./service";

/**
 * Stores every row or none. `pathOf(i)` prefixes field paths as the client sent them
 * (`results.3.` for a batch, nothing for a single result).
 */
export async function recordResults(
  db: Db,
  orgId: string,
  experimentId: string,
  rows: readonly ResultInput[],
  pathOf: (i: number) => string,
): Promise<number> {
  const experiment = await loadExperiment(db, orgId, experimentId);
  const reason = recordResultsConflict(experiment.status);
  if (reason) throw conflict(reason);

  const now = Date.now();
  const future = futureTimeErrors(
    rows,
    (r) => r.recorded_at,
    (i) => `${pathOf(i)}recorded_at`,
    now,
  );
  if (future.length > 0) throw badRequest("result times in the future", future);

  const variantIds = new Set(experiment.variants.map((v) => v.id));
  const foreign: FieldError[] = [];
  rows.forEach((r, i) => {
    if (r.variant_id !== undefined && !variantIds.has(r.variant_id)) {
      foreign.push({ path: `${pathOf(i)}variant_id`, message: "not a variant of this experiment" });
    }
  });
  if (foreign.length > 0) throw unprocessable("results name variants of another experiment", foreign);

  const toRows = (rs: readonly ResultInput[]) =>
    rs.map((r) => ({
      metricName: r.metric_name,
      metricValue: r.metric_value,
      userId: r.user_id ?? null,
      variantId: r.variant_id ?? null,
      recordedAt: r.recorded_at ?? now,
    }));
  let outcome = await results.insertResults(db, orgId, experimentId, toRows(rows));
  if (!outcome.ok) {
    // A row without variant_id whose user has no stored exposure: the happy path is one statement,
    // so only now look. Exposures reach D1 through a queue, about a second after the answer, so
    // "none stored" often means "not stored yet": the user's bucket decides, which is the variant
    // every in-experiment answer gave them. A user outside the coverage or the namespace was never
    // shown the experiment and cannot be attributed. One whose exposure never arrives is counted
    // in the analysis's data_quality (unexposed_results), not analysed.
    const needExposure = rows.flatMap((r) =>
      r.variant_id === undefined && r.user_id !== undefined ? [r.user_id] : [],
    );
    const unexposed = await results.findUnexposedUsers(db, orgId, experimentId, needExposure);
    const evaluable = toClientExperiment(experiment);
    const errors: FieldError[] = [];
    const attributed = rows.map((r, i) => {
      if (r.variant_id !== undefined || r.user_id === undefined || !unexposed.has(r.user_id)) return r;
      const variant = bucketedVariant(evaluable, r.user_id);
      if (variant === null) {
        const message = `user '${r.user_id}' is outside the experiment (its coverage or namespace) and has no exposure`;
        errors.push({ path: `${pathOf(i)}user_id`, message });
        return r;
      }
      return { ...r, variant_id: variant.id };
    });
    if (errors.length > 0) {
      throw unprocessable("results without variant_id need a user in the experiment", errors);
    }
    outcome = await results.insertResults(db, orgId, experimentId, toRows(attributed));
  }
  if (outcome.ok && outcome.inserted === rows.length) return outcome.inserted;
  await loadExperiment(db, orgId, experimentId); // 404 if deleted meanwhile
  throw conflict("the experiment changed concurrently; retry");
}

/** The metrics an experiment names, with their role (a key named twice keeps its first role). */
function namedMetrics(e: ExperimentWithVariants): Map<string, MetricRole> {
  const roles = new Map<string, MetricRole>();
  const add = (key: string | null | undefined, role: MetricRole) => {
    if (key && !roles.has(key)) roles.set(key, role);
  };
  add(e.primaryMetric, "primary");
  for (const key of e.secondaryMetrics ?? []) add(key, "secondary");
  for (const key of e.guardrailMetrics ?? []) add(key, "guardrail");
  return roles;
}

function specOf(key: string, d: RawDefinition | undefined): MetricSpec {
  if (!d) return { key, name: key, defined: false, ...UNDEFINED_METRIC, currency: null, capping: null };
  return {
    key,
    name: d.name,
    defined: true,
    kind: d.kind,
    direction: d.direction,
    format: d.format,
    currency: d.currency,
    capping:
      d.capping_type !== null && d.capping_value !== null ? { type: d.capping_type, value: d.capping_value } : null,
  };
}

type Overview = Awaited<ReturnType<typeof results.loadOverview>>;

const kindOf = (key: string, definitions: ReadonlyMap<string, RawDefinition>) =>
  definitions.get(key)?.kind ?? UNDEFINED_METRIC.kind;

/**
 * The one pass over each metric's users (all of them, or `only`): binomial and event_mean metrics
 * read 0/1 flags and counts, the others their values, shifted by the sample's median.
 */
async function readMetrics(
  db: Db,
  orgId: string,
  experimentId: string,
  overview: Overview,
  only?: ReadonlySet<string>,
): Promise<Map<string, MetricReading>> {
  const definitions = new Map(overview.definitions.map((d) => [d.key, d]));
  const shifts = sampleShifts(overview.sample);
  const names = overview.names.filter((n) => only === undefined || only.has(n));
  const read = await results.loadReadings(
    db,
    orgId,
    experimentId,
    names.map((metric): results.ReadingQuery => {
      const kind = kindOf(metric, definitions);
      return kind === "binomial" || kind === "event_mean"
        ? { metric, binomial: true }
        : { metric, binomial: false, shift: shifts.get(metric) ?? null };
    }),
  );
  return new Map(read.map((r, i) => [names[i] as string, r.binomial ? binomialReading(r.rows) : valueReading(r.rows)]));
}

interface MetricPlan {
  spec: MetricSpec;
  role: MetricRole;
  isUser: boolean;
  binomial: boolean;
  shiftY: number;
  cap: number | null;
  /** The one pass's sums, when they are the answer (an uncapped per-user metric). */
  reading: MetricReading | undefined;
}

const exposedUsers = (o: Overview) => [...o.exposures.values()].reduce((a, b) => a + b, 0);

/**
 * How each metric is read: its definition (or the defaults), its cap and its shift. Binomial
 * values are 0/1: never capped, never shifted. An uncapped per-user metric is answered by its one
 * pass. A capped one is read again with the cap, shifted by the pooled mean (exposed users
 * without rows count as 0); a percentile cap needs the value at a rank first: one more round
 * trip, only when some metric has one.
 */
async function planMetrics(
  db: Db,
  orgId: string,
  experimentId: string,
  overview: Overview,
  readings: ReadonlyMap<string, MetricReading>,
  roles: ReadonlyMap<string, MetricRole>,
): Promise<MetricPlan[]> {
  const exposed = exposedUsers(overview);
  const definitions = new Map(overview.definitions.map((d) => [d.key, d]));
  const events = new Map(overview.events.map((m) => [m.metric_name, m]));
  const pending: { plan: MetricPlan; query: { metric: string; perUser: boolean; offset: number } }[] = [];
  const plans = [...roles].map(([key, role]) => {
    const spec = specOf(key, definitions.get(key));
    const isUser = spec.kind !== "event_mean";
    const binomial = spec.kind === "binomial";
    const o = isUser ? readings.get(key) : undefined;
    const e = events.get(key);
    const eventMean = e && e.rows > 0 ? e.sum / e.rows : 0;
    const shiftY = binomial ? 0 : isUser ? (o?.shift ?? 0) : eventMean;
    const plan: MetricPlan = { spec, role, isUser, binomial, shiftY, cap: null, reading: o };
    const c = spec.capping;
    if (c && !binomial) {
      if (c.type === "absolute") plan.cap = c.value;
      else {
        const offset = isUser
          ? percentileOffset(c.value, exposed, o?.users ?? 0, o?.negatives ?? 0)
          : e && e.rows > 0
            ? nearestRank(c.value, e.rows)
            : null;
        if (offset === "zero") plan.cap = 0;
        else if (offset !== null) pending.push({ plan, query: { metric: key, perUser: isUser, offset } });
      }
    }
    return plan;
  });
  if (pending.length > 0) {
    const values = await results.loadValuesAt(
      db,
      orgId,
      experimentId,
      pending.map((q) => q.query),
    );
    pending.forEach((q, i) => {
      q.plan.cap = values[i] ?? null;
    });
  }
  for (const plan of plans) {
    if (plan.isUser && plan.cap !== null) {
      plan.reading = undefined;
      plan.shiftY = exposed > 0 ? (readings.get(plan.spec.key)?.sum ?? 0) / exposed : 0;
    }
  }
  return plans;
}

const analysisVariants = (e: ExperimentWithVariants) =>
  e.variants.map((v) => ({ id: v.id, variant_type: v.variantType, traffic_percentage: v.trafficPercentage }));

export async function analyzeExperiment(db: Db, orgId: string, experimentId: string, now = Date.now()) {
  const experiment = await loadExperiment(db, orgId, experimentId);
  const overview = await results.loadOverview(db, orgId, experimentId);
  const readings = await readMetrics(db, orgId, experimentId, overview);
  const roles = namedMetrics(experiment);
  for (const key of [...overview.names, ...overview.events.map((m) => m.metric_name)]) {
    if (!roles.has(key)) roles.set(key, "other");
  }
  const plans = await planMetrics(db, orgId, experimentId, overview, readings, roles);
  // Capped and event_mean metrics: one more pass each, in one round trip.
  const again = plans.filter((p) => p.reading === undefined && (!p.isUser || p.cap !== null));
  const sums = await results.loadMoments(
    db,
    orgId,
    experimentId,
    again.map((p) => ({
      metric: p.spec.key,
      perUser: p.isUser,
      binomial: p.binomial,
      cap: p.cap,
      shiftY: p.shiftY,
      shiftX: 0,
    })),
  );
  const armsOf = new Map(again.map((p, i) => [p, sums[i] ?? new Map()]));
  const all = [...readings.values()];

  return buildAnalysis({
    experimentId: experiment.id,
    status: experiment.status,
    variants: analysisVariants(experiment),
    coverage: experiment.coverage,
    exposures: overview.exposures,
    settings: withDefaults(experiment.analysisSettings),
    plannedUsersPerVariant: experiment.plannedUsersPerVariant ?? null,
    startedAt: experiment.startedAt,
    completedAt: experiment.completedAt,
    now,
    metrics: plans.map((p) => ({
      spec: p.spec,
      role: p.role,
      cap: p.cap,
      shiftY: p.shiftY,
      shiftX: 0,
      arms: p.reading?.arms ?? armsOf.get(p) ?? new Map(),
    })),
    dataQuality: {
      unexposed_results: all.reduce((n, r) => n + r.unexposedRows, 0),
      anonymous_results: overview.anonymous,
      pre_exposure_results: all.reduce((n, r) => n + r.preRows, 0),
    },
  });
}

/** GET /experiments/:id/results/timeseries: one metric (default: the primary), per UTC day since the start. */
export async function experimentTimeseries(
  db: Db,
  orgId: string,
  experimentId: string,
  metric: string | undefined,
  now = Date.now(),
) {
  const experiment = await loadExperiment(db, orgId, experimentId);
  const key = metric ?? experiment.primaryMetric;
  if (!key) {
    throw badRequest("name a metric: the experiment has no primary metric", [
      { path: "query.metric", message: "required when the experiment has no primary_metric" },
    ]);
  }
  if (experiment.startedAt === null) return { metric_name: key, items: [] };
  const overview = await results.loadOverview(db, orgId, experimentId);
  const role = namedMetrics(experiment).get(key) ?? "other";
  // A key known nowhere (a typo) was a 200 of zeros, every exposed user counting 0 for it.
  const known =
    role !== "other" ||
    overview.names.includes(key) ||
    overview.events.some((e) => e.metric_name === key) ||
    overview.definitions.some((d) => d.key === key);
  if (!known) {
    throw new ProblemError(
      "not-found",
      `metric '${key}' not found: no results in this experiment carry it, the experiment does not name it, and the catalogue does not define it`,
    );
  }
  // A per-user sum's one pass gives the shift the series sums around (and, for a percentile cap,
  // the counts that place the rank), as it does for the results page. Binomial values are never
  // shifted nor capped, and event_mean takes both from the overview: no pass for them.
  const kind = kindOf(key, new Map(overview.definitions.map((d) => [d.key, d])));
  const readings =
    kind === "binomial" || kind === "event_mean"
      ? new Map<string, MetricReading>()
      : await readMetrics(db, orgId, experimentId, overview, new Set([key]));
  const [plan] = await planMetrics(db, orgId, experimentId, overview, readings, new Map([[key, role]]));
  if (!plan) return { metric_name: key, items: [] };
  const startDay = Math.floor(experiment.startedAt / DAY_MS);
  const settings = withDefaults(experiment.analysisSettings);
  const { exposuresByDay, deltas } = await results.loadTimeseries(db, orgId, experimentId, {
    startDay,
    metric: key,
    perUser: plan.isUser,
    binomial: plan.binomial,
    cap: plan.cap,
    covariate: settings.cuped,
    shift: plan.shiftY,
  });
  return {
    metric_name: key,
    ...buildTimeseries({
      startDay,
      lastDay: Math.floor((experiment.completedAt ?? now) / DAY_MS),
      variants: analysisVariants(experiment),
      exposuresByDay,
      deltas,
      spec: plan.spec,
      settings,
      shift: plan.shiftY,
    }),
  };
}
