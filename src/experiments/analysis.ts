/**
 * Builds the results analysis (docs/contract.md "Results analysis") from SQL aggregates. Pure: the
 * repository computes the aggregates, src/stats does the statistics, this only arranges them.
 */
import type { ExperimentStatus, VariantType } from "./model";
import {
  type CentralAggregates,
  compareWelch,
  type MomentSummary,
  type SumAggregates,
  srmCheck,
  summarizeMoments,
} from "../stats";
import type { AnalysisOut } from "./results-schemas";

export interface AnalysisVariant {
  id: string;
  variant_type: VariantType;
  traffic_percentage: number;
}

export interface MetricAggregate {
  metric_name: string;
  variant_id: string;
  aggregates: SumAggregates | CentralAggregates;
}

export interface AnalysisInput {
  experimentId: string;
  status: ExperimentStatus;
  primaryMetric: string | null;
  /** In creation order. */
  variants: readonly AnalysisVariant[];
  exposures: ReadonlyMap<string, number>;
  aggregates: readonly MetricAggregate[];
}

/**
 * The one-pass variance loses about (mean/stddev)² × 1e-16 relative precision (docs/statistics.md).
 * Past a ratio of 1e3 (error ~1e-10) the repository recomputes that group with sums shifted by its
 * mean, which is exact enough at any ratio; below it the single pass is kept, so the common case
 * costs one scan.
 */
export const MAX_SAFE_MEAN_TO_STDDEV = 1e3;

export function needsShiftedPass(a: SumAggregates): boolean {
  if (a.count < 2) return false;
  const mean = a.sum / a.count;
  const ss = a.sumSq - mean * a.sum;
  if (a.min !== null && a.max !== null && a.min === a.max) return false; // constant: variance is exactly 0
  if (!(ss > 0)) return true; // cancellation ate everything although values differ
  const variance = ss / (a.count - 1);
  return (mean * mean) / variance > MAX_SAFE_MEAN_TO_STDDEV * MAX_SAFE_MEAN_TO_STDDEV;
}

/** Central aggregates from sums of d = v − shift: m2 = Σd² − (Σd)²/n, mean = shift + Σd/n. */
export function centralFromShifted(
  count: number,
  shift: number,
  sumD: number,
  sumD2: number,
  min: number | null,
  max: number | null,
): CentralAggregates {
  const meanD = sumD / count;
  return { count, mean: shift + meanD, m2: Math.max(0, sumD2 - meanD * sumD), min, max };
}

const EMPTY: MomentSummary = { count: 0, mean: null, variance: null, stddev: null, min: null, max: null };

export function buildAnalysis(input: AnalysisInput): AnalysisOut {
  const { variants } = input;
  const observed = variants.map((v) => input.exposures.get(v.id) ?? 0);
  const srm = srmCheck(
    observed,
    variants.map((v) => v.traffic_percentage),
  );
  const control = variants.find((v) => v.variant_type === "control");

  const byMetric = new Map<string, Map<string, MomentSummary>>();
  if (input.primaryMetric !== null) byMetric.set(input.primaryMetric, new Map());
  for (const row of input.aggregates) {
    let summaries = byMetric.get(row.metric_name);
    if (!summaries) {
      summaries = new Map();
      byMetric.set(row.metric_name, summaries);
    }
    summaries.set(row.variant_id, summarizeMoments(row.aggregates));
  }

  // The primary metric first (it is what the experiment is judged by), then by name.
  const names = [...byMetric.keys()].sort((a, b) =>
    a === input.primaryMetric ? -1 : b === input.primaryMetric ? 1 : a < b ? -1 : a > b ? 1 : 0,
  );

  const metrics = names.map((metric_name) => {
    const summaries = byMetric.get(metric_name) ?? new Map<string, MomentSummary>();
    const of = (id: string) => summaries.get(id) ?? EMPTY;
    const baseline = control ? of(control.id) : EMPTY;
    return {
      metric_name,
      variants: variants.map((v) => {
        const s = of(v.id);
        return { variant_id: v.id, count: s.count, mean: s.mean, stddev: s.stddev, min: s.min, max: s.max };
      }),
      comparisons: control
        ? variants
            .filter((v) => v.id !== control.id)
            .map((v) => ({
              variant_id: v.id,
              control_variant_id: control.id,
              ...compareWelch(baseline, of(v.id)),
            }))
        : [],
    };
  });

  return {
    experiment_id: input.experimentId,
    status: input.status,
    assignments: variants.map((v, i) => ({ variant_id: v.id, users: observed[i] ?? 0 })),
    srm,
    metrics,
  };
}
