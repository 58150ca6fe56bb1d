/**
 * CUPED (Deng et al. 2013) exactly as docs/contract.md defines it: X is a user's pre-exposure value of the same
 * metric, theta = Cov(X, Y) / Var(X) over all users of all arms pooled together (as GrowthBook), and
 * each user's value becomes Y' = Y − theta·(X − mean(X)), mean(X) over all users.
 *
 * Everything follows from per-arm moments, with no second pass over users:
 * - pooled sums of squares and products: S = Σ_i [(n_i − 1)·s_i + n_i·(a_i − ā)(b_i − b̄)];
 * - arm i's adjusted mean: mean_Y,i − theta·(mean_X,i − mean(X));
 * - arm i's adjusted sample variance: Var(Y) − 2·theta·Cov(X, Y) + theta²·Var(X) within the arm
 *   (an affine map of each user's values, so this is exact, not an approximation).
 * variance_reduction = 1 − Σ Var(Y'_i)/n_i ÷ Σ Var(Y_i)/n_i: the share of the squared standard
 * errors removed, which tends to ρ² for a covariate with correlation ρ.
 */
import type { CovariateMoments, Moments } from "./model";

export interface CupedResult {
  theta: number | null;
  variance_reduction: number | null;
  /** Adjusted moments, one per input arm, in order (unadjusted copies when theta is null). */
  arms: Moments[];
  reason: string | null;
}

/** Within-arm spread of an arm with fewer than 2 users is 0 by definition, whatever the caller passed. */
function within(n: number, s: number): number {
  return n >= 2 && Number.isFinite(s) ? (n - 1) * s : 0;
}

export function cuped(arms: readonly CovariateMoments[]): CupedResult {
  const unadjusted = arms.map((a) => ({ n: a.n, mean: a.mean, variance: a.variance }));
  let total = 0;
  let sumX = 0;
  let sumY = 0;
  for (const a of arms) {
    if (!Number.isInteger(a.n) || a.n < 0) throw new RangeError(`n must be a non-negative integer, got ${a.n}`);
    if (a.n === 0) continue;
    total += a.n;
    sumX += a.n * a.meanX;
    sumY += a.n * a.mean;
  }
  if (total < 3) return { theta: null, variance_reduction: null, arms: unadjusted, reason: "too few users for CUPED" };
  const meanX = sumX / total;
  const meanY = sumY / total;
  let sxx = 0;
  let sxy = 0;
  for (const a of arms) {
    if (a.n === 0) continue;
    const dx = a.meanX - meanX;
    sxx += within(a.n, a.varianceX) + a.n * dx * dx;
    sxy += within(a.n, a.covarianceXY) + a.n * dx * (a.mean - meanY);
  }
  if (!(sxx > 0) || !Number.isFinite(sxy)) {
    return {
      theta: null,
      variance_reduction: null,
      arms: unadjusted,
      reason: "no user has a different pre-exposure value, so there is nothing to adjust with",
    };
  }
  const theta = sxy / sxx;
  let before = 0;
  let after = 0;
  const adjusted = arms.map((a): Moments => {
    if (a.n === 0) return { n: 0, mean: a.mean, variance: a.variance };
    const mean = a.mean - theta * (a.meanX - meanX);
    if (a.n < 2) return { n: a.n, mean, variance: a.variance };
    // Clamp: rounding can push a near-perfect adjustment a hair below zero.
    const variance = Math.max(0, a.variance - 2 * theta * a.covarianceXY + theta * theta * a.varianceX);
    before += a.variance / a.n;
    after += variance / a.n;
    return { n: a.n, mean, variance };
  });
  return {
    theta,
    variance_reduction: before > 0 ? 1 - after / before : null,
    arms: adjusted,
    reason: null,
  };
}
