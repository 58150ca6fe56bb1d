/** The value axis of live charts. Pure: test/unit/live-axis.test.ts holds its table. */

export interface RangeOptions {
  /** Counts start at 0 and end on a whole number. */
  count: boolean;
  /** Values that must stay in view besides the data (rule thresholds). */
  marks?: readonly number[];
}

/**
 * [min, max] of the y scale: the data and marks with 10% headroom. Counts start at 0; data that is
 * never negative never gets a negative axis; one flat value gets a band around it instead of a
 * zero-height scale (which uPlot would label 0.1 apart).
 */
export function yRange(values: readonly (number | null)[], { count, marks = [] }: RangeOptions): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of [...values, ...marks]) {
    if (v === null || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return [0, 1];
  const nonNegative = lo >= 0;
  if (count && nonNegative) lo = 0;
  const span = hi - lo;
  const pad = span > 0 ? span * 0.1 : Math.abs(hi) * 0.1 || 1;
  let min = count && nonNegative ? 0 : lo - pad;
  let max = hi + pad;
  if (nonNegative && min < 0) min = 0;
  if (count) {
    min = Math.floor(min);
    max = Math.max(1, Math.ceil(max));
  }
  return [min, max];
}

/** Tick steps for whole-number axes (uPlot `incrs`): never 0.1 apart. */
export const WHOLE_STEPS: number[] = [1, 2, 5]
  .flatMap((m) => Array.from({ length: 13 }, (_, e) => m * 10 ** e))
  .sort((a, b) => a - b);
