/**
 * Builds the results analysis (docs/contract.md "Results analysis" and "Metric catalogue and per-user
 * analysis") from per-arm SQL sums. Pure: the repository computes the sums, src/stats does the
 * statistics, this arranges them: CUPED, comparisons, corrections, verdicts, SRM, power.
 */
import type { Capping, MetricFormat, MetricKind } from "../metrics/model";
import {
  adjustPValues,
  type CompareOptions,
  compareBayesian,
  compareFrequentist,
  cuped,
  type Direction,
  type Moments,
  srmCheck,
  verdictOf,
} from "../stats";
import { type ArmMoments, type ArmSums, armMoments } from "./analysis-moments";
import type { AnalysisSettings } from "./analysis-settings";
import { servedBucketWidths } from "../evaluation/bucketing";
import type { VariantType } from "./model";
import type { AnalysisOut } from "./results-schemas";

export interface AnalysisVariant {
  id: string;
  variant_type: VariantType;
  traffic_percentage: number;
}

/** Why a metric is in the analysis: named by the experiment, or found in the results. */
export type MetricRole = "primary" | "secondary" | "guardrail" | "other";

/** How one metric is read: its definition, or the defaults of an undefined metric_name. */
export interface MetricSpec {
  key: string;
  name: string;
  defined: boolean;
  kind: MetricKind;
  direction: Direction;
  format: MetricFormat;
  currency: string | null;
  capping: Capping | null;
}

export interface MetricData {
  spec: MetricSpec;
  role: MetricRole;
  /** The cap applied to every value (absolute, or the percentile's value); null: none. */
  cap: number | null;
  shiftY: number;
  shiftX: number;
  /** Per variant id; absent: no value of that arm had rows. */
  arms: ReadonlyMap<string, ArmSums>;
}

interface DataQuality {
  unexposed_results: number;
  anonymous_results: number;
  pre_exposure_results: number;
}

export interface AnalysisInput {
  experimentId: string;
  status: AnalysisOut["status"];
  /** In creation order. */
  variants: readonly AnalysisVariant[];
  coverage: number;
  exposures: ReadonlyMap<string, number>;
  settings: AnalysisSettings;
  plannedUsersPerVariant: number | null;
  startedAt: number | null;
  completedAt: number | null;
  now: number;
  metrics: readonly MetricData[];
  dataQuality: DataQuality;
}

const DAY_MS = 86_400_000;
const ROLE_ORDER: Record<MetricRole, number> = { primary: 0, secondary: 1, guardrail: 2, other: 3 };

/**
 * The share of users each variant is actually served: its number of buckets under the current
 * coverage, counted by the bucketing itself (servedBucketWidths), not the configured percentage
 * (FINDINGS: 0.5% coverage at 33/33/34 serves 17/17/17 buckets).
 */
export function servedShares(coverage: number, percentages: readonly number[]): number[] {
  const buckets = servedBucketWidths(coverage, percentages);
  const total = buckets.reduce((a, b) => a + b, 0);
  return buckets.map((b) => (total > 0 ? b / total : 0));
}

const display = (m: ArmMoments, shift: number) => ({
  mean: m.n > 0 ? shift + m.mean : null,
  stddev: m.n > 1 ? Math.sqrt(m.variance) : null,
});

type Comparison = AnalysisOut["metrics"][number]["comparisons"][number];

/**
 * One treatment against the control, as the results page and each day of the daily series read
 * it: the engine's intervals, and a CUPED-adjusted binomial metric compared as a mean.
 */
export function compareArms(
  control: Moments,
  treatment: Moments,
  spec: MetricSpec,
  settings: AnalysisSettings,
  shift: number,
  cupedApplied: boolean,
): Omit<Comparison, "variant_id" | "control_variant_id" | "p_value_adjusted" | "significant" | "verdict"> {
  // After CUPED the adjusted values are no longer 0/1: a binomial metric is compared as a mean. Its
  // adjusted mean × n can still land on a whole number (arms with the same pre-exposure rate), and
  // the binomial path would then read raw counts and drop the variance CUPED removed.
  const binary = spec.kind === "binomial" && !cupedApplied;
  const options: CompareOptions = {
    confidence: settings.confidence_level,
    binary,
    sequential: settings.sequential ? { tuning: settings.sequential_tuning } : null,
    shift,
    direction: spec.direction,
  };
  const f = compareFrequentist(control, treatment, options);
  const base = {
    difference: f.difference,
    relative_lift: f.relative_lift,
    lift_ci_low: f.lift_ci_low,
    lift_ci_high: f.lift_ci_high,
    ci_low: f.ci_low,
    ci_high: f.ci_high,
    p_value: f.p_value,
    chance_to_beat_control: f.chance_to_beat_control,
    expected_loss: null,
    credible_low: null,
    credible_high: null,
    reason: f.reason,
  };
  if (settings.engine !== "bayesian") return base;
  const b = compareBayesian(control, treatment, {
    confidence: settings.confidence_level,
    binary,
    shift,
    direction: spec.direction,
    sequential: options.sequential,
  });
  // Every interval of a Bayesian comparison is the posterior's (docs/statistics.md): the lift's is the
  // credible interval, the difference's the flat-prior one. The p-value stays for reference only.
  return {
    ...base,
    lift_ci_low: b.lift_ci_low,
    lift_ci_high: b.lift_ci_high,
    ci_low: b.ci_low,
    ci_high: b.ci_high,
    chance_to_beat_control: b.chance_to_beat_control,
    expected_loss: b.expected_loss,
    credible_low: b.credible_low,
    credible_high: b.credible_high,
    reason: base.reason ?? b.reason,
  };
}

