/**
 * Per-arm moments from the SQL sums of analysis-sql.ts. Pure. The sums are of values shifted by
 * a constant common to every arm of a metric (Y by shiftY, the covariate X by shiftX), so the
 * means here are relative to the shift: differences between arms are exact however large the
 * values (FINDINGS: 1.7e12 + N(0, 1) lost its p-value when means were rounded before subtracting).
 */
import type { CovariateMoments } from "../stats";

/** One arm's row of USER_MOMENTS_SQL / EVENT_MOMENTS_SQL: `users` values with rows. */
export interface ArmSums {
  users: number;
  /** Σ of the (capped) values themselves, for display. */
  sum: number;
  sumD: number;
  sumD2: number;
  min: number | null;
  max: number | null;
  sumXD: number;
  sumXD2: number;
  sumXYD: number;
}

export interface ArmMoments extends CovariateMoments {
  /** Over the actual (unshifted, capped) values; null when n = 0. */
  min: number | null;
  max: number | null;
  /** Σ of the actual (capped) values. */
  sum: number;
}

/**
 * The moments of `n` values: the `s.users` values summed in SQL plus n − s.users zeros (exposed
 * users without results count as 0 in Y and in X, docs/contract.md). Sample (n − 1) variances; with n < 2
 * they are 0 and the statistics module reports the comparison as not computable.
 */
export function armMoments(n: number, s: ArmSums | undefined, shiftY: number, shiftX: number): ArmMoments {
  const m = s?.users ?? 0;
  const total = Math.max(n, m); // the exposures may have been counted a moment before the sums
  const zeros = total - m;
  if (total === 0) {
    return { n: 0, mean: 0, variance: 0, meanX: 0, varianceX: 0, covarianceXY: 0, min: null, max: null, sum: 0 };
  }
  // A zero, shifted, is −shift: add the zeros' share of each sum.
  const sy = (s?.sumD ?? 0) - zeros * shiftY;
  const syy = (s?.sumD2 ?? 0) + zeros * shiftY * shiftY;
  const sx = (s?.sumXD ?? 0) - zeros * shiftX;
  const sxx = (s?.sumXD2 ?? 0) + zeros * shiftX * shiftX;
  const sxy = (s?.sumXYD ?? 0) + zeros * shiftX * shiftY;
  const mean = sy / total;
  const meanX = sx / total;
  const dof = total - 1;
  const variance = dof > 0 ? spread(syy, mean * sy) / dof : 0;
  const varianceX = dof > 0 ? spread(sxx, meanX * sx) / dof : 0;
  const covarianceXY = dof > 0 ? (sxy - meanX * sy) / dof : 0;
  let min = s?.min ?? null;
  let max = s?.max ?? null;
  if (zeros > 0) {
    min = min === null ? 0 : Math.min(min, 0);
    max = max === null ? 0 : Math.max(max, 0);
  }
  return {
    n: total,
    mean,
    variance,
    meanX,
    varianceX,
    covarianceXY,
    min,
    max,
    sum: s?.sum ?? 0,
  };
}

/**
 * Below this share of Σd², a sum of squared deviations Σd² − (Σd)²/n is rounding, not spread.
 * A constant arm must have exactly zero variance (the statistics then say "no spread" instead of
 * a p of 0 from a standard error of 1e-9). This rule is how both the results page and the daily
 * series know one: the series has no per-day min and max, and its sums of day-by-day changes came
 * out 4.6e-16 and 1.9e-14 for constant arms (of 0.1 and 9.99, against the other arm's value as the
 * shift), where the results page, then reading its min and max, said 0. ~450 ulps: it takes real data whose spread is 3 million
 * times smaller than its distance from the pooled median to be read as constant.
 */
const ROUNDING_SHARE = 1e-13;

/** Σ(d − mean)² from Σd² and (Σd)²/n, with rounding-sized (and negative) results as 0. */
const spread = (sumSquares: number, meanTimesSum: number): number => {
  const ss = sumSquares - meanTimesSum;
  return ss <= ROUNDING_SHARE * Math.abs(sumSquares) ? 0 : ss;
};

/**
 * The nearest-rank position (0-based) of quantile q among n sorted values: ceil(q·n) − 1. The
 * percentile cap is the value there, pooled over every arm.
 */
export const nearestRank = (q: number, n: number): number => Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));

/**
 * Where the nearest-rank value sits when n − m exposed users have no rows (value 0) and
 * `negatives` of the m per-user values are below 0: an offset into the m stored values sorted
 * ascending, or "zero" when it falls among the implicit zeros.
 */
