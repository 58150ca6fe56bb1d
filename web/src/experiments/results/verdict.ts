/**
 * The decision support of the results page, pure: the sentence per treatment (by the metric's
 * direction, with the adjusted p-value when a correction is on), the SRM reading (which says "not
 * enough data" rather than "passed" while it cannot judge), and the winner "Complete…" pre-selects.
 */
import type { Correction, Direction, Engine, Verdict } from "../../../../src/stats/model";
import type { Formatters, ValueFormat } from "./format";

export type Tone = "pos" | "neg" | "flat";

export const VERDICT_TONE: Record<Verdict, Tone> = {
  winning: "pos",
  losing: "neg",
  guardrail_failed: "neg",
  inconclusive: "flat",
};

const VERDICT_WORDS: Record<Verdict, string> = {
  winning: "is winning",
  losing: "is losing",
  guardrail_failed: "fails the guardrail",
  inconclusive: "shows no clear difference yet",
};

export const CORRECTION_NAMES: Record<Correction, string> = {
  none: "None",
  holm: "Holm (family-wise error)",
  bh: "Benjamini-Hochberg (false discovery rate)",
};
const CORRECTION_SHORT: Record<Correction, string> = { none: "", holm: "Holm", bh: "BH" };

export const DIRECTION_HINT: Record<Direction, string> = {
  increase: "higher is better",
  decrease: "lower is better",
};

/** The fields of a comparison the sentence reads (the API's Comparison has them all). */
export interface ComparisonLike {
  verdict: Verdict;
  relative_lift: number | null;
  lift_ci_low: number | null;
  lift_ci_high: number | null;
  credible_low: number | null;
  credible_high: number | null;
  p_value: number | null;
  p_value_adjusted: number | null;
  chance_to_beat_control: number | null;
  difference: number | null;
  /** The difference's interval: the one the frequentist test reads. */
  ci_low?: number | null;
  ci_high?: number | null;
  reason: string | null;
}

export interface Reading {
  engine: Engine;
  correction: Correction;
  confidence_level: number;
}

/** The lift interval the engine reports: Bayesian credible interval, else the frequentist one. */
export function liftInterval(c: ComparisonLike, engine: Engine): [number | null, number | null] {
  if (engine === "bayesian" && c.credible_low !== null && c.credible_high !== null)
    return [c.credible_low, c.credible_high];
  return [c.lift_ci_low, c.lift_ci_high];
}

/**
 * Whether the adjusted p-value is worth its own column: a correction is on, the metric is corrected,
 * and the engine reads p-values (the Bayesian verdict reads the chance to beat control only).
 */
export const showsAdjusted = (r: Reading, guardrail: boolean): boolean =>
  r.correction !== "none" && !guardrail && r.engine !== "bayesian";

const pText = (p: number): string => (p < 0.0001 ? "< 0.0001" : `= ${p.toFixed(4)}`);

/**
 * One line per treatment, e.g. "Treatment B is winning on conversion (higher is better): lift
 * +45.2% (95% CI +20.1% to +70.3%), difference +4.5 pp, p = 0.0012 (Holm-adjusted = 0.0036)."
 */
export function verdictLine(o: {
  variant: string;
  metric: string;
  direction: Direction;
  comparison: ComparisonLike;
  reading: Reading;
  guardrail: boolean;
  format: ValueFormat;
  f: Formatters;
}): string {
  const { comparison: c, reading: r, f } = o;
  const head = `${o.variant} ${VERDICT_WORDS[c.verdict]} on ${o.metric} (${DIRECTION_HINT[o.direction]})`;
  if (c.relative_lift === null && c.difference === null) return `${head}: ${c.reason ?? "not enough data yet"}.`;
  const [lo, hi] = liftInterval(c, r.engine);
  const level = f.level(r.confidence_level);
  const parts: string[] = [];
  if (c.relative_lift !== null) {
    const kind = r.engine === "bayesian" ? "credible interval" : "CI";
    const iv = lo !== null && hi !== null ? ` (${level} ${kind} ${f.interval(lo, hi, f.lift)})` : "";
    parts.push(`lift ${f.lift(c.relative_lift)}${iv}`);
  }
  // A significant difference can come with a lift interval across zero: the delta method's lift
  // interval also carries the control mean's uncertainty. Say which interval the test reads.
  const crosses = lo !== null && hi !== null && lo < 0 && hi > 0;
  const explain =
    r.engine === "frequentist" && c.verdict !== "inconclusive" && crosses && c.ci_low != null && c.ci_high != null;
  if (c.difference !== null) {
    const one = (v: number) => f.difference(v, o.format);
    const iv = explain ? ` (${level} CI ${f.interval(c.ci_low ?? null, c.ci_high ?? null, one)})` : "";
    parts.push(`difference ${one(c.difference)}${iv}`);
  }
  if (r.engine === "bayesian") {
    if (c.chance_to_beat_control !== null) parts.push(`chance to beat control ${f.chance(c.chance_to_beat_control)}`);
  } else if (c.p_value !== null) {
    let p = `p ${pText(c.p_value)}`;
    if (showsAdjusted(r, o.guardrail) && c.p_value_adjusted !== null)
      p += ` (${CORRECTION_SHORT[r.correction]}-adjusted ${pText(c.p_value_adjusted)})`;
    parts.push(p);
  }
  const note = explain
    ? " The test reads the difference; the lift's interval also carries the control's uncertainty, so it can cross zero."
    : "";
  return `${head}: ${parts.join(", ")}.${note}`;
}

export type SrmState = "not_enough_data" | "passed" | "mismatch";

/** A check that could not run (too few users, a draft with none) is "not enough data", never "passed". */
export function srmState(srm: { p_value: number | null; mismatch: boolean }): SrmState {
  if (srm.mismatch) return "mismatch";
  return srm.p_value === null ? "not_enough_data" : "passed";
}

interface MetricLike {
  role: string;
  direction: Direction;
  comparisons: readonly { variant_id: string; verdict: Verdict; relative_lift: number | null }[];
}

/**
 * The variant "Complete…" suggests: the treatment winning on the primary metric (the best lift in
 * the metric's direction when several win) that fails no guardrail; null when none qualifies, or
 * when the sample ratio check failed (the results are not to be trusted, so nothing is suggested).
 */
export function suggestedWinner(
  metrics: readonly MetricLike[],
  srm: { p_value: number | null; mismatch: boolean } = { p_value: null, mismatch: false },
): string | null {
  const primary = metrics.find((m) => m.role === "primary");
  if (!primary || srmState(srm) === "mismatch") return null;
  const failed = new Set(
    metrics
      .filter((m) => m.role === "guardrail")
      .flatMap((m) => m.comparisons.filter((c) => c.verdict === "guardrail_failed").map((c) => c.variant_id)),
  );
  const sign = primary.direction === "increase" ? 1 : -1;
  let best: { id: string; score: number } | null = null;
  for (const c of primary.comparisons) {
    if (c.verdict !== "winning" || failed.has(c.variant_id)) continue;
    const score = sign * (c.relative_lift ?? 0);
    if (!best || score > best.score) best = { id: c.variant_id, score };
  }
  return best?.id ?? null;
}
