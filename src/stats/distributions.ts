/**
 * The distribution functions the statistics need, each written so that a tail probability is
 * computed directly rather than as `1 - cdf`: the p-values that matter most are the small
 * ones, and `1 - cdf` cancels to 0 (or to noise) once the cdf is within 1e-16 of 1.
 */
import betainc from "@stdlib/math-base-special-betainc";
import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";
import tCdf from "@stdlib/stats-base-dists-t-cdf";
import tQuantile from "@stdlib/stats-base-dists-t-quantile";

/** Φ(z), the standard normal cdf. Accurate in both tails (stdlib goes through erfc). */
export function standardNormalCdf(z: number): number {
  return normalCdf(z, 0, 1);
}

/** φ(z), the standard normal density. */
export function standardNormalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/** The z with P(Z > z) = tail. Taking the tail, not 1 − tail, keeps small tails exact. */
export function standardNormalUpperQuantile(tail: number): number {
  return -normalQuantile(tail, 0, 1);
}

/** P(T ≤ t) for Student's t with `df` (possibly fractional) degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  return tCdf(t, df);
}

/**
 * P(|T| ≥ |t|) for Student's t with `df` (possibly fractional) degrees of freedom.
 * stdlib evaluates the lower tail for a negative argument with an incomplete beta and no
 * subtraction, so 2·F(-|t|) keeps full relative precision down to the smallest doubles.
 */
export function studentTTwoSided(t: number, df: number): number {
  if (t === 0) return 1;
  return Math.min(1, 2 * tCdf(-Math.abs(t), df));
}

/** The upper quantile t such that P(T > t) = tail. Taking the tail, not 1 - tail, avoids
 * rounding the probability before stdlib inverts it. */
export function studentTUpperQuantile(tail: number, df: number): number {
  return -tQuantile(tail, df);
}

/** P(X ≥ x) for X ~ Binomial(n, p): the regularized incomplete beta I_p(x, n − x + 1), no subtraction. */
export function binomialUpperTail(x: number, n: number, p: number): number {
  if (x <= 0) return 1;
  if (x > n) return 0;
  return betainc(p, x, n - x + 1, true, false);
}

/** P(X ≤ x) for X ~ Binomial(n, p): I_{1−p}(n − x, x + 1), evaluated as the upper incomplete beta at p. */
export function binomialLowerTail(x: number, n: number, p: number): number {
  if (x < 0) return 0;
  if (x >= n) return 1;
  return betainc(p, x + 1, n - x, true, true);
}

/**
 * P(X ≥ x) for chi-square with an integer number of degrees of freedom (SRM only ever needs
 * k - 1). Uses the closed form that follows from Q(x; k+2) = Q(x; k) + (x/2)^(k/2) e^(-x/2) /
 * Γ(k/2 + 1), starting from Q(x; 1) = 2Φ(-√x) or Q(x; 2) = e^(-x/2): a sum of positive terms,
 * so no cancellation whichever tail x is in. Terms are built in log space so that e^(-x/2)
 * underflowing for a large statistic does not zero out terms that are still representable.
 * Cost is df/2 terms, negligible for any realistic number of variants.
 */
export function chiSquareSurvival(x: number, df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`df must be a positive integer, got ${df}`);
  if (!(x > 0)) return 1;
  const odd = df % 2 === 1;
  let sum = odd ? 2 * standardNormalCdf(-Math.sqrt(x)) : 0;
  // log of the term for s = 1 (odd chain) or s = 0 (even chain): see the recurrence above.
  let logTerm = odd ? 0.5 * Math.log((2 * x) / Math.PI) - x / 2 : -x / 2;
  let s = odd ? 1 : 0;
  while (s <= df - 2) {
    sum += Math.exp(logTerm);
    s += 2;
    logTerm += Math.log(x / s);
  }
  return Math.min(1, sum);
}