export function percentileOffset(q: number, n: number, m: number, negatives: number): number | "zero" | null {
  if (n <= 0) return null;
  const k = nearestRank(q, n);
  const zeros = n - m;
  if (k < negatives) return k;
  if (k < negatives + zeros) return "zero";
  return k - zeros;
}

/** Fewer sampled values than this, and the one pass shifts by the metric's exact mean instead. */
export const MIN_SHIFT_SAMPLE = 16;

/**
 * The shift of each metric's one pass: the median of its values in the sample (METRIC_SAMPLE_SQL),
 * when the sample holds at least MIN_SHIFT_SAMPLE of them. A median of an unrelated sample lies,
 * with high probability, between the quartiles, which are within √3 standard deviations of the
 * mean (Cantelli), so shifted sums lose under one digit to cancellation; an outlier cannot drag
 * it the way it drags a sample mean or a minimum.
 */
export function sampleShifts(sample: readonly { metric_name: string; v: number }[]): Map<string, number> {
  const byMetric = new Map<string, number[]>();
  for (const s of sample) {
    const values = byMetric.get(s.metric_name);
    if (values) values.push(s.v);
    else byMetric.set(s.metric_name, [s.v]);
  }
  const shifts = new Map<string, number>();
  for (const [metric, values] of byMetric) {
    if (values.length < MIN_SHIFT_SAMPLE) continue;
    values.sort((a, b) => a - b);
    shifts.set(metric, values[values.length >> 1] as number);
  }
  return shifts;
}

/** A row of USER_VALUE_READING_SQL; variant_id null: users without exposure. */
export interface ValueReadingRow extends ArmSums {
  variant_id: string | null;
  negatives: number;
  postRows: number;
  preRows: number;
  shift: number;
}

/** A row of USER_BINOMIAL_READING_SQL. */
export interface BinomialReadingRow {
  variant_id: string | null;
  users: number;
  positives: number;
  prePositives: number;
  bothPositive: number;
  postRows: number;
  preRows: number;
}

/** What the one pass over a metric's users tells the analysis. */
export interface MetricReading {
  /** Per exposed variant: the sums of the analysis (shifted by `shift`). */
  arms: Map<string, ArmSums>;
  shift: number;
  /** Exposed users with rows, the sum of their values, how many of those are < 0. */
  users: number;
  sum: number;
  negatives: number;
  /** Data quality: rows of users without exposure, rows before the user's exposure. */
  unexposedRows: number;
  preRows: number;
}

function readingOf<R extends { variant_id: string | null; users: number; postRows: number; preRows: number }>(
  rows: readonly R[],
  arm: (r: R) => ArmSums,
  negatives: (r: R) => number,
  shift: number,
): MetricReading {
  const reading: MetricReading = {
    arms: new Map(),
    shift,
    users: 0,
    sum: 0,
    negatives: 0,
    unexposedRows: 0,
    preRows: 0,
  };
  for (const r of rows) {
    reading.preRows += r.preRows;
    if (r.variant_id === null) {
      reading.unexposedRows += r.postRows;
      continue;
    }
    const sums = arm(r);
    reading.arms.set(r.variant_id, sums);
    reading.users += r.users;
    reading.sum += sums.sum;
    reading.negatives += negatives(r);
  }
  return reading;
}

export const valueReading = (rows: readonly ValueReadingRow[]): MetricReading =>
  readingOf(
    rows,
    (r) => ({
      users: r.users,
      sum: r.sum,
      sumD: r.sumD,
      sumD2: r.sumD2,
      min: r.min,
      max: r.max,
      sumXD: r.sumXD,
      sumXD2: r.sumXD2,
      sumXYD: r.sumXYD,
    }),
    (r) => r.negatives,
    rows[0]?.shift ?? 0,
  );

/** 0/1 values: every sum of Y (or Y²) is the count of positives, and no shift. */
export const binomialReading = (rows: readonly BinomialReadingRow[]): MetricReading =>
  readingOf(
    rows,
    (r) => ({
      users: r.users,
      sum: r.positives,
      sumD: r.positives,
      sumD2: r.positives,
      min: r.users === 0 ? null : r.positives === r.users ? 1 : 0,
      max: r.users === 0 ? null : r.positives > 0 ? 1 : 0,
      sumXD: r.prePositives,
      sumXD2: r.prePositives,
      sumXYD: r.bothPositive,
    }),
    () => 0,
    0,
  );
