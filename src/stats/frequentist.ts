/**
 * Treatment versus control for one metric, frequentist engine (docs/statistics.md):
 * - mean metrics: Welch's t-test and interval on the difference, chance to beat control
 *   1 − one-sided Welch p from the t distribution;
 * - binary metrics: Newcombe's hybrid score interval and the p-value that inverts it (binary.ts);
 * - relative lift t/c − 1 with a delta-method interval, only when the control mean is clearly ≠ 0;
 * - sequential: every interval and p-value replaced by its always-valid version (sequential.ts).
 * Anything that cannot be computed honestly is null, with `reason` saying why.
 */
import { agrestiCaffoVariance, newcombeInterval, newcombePValue, successesOf } from "./binary";
import { standardNormalUpperQuantile, studentTCdf, studentTTwoSided, studentTUpperQuantile } from "./distributions";
import type { Direction, Moments } from "./model";
import { sequentialHalfwidth, sequentialPValue } from "./sequential";

export interface CompareOptions {
  /** Two-sided confidence level, e.g. 0.95. */
  confidence: number;
  /** Binomial metric (values 0/1): the interval stays valid at 0% and 100%. */
  binary: boolean;
  /** Always-valid confidence sequence (Howard et al. asymptotic, GrowthBook's parametrisation). */
  sequential: { tuning: number } | null;
  /** The shift subtracted from every arm's mean (Moments.mean); added back for the relative lift. Default 0. */
  shift?: number;
  /** Which way is better; chance_to_beat_control is the chance of being better that way. Default "increase". */
  direction?: Direction;
}

export interface FrequentistComparison {
  difference: number | null;
  ci_low: number | null;
  ci_high: number | null;
  /** Two-sided. */
  p_value: number | null;
  /** t.mean / c.mean − 1; null when the control mean is not clearly ≠ 0. */
  relative_lift: number | null;
  lift_ci_low: number | null;
  lift_ci_high: number | null;
  /** Chance the treatment is better in the metric's direction: 1 − one-sided p. */
  chance_to_beat_control: number | null;
  /** The interval on the difference excludes 0 (p < 1 − confidence), before any correction. */
  significant: boolean;
  reason: string | null;
}

/** Every statistic null: the start of any comparison that cannot be computed (the Bayesian one too). */
export const EMPTY_COMPARISON: FrequentistComparison = {
  difference: null,
  ci_low: null,
  ci_high: null,
  p_value: null,
  relative_lift: null,
  lift_ci_low: null,
  lift_ci_high: null,
  chance_to_beat_control: null,
  significant: false,
  reason: null,
};

export const REASONS = {
  noUsers: "a variant has no users yet",
  oneUser: "a variant has fewer than 2 users, so its spread cannot be estimated",
  noSpread: "every value is the same in both variants, so there is no spread to measure uncertainty from",
  armNoSpread:
    "every value is the same in one variant, so its uncertainty cannot be estimated (an interval would rest on the other variant alone)",
  controlZero: "the control mean is not clearly different from 0, so a relative lift would be noise",
} as const;

export function validateConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
}

function validateArm(name: string, m: Moments): void {
  if (!Number.isInteger(m.n) || m.n < 0) throw new RangeError(`${name}.n must be a non-negative integer, got ${m.n}`);
}

/** Standard error of the difference and the degrees of freedom its quantile uses (Infinity: normal). */
interface Spread {
  se: number;
  df: number;
}

/**
 * A rate cannot fall by more than all of it: the lift of a 0/1 metric is at least −100%. The delta
 * method's symmetric interval can reach below (5/5 vs 0/5 gives −126%); cutting it at the bound
 * only removes values the lift cannot take, so the interval covers the true lift as often as before.
 */
export const RATE_LIFT_FLOOR = -1;

/**
 * The lift's point estimate and delta-method standard error, or a reason why there is none.
 * Var(t/c − 1) ≈ Var(t)/c² + t²·Var(c)/c⁴ (first-order Taylor expansion around the means).
 */
export function liftMoments(
  controlMean: number,
  treatmentMean: number,
  difference: number,
  controlMeanVariance: number,
  treatmentMeanVariance: number,
  z: number,
): { lift: number; se: number } | null {
  // "Clearly non-zero": the control mean's own interval excludes 0. Otherwise the ratio's
  // distribution has no finite variance (Fieller's interval is unbounded) and a point estimate
  // like 2e17 (FINDINGS: control [0.1, 0.2, −0.3]) is pure rounding noise.
  if (!(Math.abs(controlMean) > z * Math.sqrt(controlMeanVariance)) || controlMean === 0) return null;
  // The difference comes from the (possibly shifted) means as given: exact even when the real means
  // are ~1e12 and treatmentMean − controlMean would cancel.
  const lift = difference / controlMean;
  const c2 = controlMean * controlMean;
  const se = Math.sqrt(treatmentMeanVariance / c2 + (treatmentMean * treatmentMean * controlMeanVariance) / (c2 * c2));
  if (!Number.isFinite(lift) || !Number.isFinite(se)) return null;
  return { lift, se };
}