function analyseMetric(data: MetricData, input: AnalysisInput) {
  const { spec, role } = data;
  const { variants, settings } = input;
  const perUser = spec.kind !== "event_mean";
  const raw = variants.map((v) =>
    armMoments(perUser ? (input.exposures.get(v.id) ?? 0) : 0, data.arms.get(v.id), data.shiftY, data.shiftX),
  );

  // CUPED (docs/contract.md): theta pooled over every arm, each user's Y − theta·(X − mean X).
  let cupedOut: { applied: boolean; theta: number | null; variance_reduction: number | null; reason: string | null };
  let arms: Moments[] = raw;
  if (!settings.cuped) {
    cupedOut = { applied: false, theta: null, variance_reduction: null, reason: "CUPED is off in analysis_settings" };
  } else if (!perUser) {
    cupedOut = {
      applied: false,
      theta: null,
      variance_reduction: null,
      reason: "event_mean metrics have no per-user pre-exposure value",
    };
  } else {
    const adjusted = cuped(raw);
    const applied = adjusted.theta !== null && adjusted.arms.length === raw.length;
    if (applied) arms = adjusted.arms;
    cupedOut = {
      applied,
      theta: adjusted.theta,
      variance_reduction: adjusted.variance_reduction,
      reason: applied ? null : (adjusted.reason ?? "CUPED could not be computed"),
    };
  }

  const controlIndex = variants.findIndex((v) => v.variant_type === "control");
  const control = controlIndex >= 0 ? arms[controlIndex] : undefined;
  const comparisons = variants.flatMap((v, i) => {
    const arm = arms[i];
    if (control === undefined || i === controlIndex || arm === undefined) return [];
    return [
      {
        variant_id: v.id,
        control_variant_id: variants[controlIndex]?.id ?? "",
        ...compareArms(control, arm, spec, settings, data.shiftY, cupedOut.applied),
      },
    ];
  });

  return {
    metric_name: spec.key,
    name: spec.name,
    defined: spec.defined,
    role,
    kind: spec.kind,
    direction: spec.direction,
    format: spec.format,
    currency: spec.currency,
    capping: spec.capping === null ? null : { ...spec.capping, cap: data.cap },
    variants: variants.map((v, i) => {
      const m = raw[i] as ArmMoments;
      const shown = display(m, data.shiftY);
      // With CUPED on, mean and stddev are of the adjusted values (every statistic uses them).
      const used = arms[i] ?? m;
      const adjusted = display({ ...m, mean: used.mean, variance: used.variance }, data.shiftY);
      return {
        variant_id: v.id,
        count: m.n,
        users: perUser ? m.n : (input.exposures.get(v.id) ?? 0),
        mean: shown.mean,
        stddev: shown.stddev,
        adjusted_mean: cupedOut.applied ? adjusted.mean : null,
        min: m.min,
        max: m.max,
        sum: m.sum,
      };
    }),
    cuped: cupedOut,
    comparisons,
  };
}

/** Frequentist: the (adjusted) p below alpha; Bayesian: chance to beat control past the level either way. */
function isSignificant(c: Comparison, settings: AnalysisSettings, p: number | null): boolean {
  if (settings.engine === "bayesian") {
    const chance = c.chance_to_beat_control;
    return chance !== null && (chance >= settings.confidence_level || chance <= 1 - settings.confidence_level);
  }
  return p !== null && p < 1 - settings.confidence_level;
}

export function buildAnalysis(input: AnalysisInput): AnalysisOut {
  const { variants, settings } = input;
  const observed = variants.map((v) => input.exposures.get(v.id) ?? 0);
  const srm = srmCheck(
    observed,
    servedShares(
      input.coverage,
      variants.map((v) => v.traffic_percentage),
    ),
  );

  const ordered = [...input.metrics].sort(
    (a, b) =>
      ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || (a.spec.key < b.spec.key ? -1 : a.spec.key > b.spec.key ? 1 : 0),
  );
  const metrics = ordered.map((m) => analyseMetric(m, input));

  // One family: every treatment × metric pair of the primary and secondary metrics. Guardrails
  // (and metrics the experiment does not name) keep their own p-value.
  const family = metrics.flatMap((m) =>
    m.role === "primary" || m.role === "secondary" ? m.comparisons.map((c) => ({ c })) : [],
  );
  const adjusted = adjustPValues(
    family.map(({ c }) => c.p_value),
    settings.correction,
  );
  const adjustedOf = new Map(family.map(({ c }, i) => [c, adjusted[i] ?? null]));

  return {
    experiment_id: input.experimentId,
    status: input.status,
    analysis_settings: settings,
    assignments: variants.map((v, i) => ({ variant_id: v.id, users: observed[i] ?? 0 })),
    srm: { p_value: srm.p_value, mismatch: srm.mismatch, reason: srm.reason },
    data_quality: input.dataQuality,
    power: {
      planned_users_per_variant: input.plannedUsersPerVariant,
      progress:
        input.plannedUsersPerVariant && variants.length > 0
          ? Math.min(...observed) / input.plannedUsersPerVariant
          : null,
      days_running:
        input.startedAt === null ? null : Math.max(0, ((input.completedAt ?? input.now) - input.startedAt) / DAY_MS),
    },
    metrics: metrics.map((m) => ({
      ...m,
      comparisons: m.comparisons.map((c) => {
        const p_value_adjusted = adjustedOf.has(c) ? (adjustedOf.get(c) ?? null) : c.p_value;
        const significant = isSignificant({ ...c, p_value_adjusted } as Comparison, settings, p_value_adjusted);
        return {
          ...c,
          p_value_adjusted,
          significant,
          verdict: verdictOf({
            significant,
            difference: c.difference,
            direction: m.direction,
            guardrail: m.role === "guardrail",
          }),
        };
      }),
    })),
  };
}
