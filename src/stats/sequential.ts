/**
 * Always-valid confidence sequences for an asymptotically normal estimate (Howard, Ramdas,
 * McAuliffe & Sekhon, "Time-uniform, nonparametric, nonasymptotic confidence sequences", and
 * Waudby-Smith et al. 2023, arXiv 2103.06476 eq. 9), in GrowthBook's parametrisation:
 *
 *   ρ = sqrt((−2 ln α + ln(−2 ln α + 1)) / tuning)
 *   halfwidth = se · sqrt(2 (Nρ² + 1) / (Nρ²) · ln(sqrt(Nρ² + 1) / α))
 *
 * where N is the total sample size (both arms) and se the standard error of the estimate. The
 * tuning parameter is the N at which the sequence is tightest; any N works, the choice only moves
 * where the price of continuous monitoring is paid. The p-value is the reciprocal of the
 * mixture e-value, p = min(1, sqrt(Nρ² + 1) · exp(−ρ² N (est/se)² / (2(Nρ² + 1)))), built so that
 * p ≤ α exactly when the interval at that α excludes 0.
 */

function sequentialRho(alpha: number, tuning: number): number {
  const l = -2 * Math.log(alpha);
  return Math.sqrt((l + Math.log(l + 1)) / tuning);
}

/** Half-width of the (1 − alpha) confidence sequence for an estimate with standard error `se` after `n` users. */
export function sequentialHalfwidth(se: number, n: number, alpha: number, tuning: number): number {
  const rho2 = sequentialRho(alpha, tuning) ** 2;
  const nr = n * rho2;
  return se * Math.sqrt(((2 * (nr + 1)) / nr) * Math.log(Math.sqrt(nr + 1) / alpha));
}

/** Always-valid p-value of H0: effect = 0, consistent with sequentialHalfwidth at the same alpha. */
export function sequentialPValue(estimate: number, se: number, n: number, alpha: number, tuning: number): number {
  const rho2 = sequentialRho(alpha, tuning) ** 2;
  const tr2p1 = n * rho2 + 1;
  const z = estimate / se;
  // log of the e-value; exp(−log e) rather than 1/exp(log e) keeps tiny p-values from overflowing.
  const logE = (rho2 * n * z * z) / (2 * tr2p1) - 0.5 * Math.log(tr2p1);
  return logE <= 0 ? 1 : Math.exp(-logE);
}
