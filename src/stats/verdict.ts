/**
 * The one-word reading of a comparison, by the metric's direction. A guardrail is a metric that must
 * not get worse: it is "guardrail_failed" when significantly worse, never "losing", and otherwise
 * reads like any metric.
 */
import type { Direction, Verdict } from "./model";

export function verdictOf(o: {
  significant: boolean;
  difference: number | null;
  direction: Direction;
  guardrail: boolean;
}): Verdict {
  if (!o.significant || o.difference === null || o.difference === 0 || !Number.isFinite(o.difference)) {
    return "inconclusive";
  }
  const better = o.direction === "increase" ? o.difference > 0 : o.difference < 0;
  if (better) return "winning";
  return o.guardrail ? "guardrail_failed" : "losing";
}
