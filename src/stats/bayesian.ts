/**
 * Bayesian engine, after GrowthBook's: a Gaussian model of the relative lift δ = t/c − 1.
 * The data say δ ≈ N(lift, se²) with lift and se from the delta method (frequentist.ts). The prior is
 * flat (improper) by default, GrowthBook's default; a proper Gaussian prior N(m, s²) on δ can be given.
 * The posterior is then N(μ, σ²) with 1/σ² = 1/se² + 1/s², μ = σ²(lift/se² + m/s²). From it:
 * - chance_to_beat_control = P(δ > 0) = Φ(μ/σ) ("decrease" metrics: P(δ < 0));
 * - expected_loss = E[max(0, −δ)] = σφ(μ/σ) − μΦ(−μ/σ), the lift you expect to give up by shipping
 *   the treatment if it is in fact worse ("decrease": E[max(0, δ)]); in relative-lift units;
 * - credible interval μ ± z·σ on the lift.
 * The absolute difference gets the flat-prior posterior N(difference, se_abs²).
 *
 * Sequential (the experiment's `sequential: true`): the data's standard errors are widened by the
 * factor the always-valid confidence sequence applies at this sample size (sequential.ts). The
 * decision is one-sided (chance ≥ level, or ≤ 1 − level), an error of α = 1 − level per side, so
 * the factor is the sequence's at two-sided 2α over the fixed quantile z(α): with a flat prior the
 * chance then reaches the level exactly when the always-valid 1 − 2α interval excludes 0 on that
 * side, and the level's credible interval (z(α/2) of the widened spread) is wider than the
 * frequentist engine's sequential interval at that level, so it is always valid too. Without it,
 * reading a 95% chance-to-win every day declares false winners as often as a peeked p-value does.
 */
import { agrestiCaffoVariance, successesOf } from "./binary";
import { standardNormalCdf, standardNormalPdf, standardNormalUpperQuantile } from "./distributions";
import { sequentialHalfwidth } from "./sequential";
import {
  EMPTY_COMPARISON,
  type FrequentistComparison,
  liftMoments,
  RATE_LIFT_FLOOR,
  REASONS,
  sampleVariance,
  validateConfidence,
} from "./frequentist";
import type { Direction, Moments } from "./model";

interface GaussianPrior {
  /** Prior mean of the relative lift, e.g. 0. */
  mean: number;
  /** Prior variance of the relative lift, e.g. 0.09 (GrowthBook's proper prior: sd 0.3). */
  variance: number;
}

export interface BayesianOptions {
  confidence: number;
  binary: boolean;
  /** null or absent: flat prior. */
  prior?: GaussianPrior | null;
  shift?: number;
  direction?: Direction;
  /** Continuous monitoring: widen the data's uncertainty as the confidence sequence does. */
  sequential?: { tuning: number } | null;
}

export interface BayesianComparison extends FrequentistComparison {
  /** Expected relative lift lost by shipping the treatment (0.01 = one point of lift). */
  expected_loss: number | null;
  /** Credible interval on the relative lift (same as lift_ci_low/high). */
  credible_low: number | null;
  credible_high: number | null;
}

const EMPTY: BayesianComparison = { ...EMPTY_COMPARISON, expected_loss: null, credible_low: null, credible_high: null };

/** Posterior summaries of δ ~ N(mu, sigma²). */
function gaussianDecision(mu: number, sigma: number, direction: Direction): { chance: number; expectedLoss: number } {
  const r = mu / sigma;
  if (direction === "increase") {
    return { chance: standardNormalCdf(r), expectedLoss: sigma * standardNormalPdf(r) - mu * standardNormalCdf(-r) };
  }
  return { chance: standardNormalCdf(-r), expectedLoss: sigma * standardNormalPdf(r) + mu * standardNormalCdf(r) };
}

export function compareBayesian(control: Moments, treatment: Moments, o: BayesianOptions): BayesianComparison {
  validateConfidence(o.confidence);
  const prior = o.prior ?? null;
  if (prior !== null && !(prior.variance > 0 && Number.isFinite(prior.variance) && Number.isFinite(prior.mean))) {
    throw new RangeError("prior variance must be finite and > 0, and its mean finite");
  }
  const direction = o.direction ?? "increase";
  if (control.n < 1 || treatment.n < 1 || !Number.isFinite(control.mean) || !Number.isFinite(treatment.mean)) {
    return { ...EMPTY, reason: REASONS.noUsers };
  }
  const shift = o.shift ?? 0;
  const difference = treatment.mean - control.mean;
  const controlMean = control.mean + shift;
  const treatmentMean = treatment.mean + shift;
  const xc = o.binary ? successesOf(control.n, controlMean) : null;
  const xt = o.binary ? successesOf(treatment.n, treatmentMean) : null;
  let vc: number;
  let vt: number;
  if (xc !== null && xt !== null) {
    vc = agrestiCaffoVariance(xc, control.n);
    vt = agrestiCaffoVariance(xt, treatment.n);
  } else {
    if (control.n < 2 || treatment.n < 2) return { ...EMPTY, difference, reason: REASONS.oneUser };
    vc = sampleVariance(control.variance) / control.n;
    vt = sampleVariance(treatment.variance) / treatment.n;
    if (vc + vt === 0) return { ...EMPTY, difference, reason: REASONS.noSpread };
    if (vc === 0 || vt === 0) return { ...EMPTY, difference, reason: REASONS.armNoSpread };
  }
  const z = standardNormalUpperQuantile((1 - o.confidence) / 2);
  // The always-valid half-width over the fixed one at the decision's two-sided level (both are
  // proportional to the standard error); levels below 75% are read as 75% (α = 0.5 at most).
  const alpha2 = Math.min(2 * (1 - o.confidence), 0.5);
  const widen = o.sequential
    ? sequentialHalfwidth(1, control.n + treatment.n, alpha2, o.sequential.tuning) /
      standardNormalUpperQuantile(alpha2 / 2)
    : 1;
  const seAbs = Math.sqrt(vc + vt) * widen;
  const absolute = { difference, ci_low: difference - z * seAbs, ci_high: difference + z * seAbs };
  const lift = liftMoments(controlMean, treatmentMean, difference, vc, vt, z);
  if (lift === null) return { ...EMPTY, ...absolute, reason: REASONS.controlZero };

  const dataSe = lift.se * widen;
  const dataPrecision = 1 / (dataSe * dataSe);
  const priorPrecision = prior === null ? 0 : 1 / prior.variance;
  const precision = dataPrecision + priorPrecision;
  const mu = prior === null ? lift.lift : (lift.lift * dataPrecision + prior.mean * priorPrecision) / precision;
  const sigma = Math.sqrt(1 / precision);
  const { chance, expectedLoss } = gaussianDecision(mu, sigma, direction);
  // A rate's lift is at least −100% (frequentist.ts, RATE_LIFT_FLOOR).
  const low = xc !== null && xt !== null ? Math.max(mu - z * sigma, RATE_LIFT_FLOOR) : mu - z * sigma;
  const high = mu + z * sigma;
  return {
    ...absolute,
    p_value: null,
    relative_lift: lift.lift,
    lift_ci_low: low,
    lift_ci_high: high,
    chance_to_beat_control: chance,
    // GrowthBook's reading (and buildAnalysis's): the chance to beat control reaches the confidence
    // level, or falls to 1 − level (losing). One-sided, so it can hold while the interval touches 0.
    significant: chance >= o.confidence || chance <= 1 - o.confidence,
    reason: null,
    expected_loss: Math.max(0, expectedLoss),
    credible_low: low,
    credible_high: high,
  };
}