export function compareFrequentist(control: Moments, treatment: Moments, o: CompareOptions): FrequentistComparison {
  validateConfidence(o.confidence);
  validateArm("control", control);
  validateArm("treatment", treatment);
  if (o.sequential !== null && !(o.sequential.tuning > 0)) {
    throw new RangeError(`sequential tuning must be > 0, got ${o.sequential.tuning}`);
  }
  const alpha = 1 - o.confidence;
  const shift = o.shift ?? 0;
  const increase = (o.direction ?? "increase") === "increase";
  if (control.n < 1 || treatment.n < 1 || !Number.isFinite(control.mean) || !Number.isFinite(treatment.mean)) {
    return { ...EMPTY_COMPARISON, reason: REASONS.noUsers };
  }
  const difference = treatment.mean - control.mean;
  const z = standardNormalUpperQuantile(alpha / 2);
  const controlMean = control.mean + shift;
  const treatmentMean = treatment.mean + shift;
  const xc = o.binary ? successesOf(control.n, controlMean) : null;
  const xt = o.binary ? successesOf(treatment.n, treatmentMean) : null;

  let ci: { low: number; high: number };
  let pValue: number;
  let chance: number;
  let spread: Spread;
  let liftVariances: { c: number; t: number };
  if (xc !== null && xt !== null) {
    // Binary: Newcombe for the fixed-horizon interval and p; Agresti-Caffo for every standard error.
    const ac = agrestiCaffoVariance(xc, control.n);
    const at = agrestiCaffoVariance(xt, treatment.n);
    spread = { se: Math.sqrt(ac + at), df: Number.POSITIVE_INFINITY };
    liftVariances = { c: ac, t: at };
    const nc = newcombeInterval(xc, control.n, xt, treatment.n, z);
    ci = { low: nc.low, high: nc.high };
    pValue = newcombePValue(xc, control.n, xt, treatment.n);
    const upper = difference >= 0 ? 1 - pValue / 2 : pValue / 2; // P(treatment > control)
    chance = difference === 0 ? 0.5 : increase ? upper : 1 - upper;
  } else {
    if (control.n < 2 || treatment.n < 2) {
      return { ...EMPTY_COMPARISON, difference, reason: REASONS.oneUser };
    }
    const vc = sampleVariance(control.variance);
    const vt = sampleVariance(treatment.variance);
    const a = vc / control.n;
    const b = vt / treatment.n;
    const seSq = a + b;
    if (seSq === 0) return { ...EMPTY_COMPARISON, difference, reason: REASONS.noSpread };
    // One constant arm (20 users who all spent 0, say): Welch would use the other arm's spread alone
    // and claim too much certainty. Not computed, as GrowthBook's engine also refuses (docs/statistics.md).
    if (a === 0 || b === 0) return { ...EMPTY_COMPARISON, difference, reason: REASONS.armNoSpread };
    const se = Math.sqrt(seSq);
    // Welch–Satterthwaite, with a and b divided by their sum first: the textbook form overflows or
    // underflows when variances are beyond ~1e±150, this one never does.
    const ra = a / seSq;
    const rb = b / seSq;
    const df = 1 / ((ra * ra) / (control.n - 1) + (rb * rb) / (treatment.n - 1));
    spread = { se, df };
    liftVariances = { c: a, t: b };
    const q = studentTUpperQuantile(alpha / 2, df);
    ci = { low: difference - q * se, high: difference + q * se };
    const t = difference / se;
    pValue = studentTTwoSided(t, df);
    // 1 − one-sided p: P(T ≤ t) for "increase", P(T ≥ t) = P(T ≤ −t) for "decrease".
    chance = studentTCdf(increase ? t : -t, df);
  }

  const totalN = control.n + treatment.n;
  if (o.sequential !== null) {
    const h = sequentialHalfwidth(spread.se, totalN, alpha, o.sequential.tuning);
    ci = { low: difference - h, high: difference + h };
    pValue = sequentialPValue(difference, spread.se, totalN, alpha, o.sequential.tuning);
  }

  const lift = liftMoments(controlMean, treatmentMean, difference, liftVariances.c, liftVariances.t, z);
  let liftCi: { low: number; high: number } | null = null;
  if (lift !== null) {
    const h =
      o.sequential !== null
        ? sequentialHalfwidth(lift.se, totalN, alpha, o.sequential.tuning)
        : (Number.isFinite(spread.df) ? studentTUpperQuantile(alpha / 2, spread.df) : z) * lift.se;
    liftCi = { low: lift.lift - h, high: lift.lift + h };
    if (xc !== null && xt !== null) liftCi.low = Math.max(liftCi.low, RATE_LIFT_FLOOR);
  }
  return {
    difference,
    ci_low: finiteOrNull(ci.low),
    ci_high: finiteOrNull(ci.high),
    p_value: finiteOrNull(pValue),
    relative_lift: lift === null ? null : lift.lift,
    lift_ci_low: liftCi === null ? null : finiteOrNull(liftCi.low),
    lift_ci_high: liftCi === null ? null : finiteOrNull(liftCi.high),
    chance_to_beat_control: finiteOrNull(chance),
    significant: pValue < alpha,
    reason: lift === null ? REASONS.controlZero : null,
  };
}

/**
 * A variance as the comparison uses it. One computed in SQL from sums can round a hair below 0 when the
 * values are all equal: that is 0. NaN or infinity is a caller bug, reported as such.
 */
export function sampleVariance(v: number): number {
  if (!Number.isFinite(v)) throw new RangeError(`variance must be finite, got ${v}`);
  return Math.max(0, v);
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
