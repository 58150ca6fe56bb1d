import { describe, expect, it } from "vitest";
import type { Verdict } from "../../src/stats/model";
import { makeFormat } from "../../web/src/experiments/results/format";
import {
  type ComparisonLike,
  type Reading,
  srmState,
  showsAdjusted,
  suggestedWinner,
  verdictLine,
} from "../../web/src/experiments/results/verdict";

const f = makeFormat("en-US");
const FREQ: Reading = { engine: "frequentist", correction: "none", confidence_level: 0.95 };
const HOLM: Reading = { ...FREQ, correction: "holm" };
const BAYES: Reading = { engine: "bayesian", correction: "none", confidence_level: 0.9 };

const comparison = (over: Partial<ComparisonLike>): ComparisonLike => ({
  verdict: "winning",
  relative_lift: 0.452,
  lift_ci_low: 0.201,
  lift_ci_high: 0.703,
  credible_low: null,
  credible_high: null,
  p_value: 0.0012,
  p_value_adjusted: 0.0036,
  chance_to_beat_control: 0.9994,
  difference: 0.045,
  reason: null,
  ...over,
});

describe("verdictLine", () => {
  it.each([
    [
      "winning on the difference while the lift interval crosses zero: both intervals, and why",
      {
        comparison: comparison({
          relative_lift: 0.471,
          lift_ci_low: -0.012,
          lift_ci_high: 0.954,
          difference: 0.103,
          ci_low: 0.016,
          ci_high: 0.188,
          p_value: 0.02,
        }),
        reading: FREQ,
        guardrail: false,
        direction: "increase" as const,
      },
      "B is winning on conversion (higher is better): lift +47.1% (95% CI -1.2% to +95.4%), difference +10.3 pp (95% CI +1.6 pp to +18.8 pp), p = 0.0200. The test reads the difference; the lift's interval also carries the control's uncertainty, so it can cross zero.",
    ],
    [
      "winning, rate, no correction",
      { comparison: comparison({}), reading: FREQ, guardrail: false, direction: "increase" as const },
      "B is winning on conversion (higher is better): lift +45.2% (95% CI +20.1% to +70.3%), difference +4.5 pp, p = 0.0012.",
    ],
    [
      "with Holm the adjusted p-value follows the raw one",
      { comparison: comparison({}), reading: HOLM, guardrail: false, direction: "increase" as const },
      "B is winning on conversion (higher is better): lift +45.2% (95% CI +20.1% to +70.3%), difference +4.5 pp, p = 0.0012 (Holm-adjusted = 0.0036).",
    ],
    [
      "guardrails are never corrected, so no adjusted p-value",
      {
        comparison: comparison({
          verdict: "guardrail_failed",
          relative_lift: -0.2,
          lift_ci_low: -0.3,
          lift_ci_high: -0.1,
          difference: -0.02,
        }),
        reading: HOLM,
        guardrail: true,
        direction: "increase" as const,
      },
      "B fails the guardrail on conversion (higher is better): lift -20% (95% CI -30% to -10%), difference -2 pp, p = 0.0012.",
    ],
    [
      "a decrease metric reads lower as better",
      {
        comparison: comparison({ verdict: "losing", p_value: 0.00001 }),
        reading: FREQ,
        guardrail: false,
        direction: "decrease" as const,
      },
      "B is losing on conversion (lower is better): lift +45.2% (95% CI +20.1% to +70.3%), difference +4.5 pp, p < 0.0001.",
    ],
    [
      "bayesian: credible interval and chance to beat control",
      {
        comparison: comparison({ credible_low: 0.1, credible_high: 0.8 }),
        reading: BAYES,
        guardrail: false,
        direction: "increase" as const,
      },
      "B is winning on conversion (higher is better): lift +45.2% (90% credible interval +10% to +80%), difference +4.5 pp, chance to beat control >99.9%.",
    ],
    [
      "no statistics: the reason instead",
      {
        comparison: comparison({
          verdict: "inconclusive",
          relative_lift: null,
          difference: null,
          reason: "each variant needs at least 2 users",
        }),
        reading: FREQ,
        guardrail: false,
        direction: "increase" as const,
      },
      "B shows no clear difference yet on conversion (higher is better): each variant needs at least 2 users.",
    ],
  ])("%s", (_name, o, out) => {
    expect(
      verdictLine({ ...o, variant: "B", metric: "conversion", format: { format: "percent", currency: null }, f }),
    ).toBe(out);
  });
});

describe("srmState", () => {
  it.each([
    [{ p_value: null, mismatch: false }, "not_enough_data"],
    [{ p_value: 0.4, mismatch: false }, "passed"],
    [{ p_value: 0.00001, mismatch: true }, "mismatch"],
    [{ p_value: 0, mismatch: true }, "mismatch"],
  ])("%j → %s", (srm, out) => {
    expect(srmState(srm)).toBe(out);
  });
});

describe("showsAdjusted", () => {
  it.each([
    [FREQ, false, false],
    [HOLM, false, true],
    [HOLM, true, false], // guardrails are not corrected
    [{ ...BAYES, correction: "holm" } as Reading, false, false], // the Bayesian verdict reads no p-value
  ] as const)("%o, guardrail %s: %s", (reading, guardrail, out) => {
    expect(showsAdjusted(reading, guardrail)).toBe(out);
  });
});

describe("suggestedWinner", () => {
  const cmp = (variant_id: string, verdict: Verdict, relative_lift: number | null = 0.1) => ({
    variant_id,
    verdict,
    relative_lift,
  });
  it.each([
    ["no metrics", [], null],
    [
      "the one winning treatment",
      [{ role: "primary", direction: "increase", comparisons: [cmp("a", "inconclusive"), cmp("b", "winning")] }],
      "b",
    ],
    [
      "several win: the largest lift",
      [{ role: "primary", direction: "increase", comparisons: [cmp("a", "winning", 0.1), cmp("b", "winning", 0.3)] }],
      "b",
    ],
    [
      "decrease metric: the largest drop",
      [{ role: "primary", direction: "decrease", comparisons: [cmp("a", "winning", -0.4), cmp("b", "winning", -0.1)] }],
      "a",
    ],
    [
      "a failed guardrail disqualifies",
      [
        { role: "primary", direction: "increase", comparisons: [cmp("a", "winning", 0.1), cmp("b", "winning", 0.3)] },
        { role: "guardrail", direction: "decrease", comparisons: [cmp("b", "guardrail_failed")] },
      ],
      "a",
    ],
    [
      "winning only on a secondary metric is no winner",
      [
        { role: "primary", direction: "increase", comparisons: [cmp("a", "inconclusive")] },
        { role: "secondary", direction: "increase", comparisons: [cmp("a", "winning")] },
      ],
      null,
    ],
    ["losing is no winner", [{ role: "primary", direction: "increase", comparisons: [cmp("a", "losing")] }], null],
  ] as const)("%s", (_name, metrics, out) => {
    expect(suggestedWinner(metrics)).toBe(out);
  });

  it.each([
    [{ p_value: 0.00001, mismatch: true }, null],
    [{ p_value: 0.4, mismatch: false }, "b"],
    [{ p_value: null, mismatch: false }, "b"],
  ] as const)("sample ratio check %o: suggests %s", (srm, out) => {
    // A failed check means the results are not to be trusted: "Complete…" pre-selects nothing.
    const metrics = [{ role: "primary", direction: "increase", comparisons: [cmp("b", "winning")] }] as const;
    expect(suggestedWinner(metrics, srm)).toBe(out);
  });
});
