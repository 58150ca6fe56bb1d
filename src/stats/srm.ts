/**
 * Sample ratio mismatch: did exposures split the way the bucketing serves them? Expected shares are
 * the bucket widths actually served (servedBucketWidths in src/evaluation/bucketing.ts, through servedShares in src/experiments/analysis.ts), normalized,
 * so at low coverage the basis-point rounding is not mistaken for a mismatch.
 *
 * The test is exact: each arm's count against Binomial(total, share), two-sided as twice the smaller
 * tail, Bonferroni over the arms (with two arms both tests are the same one, so no factor). The
 * chi-square approximation it replaces raised false alarms at several times the nominal rate when an
 * arm expects few users (1/99 split: 0.58% at n = 266 for a nominal 0.1%, even with 8 users per arm);
 * the exact test never exceeds its level, whatever n.
 *
 * Null semantics: p_value null with a reason while any variant that should receive users has fewer
 * than SRM_MIN_USERS, or when fewer than 2 variants have a share. A variant with a zero share that
 * received anyone cannot happen with correct bucketing: a certain mismatch (p = 0).
 */
import { binomialLowerTail, binomialUpperTail } from "./distributions";
import { SRM_ALPHA, SRM_MIN_USERS } from "./model";

export interface SrmResult {
  p_value: number | null;
  mismatch: boolean;
  reason: string | null;
}

export function srmCheck(observed: readonly number[], expectedShares: readonly number[]): SrmResult {
  if (observed.length !== expectedShares.length) {
    throw new RangeError(`${observed.length} counts for ${expectedShares.length} shares`);
  }
  for (const o of observed) {
    if (!Number.isInteger(o) || o < 0) throw new RangeError(`observed counts must be integers >= 0, got ${o}`);
  }
  for (const s of expectedShares) {
    if (!Number.isFinite(s) || s < 0) throw new RangeError(`shares must be finite and >= 0, got ${s}`);
  }
  const total = sum(observed);
  const shareTotal = sum(expectedShares);
  const arms: { observed: number; share: number }[] = [];
  for (let i = 0; i < observed.length; i++) {
    const o = observed[i] ?? 0;
    const s = expectedShares[i] ?? 0;
    if (s === 0) {
      if (o > 0)
        return { p_value: 0, mismatch: true, reason: "users were counted in a variant that serves no buckets" };
      continue;
    }
    arms.push({ observed: o, share: s / shareTotal });
  }
  if (arms.length < 2) return { p_value: null, mismatch: false, reason: "fewer than 2 variants receive traffic" };
  if (arms.some((a) => a.observed < SRM_MIN_USERS)) {
    return {
      p_value: null,
      mismatch: false,
      reason: `a variant has fewer than ${SRM_MIN_USERS} users, too few to judge the split`,
    };
  }
  let smallest = 1;
  for (const a of arms) {
    const lower = binomialLowerTail(a.observed, total, a.share);
    const upper = binomialUpperTail(a.observed, total, a.share);
    smallest = Math.min(smallest, Math.min(1, 2 * Math.min(lower, upper)));
  }
  const tests = arms.length === 2 ? 1 : arms.length;
  const p = Math.min(1, tests * smallest);
  return { p_value: p, mismatch: p < SRM_ALPHA, reason: null };
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}
