/**
 * Per-variant summaries from aggregates that SQL can compute in one pass.
 *
 * Precision limit of the sum/sumSq path: variance = (Σv² − mean·Σv) / (n − 1) subtracts two
 * numbers of size n·mean², so the relative error of the variance is about
 * (mean / stddev)² × (relative rounding error of Σv²). That rounding error is ~1e-16 with a
 * compensated sum (SQLite's SUM() over REALs is Kahan–Babuška–Neumaier since 3.43) and up to
 * ~√n·1e-16 with a naive one. So: fine while |mean| / stddev stays below ~1e3-1e4 (error
 * ≲ 1e-8..1e-6), useless once it reaches ~1e7 (epoch timestamps with ms jitter, or 1e9 with
 * noise of 1e-3). Such metrics should use the two-pass {count, mean, m2} input, or sums shifted
 * in SQL (Σ(v − k), Σ(v − k)² for any k near the mean; add k back to the mean afterwards).
 * Rounding can push the difference slightly below zero; that is clamped to 0 rather than
 * reported as a negative variance or a NaN stddev.
 */

export interface SumAggregates {
  count: number;
  sum: number;
  /** Σ v², e.g. SQL `SUM(v * v)`. */
  sumSq: number;
  min: number | null;
  max: number | null;
}

/** Two-pass aggregates: m2 = Σ (v − mean)². Robust when |mean| ≫ stddev. */
export interface CentralAggregates {
  count: number;
  mean: number | null;
  m2: number | null;
  min: number | null;
  max: number | null;
}

export interface MomentSummary {
  count: number;
  mean: number | null;
  /** Sample variance (n − 1 denominator); null when count < 2. */
  variance: number | null;
  stddev: number | null;
  min: number | null;
  max: number | null;
}

export function summarizeMoments(input: SumAggregates | CentralAggregates): MomentSummary {
  const { count } = input;
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  const empty: MomentSummary = { count, mean: null, variance: null, stddev: null, min: null, max: null };
  if (count === 0) return empty;
  const min = finiteOrNull(input.min);
  const max = finiteOrNull(input.max);

  let mean: number | null;
  let ss: number | null; // Σ (v − mean)²
  if ("m2" in input) {
    mean = finiteOrNull(input.mean);
    ss = finiteOrNull(input.m2);
  } else {
    mean = finiteOrNull(input.sum / count);
    // mean·sum rather than sum²/n: same value, but sum² overflows for sums above ~1e154.
    ss = mean === null ? null : finiteOrNull(input.sumSq - mean * input.sum);
  }
  // Rounding can leave the mean a hair outside [min, max]; the true mean never is.
  if (mean !== null && min !== null && max !== null) mean = Math.min(max, Math.max(min, mean));

  if (count < 2 || ss === null) return { count, mean, variance: null, stddev: null, min, max };
  // A constant metric has exactly zero spread; don't let cancellation noise invent some.
  const variance = min !== null && min === max ? 0 : Math.max(0, ss) / (count - 1);
  return { count, mean, variance, stddev: Math.sqrt(variance), min, max };
}

function finiteOrNull(x: number | null | undefined): number | null {
  return typeof x === "number" && Number.isFinite(x) ? x : null;
}

/**
 * The q-quantile (0 ≤ q ≤ 1) by linear interpolation between order statistics (numpy's default,
 * Hyndman-Fan type 7): position q·(n − 1) in the sorted values. In SQL: ORDER BY v LIMIT 2 OFFSET
 * floor(q·(n − 1)) and interpolate. Null for no values.
 */
export function percentile(values: readonly number[], q: number): number | null {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`q must be in [0, 1], got ${q}`);
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (pos - lo) * (b - a);
}
