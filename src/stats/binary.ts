/**
 * Intervals for a difference of two proportions that stay valid at 0% and 100%, where the Wald
 * interval collapses to a point (FINDINGS: 0/1000 vs 0/1000 gave [0, 0]; rates 0.001 vs 0.003 at
 * n = 300 were covered 70% of the time).
 *
 * Newcombe's hybrid score interval (Newcombe 1998, method 10): combine each arm's Wilson score
 * interval [l, u] into L = d − sqrt((p̂t − lt)² + (uc − p̂c)²), U = d + sqrt((ut − p̂t)² + (p̂c − lc)²).
 *
 * The p-value inverts that same interval: it is the α at which the (1 − α) Newcombe interval has 0
 * on its edge. So p < α exactly when the interval excludes 0, at every level, and the one-sided
 * version gives the chance to beat control that agrees with the interval's lower bound.
 */
import { standardNormalCdf } from "./distributions";

export interface Interval {
  low: number;
  high: number;
}

/** Wilson score interval for x successes out of n at normal quantile z. */
function wilsonInterval(x: number, n: number, z: number): Interval {
  const p = x / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  // At x = 0 or x = n the exact bound is 0 or 1; rounding can leave it a hair outside.
  return { low: x === 0 ? 0 : Math.max(0, center - half), high: x === n ? 1 : Math.min(1, center + half) };
}

/** Newcombe hybrid score interval for p_t − p_c. */
export function newcombeInterval(xc: number, nc: number, xt: number, nt: number, z: number): Interval {
  const pc = xc / nc;
  const pt = xt / nt;
  const c = wilsonInterval(xc, nc, z);
  const t = wilsonInterval(xt, nt, z);
  const d = pt - pc;
  return {
    low: d - Math.hypot(pt - t.low, c.high - pc),
    high: d + Math.hypot(t.high - pt, pc - c.low),
  };
}

/**
 * Two-sided p-value by inverting the Newcombe interval: the z at which the bound nearest 0 touches 0,
 * found by bisection (the bound moves monotonically towards 0 as z grows, and has crossed it by the
 * time the Wilson intervals approach [0, 1]), then p = 2Φ(−z).
 */
export function newcombePValue(xc: number, nc: number, xt: number, nt: number): number {
  const d = xt / nt - xc / nc;
  if (d === 0) return 1;
  const gap = (z: number): number => {
    const i = newcombeInterval(xc, nc, xt, nt, z);
    return d > 0 ? i.low : -i.high; // positive while the interval still excludes 0
  };
  let lo = 0;
  let hi = 1;
  while (gap(hi) > 0 && hi < 1e4) hi *= 2;
  for (let k = 0; k < 200 && hi - lo > 1e-15 * hi; k++) {
    const mid = 0.5 * (lo + hi);
    if (gap(mid) > 0) lo = mid;
    else hi = mid;
  }
  return Math.min(1, 2 * standardNormalCdf(-0.5 * (lo + hi)));
}

/**
 * Agresti-Caffo standard error of p_t − p_c: each arm's rate with one success and one failure added.
 * Used wherever a binary metric needs a standard error (sequential intervals, the lift's delta
 * method, the Bayesian posterior): it never collapses to 0 at 0% or 100%.
 */
export function agrestiCaffoVariance(x: number, n: number): number {
  const p = (x + 1) / (n + 2);
  return (p * (1 - p)) / (n + 2);
}

/** The number of successes behind a 0/1 arm's mean, or null when mean·n is not (close to) an integer. */
export function successesOf(n: number, mean: number): number | null {
  const x = mean * n;
  const rounded = Math.round(x);
  // mean = x / n rounds by at most n·2⁻⁵³ in x, far below this tolerance for any real n.
  if (!(Math.abs(x - rounded) <= 1e-6) || rounded < 0 || rounded > n) return null;
  return rounded;
}
