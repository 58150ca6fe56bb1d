/**
 * Behaviour of the per-user analysis statistics: the FINDINGS regressions with their literal numbers,
 * null-with-reason rules, and properties that must hold for any input. Reference values for each
 * formula are in stats.analysis-golden.test.ts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  adjustPValues,
  compareBayesian,
  compareFrequentist,
  cuped,
  type Moments,
  percentile,
  REASONS,
  requiredUsersPerVariant,
  verdictOf,
} from "../../src/stats";
import { standardNormalUpperQuantile } from "../../src/stats/distributions";

const fixed = { confidence: 0.95, binary: false, sequential: null };
const binary = { confidence: 0.95, binary: true, sequential: null };
const seq = { confidence: 0.95, binary: false, sequential: { tuning: 5000 } };
const bin = (x: number, n: number): Moments => ({
  n,
  mean: x / n,
  variance: n > 1 ? ((x / n) * (1 - x / n) * n) / (n - 1) : 0,
});
const width = (r: { ci_low: number | null; ci_high: number | null }) => (r.ci_high as number) - (r.ci_low as number);

describe("FINDINGS regressions", () => {
  it("n = 3 per arm, t = 2: chance to beat control 0.942 (was 0.977), p 0.116", () => {
    const r = compareFrequentist(
      { n: 3, mean: 0, variance: 1 },
      { n: 3, mean: 2 * Math.sqrt(2 / 3), variance: 1 },
      fixed,
    );
    expect(r.chance_to_beat_control).toBeCloseTo(0.9419417, 6);
    expect(r.p_value).toBeCloseTo(0.1161165, 6);
    expect(1 - (r.p_value as number) / 2).toBeCloseTo(r.chance_to_beat_control as number, 12);
  });

  it.each([2, 3, 5, 10])("exactly p = 0.05 at n = %i per arm: chance 0.975", (n) => {
    // Welch df is 2(n − 1) for equal arms; put the difference exactly at the 97.5% t quantile.
    const q = { 2: 4.302652729749464, 3: 2.7764451051977934, 5: 2.306004135204166, 10: 2.10092204024096 }[n] as number;
    const r = compareFrequentist({ n, mean: 0, variance: 1 }, { n, mean: q * Math.sqrt(2 / n), variance: 1 }, fixed);
    expect(r.p_value).toBeCloseTo(0.05, 10);
    expect(r.chance_to_beat_control).toBeCloseTo(0.975, 10);
  });

  it("0/2 vs 2/2: an interval, not p = 0 and [1, 1]", () => {
    const r = compareFrequentist(bin(0, 2), bin(2, 2), binary);
    expect(r.p_value).toBeGreaterThan(0.01);
    expect(r.ci_low).toBeLessThan(0.2);
    expect(r.ci_high).toBe(1);
    expect(r.chance_to_beat_control).toBeLessThan(1);
  });

  it("5/5 vs 0/5: a real interval and p (Fisher 0.0079)", () => {
    const r = compareFrequentist(bin(5, 5), bin(0, 5), binary);
    expect(r.p_value).toBeGreaterThan(1e-4);
    expect(r.p_value).toBeLessThan(0.01);
    expect(r.ci_low).toBe(-1);
    expect(r.ci_high).toBeGreaterThan(-0.5);
  });

  it.each([
    ["frequentist", () => compareFrequentist(bin(5, 5), bin(0, 5), binary)],
    ["bayesian", () => compareBayesian(bin(5, 5), bin(0, 5), binary)],
    [
      "frequentist sequential",
      () => compareFrequentist(bin(5, 5), bin(0, 5), { ...binary, sequential: { tuning: 5000 } }),
    ],
  ] as const)("%s: a rate's lift interval stops at −100% (5/5 vs 0/5 reached −126%)", (_, run) => {
    const r = run();
    expect(r.relative_lift).toBe(-1);
    expect(r.lift_ci_low).toBe(-1);
    expect(r.lift_ci_high).toBeGreaterThan(-1);
  });

  it("a mean metric's lift interval is not cut at −100% (values may be negative)", () => {
    const r = compareFrequentist({ n: 50, mean: 1, variance: 1 }, { n: 50, mean: -1.5, variance: 1 }, fixed);
    expect(r.relative_lift).toBeCloseTo(-2.5, 12);
    expect(r.lift_ci_low).toBeLessThan(-2.5);
  });

  it("0/1000 vs 0/1000: Newcombe's ±0.0038, not [0, 0]", () => {
    const r = compareFrequentist(bin(0, 1000), bin(0, 1000), binary);
    expect(r.ci_low).toBeCloseTo(-0.003827, 6);
    expect(r.ci_high).toBeCloseTo(0.003827, 6);
    expect(r.p_value).toBe(1);
    expect(r.relative_lift).toBeNull();
    expect(r.reason).toBe(REASONS.controlZero);
  });

  it("control values [0.1, 0.2, −0.3]: relative lift null, not 2e17", () => {
    const v = [0.1, 0.2, -0.3];
    const mean = (v[0] as number) + (v[1] as number) + (v[2] as number);
    expect(mean).not.toBe(0); // 1.85e-17·3 in doubles: the trap
    const r = compareFrequentist({ n: 3, mean: mean / 3, variance: 0.07 }, { n: 3, mean: 0.5, variance: 0.07 }, fixed);
    expect(r.relative_lift).toBeNull();
    expect(r.lift_ci_low).toBeNull();
    expect(r.reason).toBe(REASONS.controlZero);
    expect(r.difference).toBeCloseTo(0.5, 12);
  });

  it("means near 1.7e12 passed shifted keep the difference exact and the lift right", () => {
    const r = compareFrequentist(
      { n: 200000, mean: 0, variance: 1 },
      { n: 200000, mean: 0.01, variance: 1 },
      {
        ...fixed,
        shift: 1.7e12,
      },
    );
    const unshifted = compareFrequentist(
      { n: 200000, mean: 0, variance: 1 },
      { n: 200000, mean: 0.01, variance: 1 },
      fixed,
    );
    expect(r.difference).toBe(0.01);
    expect(r.p_value).toBe(unshifted.p_value);
    expect(r.ci_low).toBe(unshifted.ci_low);
    expect(r.relative_lift).toBeCloseTo(0.01 / 1.7e12, 25);
  });
});

describe("compareFrequentist rules", () => {
  it("both arms constant: null with a reason, never a zero-width interval", () => {
    const r = compareFrequentist({ n: 10, mean: 1, variance: 0 }, { n: 10, mean: 2, variance: 0 }, fixed);
    expect(r).toMatchObject({ difference: 1, ci_low: null, ci_high: null, p_value: null, significant: false });
    expect(r.reason).toBe(REASONS.noSpread);
  });

  it("fewer than 2 users, or none", () => {
    expect(compareFrequentist({ n: 1, mean: 3, variance: 0 }, { n: 5, mean: 1, variance: 1 }, fixed)).toMatchObject({
      difference: -2,
      p_value: null,
      reason: REASONS.oneUser,
    });
    expect(compareFrequentist({ n: 0, mean: 0, variance: 0 }, { n: 5, mean: 1, variance: 1 }, fixed)).toMatchObject({
      difference: null,
      reason: REASONS.noUsers,
    });
  });

  it("sequential intervals are wider than fixed-horizon ones, and p agrees with the interval", () => {
    const c = { n: 4000, mean: 12.5, variance: 900 };
    const t = { n: 4100, mean: 13.9, variance: 1100 };
    const f = compareFrequentist(c, t, fixed);
    const s = compareFrequentist(c, t, seq);
    expect(width(s)).toBeGreaterThan(width(f));
    expect((s.lift_ci_high as number) - (s.lift_ci_low as number)).toBeGreaterThan(
      (f.lift_ci_high as number) - (f.lift_ci_low as number),
    );
    expect(s.p_value as number).toBeGreaterThan(f.p_value as number);
    expect(s.significant).toBe((s.ci_low as number) > 0 || (s.ci_high as number) < 0);
  });

  it("direction decrease complements the chance", () => {
    const c = { n: 50, mean: 3, variance: 2 };
    const t = { n: 70, mean: 3.4, variance: 1 };
    const up = compareFrequentist(c, t, fixed).chance_to_beat_control as number;
    const down = compareFrequentist(c, t, { ...fixed, direction: "decrease" }).chance_to_beat_control as number;
    expect(up + down).toBeCloseTo(1, 14);
  });

  it("a CUPED-adjusted binomial metric (non-integer counts) is compared by Welch", () => {
    const r = compareFrequentist(
      { n: 100, mean: 0.1234567, variance: 0.08 },
      { n: 100, mean: 0.2, variance: 0.1 },
      binary,
    );
    const w = compareFrequentist(
      { n: 100, mean: 0.1234567, variance: 0.08 },
      { n: 100, mean: 0.2, variance: 0.1 },
      fixed,
    );
    expect(r).toEqual(w);
  });

  it("rejects bad options", () => {
    const a = { n: 10, mean: 1, variance: 1 };
    for (const confidence of [0, 1, 95, Number.NaN])
      expect(() => compareFrequentist(a, a, { ...fixed, confidence })).toThrow(RangeError);
    expect(() => compareFrequentist(a, a, { ...fixed, sequential: { tuning: 0 } })).toThrow(RangeError);
    expect(() => compareFrequentist(a, { ...a, variance: Number.NaN }, fixed)).toThrow(RangeError);
    // A variance rounded a hair below 0 in SQL is 0, not an error.
    expect(compareFrequentist({ ...a, variance: -1e-18 }, { ...a, variance: -1e-18 }, fixed).reason).toBe(
      REASONS.noSpread,
    );
  });

  it("never NaN or Infinity, p and chance are probabilities, the interval holds the difference (property)", () => {
    const anArm = fc.record({
      n: fc.integer({ min: 0, max: 1e6 }),
      mean: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
      variance: fc.double({ min: 0, max: 1e6, noNaN: true }),
    });
    const binArm = fc.integer({ min: 1, max: 5000 }).chain((n) => fc.integer({ min: 0, max: n }).map((x) => bin(x, n)));
    const check = (r: ReturnType<typeof compareFrequentist>) => {
      for (const v of Object.values(r)) expect(v === null || typeof v !== "number" || Number.isFinite(v)).toBe(true);
      if (r.p_value !== null) expect(r.p_value >= 0 && r.p_value <= 1).toBe(true);
      if (r.chance_to_beat_control !== null)
        expect(r.chance_to_beat_control >= 0 && r.chance_to_beat_control <= 1).toBe(true);
      if (r.ci_low !== null) {
        expect(r.ci_low).toBeLessThanOrEqual(r.difference as number);
        expect(r.ci_high as number).toBeGreaterThanOrEqual(r.difference as number);
        expect(r.ci_high as number).toBeGreaterThanOrEqual(r.ci_low);
      }
      if (r.ci_low === null || r.p_value === null || r.relative_lift === null) expect(r.reason).not.toBeNull();
    };
    fc.assert(fc.property(anArm, anArm, fc.boolean(), (c, t, s) => check(compareFrequentist(c, t, s ? seq : fixed))));
    fc.assert(
      fc.property(binArm, binArm, fc.boolean(), (c, t, s) =>
        check(compareFrequentist(c, t, s ? { ...binary, sequential: { tuning: 5000 } } : binary)),
      ),
    );
  });
});

describe("compareBayesian", () => {
  it("flat prior: credible interval equals the fixed-horizon delta-method interval at normal quantiles", () => {
    const c = { n: 100000, mean: 10, variance: 4 };
    const t = { n: 100000, mean: 10.05, variance: 4 };
    const b = compareBayesian(c, t, { confidence: 0.95, binary: false });
    const f = compareFrequentist(c, t, fixed);
    expect(b.credible_low).toBeCloseTo(f.lift_ci_low as number, 6);
    expect(b.p_value).toBeNull();
    expect(b.expected_loss).toBeGreaterThan(0);
  });

  it("a proper prior shrinks the lift towards the prior mean", () => {
    const c = { n: 30, mean: 10, variance: 25 };
    const t = { n: 30, mean: 12, variance: 25 };
    const flat = compareBayesian(c, t, { confidence: 0.95, binary: false });
    const shrunk = compareBayesian(c, t, { confidence: 0.95, binary: false, prior: { mean: 0, variance: 0.01 } });
    const mid = (r: typeof flat) => ((r.credible_low as number) + (r.credible_high as number)) / 2;
    expect(mid(shrunk)).toBeLessThan(mid(flat));
    expect(shrunk.chance_to_beat_control as number).toBeLessThan(flat.chance_to_beat_control as number);
  });

  // Found by an outside probe: with sequential on, the Bayesian engine kept its fixed-horizon
  // posterior, so a result read daily was "winning" (credible [+0.75%, +8.1%]) while the same
  // experiment's always-valid p-value was 0.415.
  describe("sequential: the posterior widened as the confidence sequence is", () => {
    const seq = { tuning: 5000 };
    it.each([
      // users per arm, control and treatment means (sd 2): a clear fixed-horizon win at 200
      { n: 200, shift: 0.5, fixedWins: true, seqWins: false },
      { n: 2_000, shift: 0.15, fixedWins: true, seqWins: false },
      { n: 20_000, shift: 0.15, fixedWins: true, seqWins: true },
      { n: 200, shift: 0.01, fixedWins: false, seqWins: false },
    ])("$n per arm, +$shift: fixed $fixedWins, sequential $seqWins", ({ n, shift, fixedWins, seqWins }) => {
      const c = { n, mean: 10, variance: 4 };
      const t = { n, mean: 10 + shift, variance: 4 };
      const fixedB = compareBayesian(c, t, { confidence: 0.95, binary: false });
      const seqB = compareBayesian(c, t, { confidence: 0.95, binary: false, sequential: seq });
      expect(fixedB.significant).toBe(fixedWins);
      expect(seqB.significant).toBe(seqWins);
      expect(seqB.relative_lift).toBe(fixedB.relative_lift);
      expect(seqB.chance_to_beat_control as number).toBeLessThan(fixedB.chance_to_beat_control as number);
      // The decision is the always-valid 90% interval excluding 0 (5% per side, like the chance rule)...
      const f90 = compareFrequentist(c, t, { confidence: 0.9, binary: false, sequential: seq });
      expect(seqB.significant).toBe((f90.lift_ci_low as number) > 0 || (f90.lift_ci_high as number) < 0);
      const width = (low: number | null, high: number | null) => (high as number) - (low as number);
      const z = standardNormalUpperQuantile;
      expect(width(seqB.credible_low, seqB.credible_high) / width(f90.lift_ci_low, f90.lift_ci_high)).toBeCloseTo(
        z(0.025) / z(0.05),
        9,
      );
      // ...and the 95% credible interval is at least as wide as the always-valid 95% interval.
      const f95 = compareFrequentist(c, t, { confidence: 0.95, binary: false, sequential: seq });
      expect(width(seqB.credible_low, seqB.credible_high)).toBeGreaterThanOrEqual(
        width(f95.lift_ci_low, f95.lift_ci_high),
      );
    });
  });

  it("null with a reason when the control is at 0%", () => {
    const r = compareBayesian(bin(0, 1000), bin(5, 1000), { confidence: 0.95, binary: true });
    expect(r.chance_to_beat_control).toBeNull();
    expect(r.reason).toBe(REASONS.controlZero);
  });
});

describe("cuped", () => {
  it("no pre-exposure variation: theta null with a reason, arms unchanged", () => {
    const arm = { n: 10, mean: 1, variance: 2, meanX: 0, varianceX: 0, covarianceXY: 0 };
    const r = cuped([arm, { ...arm, mean: 1.5 }]);
    expect(r.theta).toBeNull();
    expect(r.reason).not.toBeNull();
    expect(r.arms).toEqual([
      { n: 10, mean: 1, variance: 2 },
      { n: 10, mean: 1.5, variance: 2 },
    ]);
  });

  it("a perfect covariate removes all variance and keeps the difference of means", () => {
    // Y = 2X + arm effect: within-arm variance of Y' is 0.
    const r = cuped([
      { n: 100, mean: 2, variance: 4, meanX: 1, varianceX: 1, covarianceXY: 2 },
      { n: 100, mean: 2.5, variance: 4, meanX: 1, varianceX: 1, covarianceXY: 2 },
    ]);
    expect(r.theta).toBeCloseTo(2, 2);
    expect(r.variance_reduction).toBeGreaterThan(0.99);
    expect((r.arms[1] as Moments).mean - (r.arms[0] as Moments).mean).toBeCloseTo(0.5, 12);
  });
});

describe("adjustPValues", () => {
  it("passes nulls through and rejects non-probabilities", () => {
    expect(adjustPValues([null, 0.01, null], "holm")).toEqual([null, 0.01, null]);
    expect(adjustPValues([], "bh")).toEqual([]);
    expect(() => adjustPValues([1.5], "bh")).toThrow(RangeError);
    expect(() => adjustPValues([Number.NaN], "none")).toThrow(RangeError);
  });

  it("Holm ≥ BH ≥ raw, each monotone in the raw order (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.double({ min: 0, max: 1, noNaN: true })), { maxLength: 20 }), (p) => {
        const h = adjustPValues(p, "holm");
        const b = adjustPValues(p, "bh");
        p.forEach((v, i) => {
          if (v === null) return;
          expect(b[i] as number).toBeGreaterThanOrEqual(v);
          expect(h[i] as number).toBeGreaterThanOrEqual(b[i] as number);
          p.forEach((w, j) => {
            if (w !== null && v < w) expect(h[i] as number).toBeLessThanOrEqual(h[j] as number);
          });
        });
      }),
    );
  });
});

describe("requiredUsersPerVariant", () => {
  it("10% baseline, +10% relative: 14,749 per variant", () => {
    expect(requiredUsersPerVariant({ binary: true, baseline_mean: 0.1, mde_relative: 0.1 })).toBe(14749);
  });

  it.each([
    { baseline_mean: 0, mde_relative: 0.1 },
    { baseline_mean: 1.2, mde_relative: 0.1 },
    { baseline_mean: 0.6, mde_relative: 1 },
    { baseline_mean: 0.1, mde_relative: 0 },
    { baseline_mean: 0.1, mde_relative: 0.1, alpha: 0 },
    { baseline_mean: 0.1, mde_relative: 0.1, power: 1 },
  ])("rejects a binomial %o", (o) => {
    expect(() => requiredUsersPerVariant({ binary: true, ...o })).toThrow(RangeError);
  });

  it("a mean metric needs a stddev", () => {
    expect(() => requiredUsersPerVariant({ binary: false, baseline_mean: 10, mde_relative: 0.05 })).toThrow(RangeError);
  });
});

describe("verdictOf", () => {
  it.each([
    { significant: true, difference: 1, direction: "increase", guardrail: false, verdict: "winning" },
    { significant: true, difference: -1, direction: "increase", guardrail: false, verdict: "losing" },
    { significant: true, difference: -1, direction: "decrease", guardrail: false, verdict: "winning" },
    { significant: true, difference: 1, direction: "decrease", guardrail: false, verdict: "losing" },
    { significant: true, difference: 1, direction: "decrease", guardrail: true, verdict: "guardrail_failed" },
    { significant: true, difference: -1, direction: "increase", guardrail: true, verdict: "guardrail_failed" },
    { significant: true, difference: 1, direction: "increase", guardrail: true, verdict: "winning" },
    { significant: false, difference: -5, direction: "increase", guardrail: true, verdict: "inconclusive" },
    { significant: true, difference: null, direction: "increase", guardrail: false, verdict: "inconclusive" },
  ] as const)("$direction, difference $difference, significant $significant, guardrail $guardrail: $verdict", (c) => {
    expect(verdictOf(c)).toBe(c.verdict);
  });
});

describe("percentile (numpy linear)", () => {
  it.each([
    { values: [1, 2, 3, 4], q: 0.5, want: 2.5 },
    { values: [10, 1, 7], q: 0.99, want: 9.94 },
    { values: [5], q: 0.95, want: 5 },
    { values: [3, 1, 2], q: 0, want: 1 },
    { values: [3, 1, 2], q: 1, want: 3 },
  ])("$values at $q is $want", ({ values, q, want }) => {
    expect(percentile(values, q)).toBeCloseTo(want, 12);
  });

  it("null for no values; rejects q outside [0, 1]", () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(() => percentile([1], 1.5)).toThrow(RangeError);
  });
});
