/**
 * Legacy per-row comparison, kept for the first-release analysis builder: Welch's unequal-variance
 * t-test, its confidence interval, and the chance to beat control from the same t distribution
 * (1 − one-sided p; it was a normal approximation, overconfident on small samples: FINDINGS).
 * New code uses compareFrequentist (frequentist.ts), which also handles binary metrics, the
 * relative lift's interval, sequential testing and null-with-reason instead of zero-width intervals.
 *
 * Null semantics (the API promises null, never NaN or Infinity):
 * - either arm empty or its mean missing: everything null;
 * - both arms have a mean but one has fewer than 2 values: `difference` and `relative_lift`
 *   are given (they are just arithmetic on the means), every inferential statistic is null;
 * - `relative_lift` is null when the control mean is 0;
 * - both variances zero (two constant arms): there is no sampling noise, so the interval is
 *   the point [difference, difference]; the p-value is 0 when the means differ (as scipy)
 *   and null when they tie (scipy: NaN); chance to beat control is 1 or 0, or null on a tie.
 */
import { studentTCdf, studentTTwoSided, studentTUpperQuantile } from "./distributions";

export interface ArmStats {
  count: number;
  mean: number | null;
  /** Sample variance (n − 1 denominator). */
  variance: number | null;
}

export interface WelchOptions {
  /** Two-sided confidence level of the interval, in (0, 1). Default 0.95. */
  confidenceLevel?: number;
}

export interface WelchComparison {
  difference: number | null;
  relative_lift: number | null;
  ci_low: number | null;
  ci_high: number | null;
  p_value: number | null;
  chance_to_beat_control: number | null;
}

const NONE: WelchComparison = {
  difference: null,
  relative_lift: null,
  ci_low: null,
  ci_high: null,
  p_value: null,
  chance_to_beat_control: null,
};

/** @deprecated use compareFrequentist. */
export function compareWelch(control: ArmStats, treatment: ArmStats, options: WelchOptions = {}): WelchComparison {
  const level = options.confidenceLevel ?? 0.95;
  if (!(level > 0 && level < 1)) throw new RangeError(`confidenceLevel must be in (0, 1), got ${level}`);
  const mc = control.mean;
  const mt = treatment.mean;
  if (control.count < 1 || treatment.count < 1 || !isFiniteNumber(mc) || !isFiniteNumber(mt)) return NONE;

  const difference = finiteOrNull(mt - mc);
  const descriptive: WelchComparison = {
    ...NONE,
    difference,
    relative_lift: mc === 0 || difference === null ? null : finiteOrNull(difference / Math.abs(mc)),
  };
  const vc = control.variance;
  const vt = treatment.variance;
  if (control.count < 2 || treatment.count < 2 || difference === null) return descriptive;
  if (!isFiniteNumber(vc) || !isFiniteNumber(vt) || vc < 0 || vt < 0) return descriptive;

  const a = vc / control.count;
  const b = vt / treatment.count;
  const seSq = a + b;
  if (seSq === 0) {
    const tie = difference === 0;
    return {
      ...descriptive,
      ci_low: difference,
      ci_high: difference,
      p_value: tie ? null : 0,
      chance_to_beat_control: tie ? null : difference > 0 ? 1 : 0,
    };
  }
  const se = Math.sqrt(seSq);
  // Welch–Satterthwaite, with a and b divided by their sum first: the textbook (a+b)²/(a²/… + b²/…)
  // overflows or underflows when variances are beyond ~1e±150, this form never does.
  const ra = a / seSq;
  const rb = b / seSq;
  const df = 1 / ((ra * ra) / (control.count - 1) + (rb * rb) / (treatment.count - 1));
  const t = difference / se;
  const q = studentTUpperQuantile((1 - level) / 2, df);
  return {
    ...descriptive,
    ci_low: finiteOrNull(difference - q * se),
    ci_high: finiteOrNull(difference + q * se),
    p_value: finiteOrNull(studentTTwoSided(t, df)),
    chance_to_beat_control: finiteOrNull(studentTCdf(t, df)),
  };
}

function isFiniteNumber(x: number | null): x is number {
  return typeof x === "number" && Number.isFinite(x);
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
