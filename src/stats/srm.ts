/**
 * Sample ratio mismatch: are exposures split the way the experiment was configured?
 * A chi-square goodness-of-fit test with k − 1 degrees of freedom against the configured
 * percentages (normalized, so weights need not sum to 100).
 *
 * Groups with a 0% share: a 0% variant that received nobody carries no information and is
 * left out (it does not add a degree of freedom). A 0% variant that received anyone cannot
 * happen with correct bucketing, so that is reported as a certain mismatch (p = 0; scipy
 * would produce an infinite statistic). p_value is null, and mismatch false, when there are
 * no exposures or fewer than 2 groups with a share: there is nothing to compare.
 */
import { chiSquareSurvival } from "./distributions";

/** The threshold is deliberately strict: SRM is checked on every look at every experiment. */
export const SRM_ALPHA = 0.001;

export interface SrmResult {
  p_value: number | null;
  mismatch: boolean;
}

export function srmCheck(observedCounts: readonly number[], expectedPercentages: readonly number[]): SrmResult {
  if (observedCounts.length !== expectedPercentages.length) {
    throw new RangeError(`${observedCounts.length} counts for ${expectedPercentages.length} percentages`);
  }
  for (const o of observedCounts) {
    if (!Number.isFinite(o) || o < 0) throw new RangeError(`observed counts must be finite and >= 0, got ${o}`);
  }
  for (const p of expectedPercentages) {
    if (!Number.isFinite(p) || p < 0) throw new RangeError(`percentages must be finite and >= 0, got ${p}`);
  }

  const total = sum(observedCounts);
  const shareTotal = sum(expectedPercentages);
  if (total === 0 || shareTotal === 0) return { p_value: null, mismatch: false };

  let statistic = 0;
  let groups = 0;
  for (let i = 0; i < observedCounts.length; i++) {
    const observed = observedCounts[i] ?? 0;
    const share = expectedPercentages[i] ?? 0;
    if (share === 0) {
      if (observed > 0) return { p_value: 0, mismatch: true };
      continue;
    }
    const expected = (share / shareTotal) * total;
    statistic += ((observed - expected) * (observed - expected)) / expected;
    groups++;
  }
  if (groups < 2) return { p_value: null, mismatch: false };
  const p = chiSquareSurvival(statistic, groups - 1);
  return { p_value: p, mismatch: p < SRM_ALPHA };
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}
