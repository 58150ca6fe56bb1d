/**
 * Multiple-comparison adjusted p-values. Nulls pass through and do not count as tests.
 * - Holm (1979), step-down: sorted ascending, p̃_(i) = max_{j ≤ i} min(1, (m − j + 1)·p_(j)).
 *   Controls the chance of any false positive among the m comparisons.
 * - Benjamini-Hochberg (1995), step-up: p̃_(i) = min_{j ≥ i} min(1, m/j·p_(j)).
 *   Controls the expected share of false positives among those called significant.
 */
import type { Correction } from "./model";

export function adjustPValues(p: readonly (number | null)[], method: Correction): (number | null)[] {
  for (const v of p) {
    if (v !== null && !(v >= 0 && v <= 1)) throw new RangeError(`p-values must be in [0, 1] or null, got ${v}`);
  }
  if (method === "none") return [...p];
  const order = p
    .map((v, i) => ({ v, i }))
    .filter((e): e is { v: number; i: number } => e.v !== null)
    .sort((a, b) => a.v - b.v || a.i - b.i);
  const m = order.length;
  const out: (number | null)[] = p.map(() => null);
  if (method === "holm") {
    let running = 0;
    order.forEach((e, j) => {
      running = Math.max(running, Math.min(1, (m - j) * e.v));
      out[e.i] = running;
    });
  } else {
    let running = 1;
    for (let j = m - 1; j >= 0; j--) {
      const e = order[j] as { v: number; i: number };
      running = Math.min(running, Math.min(1, (m / (j + 1)) * e.v));
      out[e.i] = running;
    }
  }
  return out;
}
