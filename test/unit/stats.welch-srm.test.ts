import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chiSquareSurvival, compareWelch, srmCheck, studentTTwoSided } from "../../src/stats";

const arm = (count: number, mean: number | null, variance: number | null) => ({ count, mean, variance });

describe("compareWelch null handling", () => {
  it.each([
    { name: "empty control", c: arm(0, null, null), t: arm(10, 1, 1), difference: null, lift: null },
    { name: "empty treatment", c: arm(10, 1, 1), t: arm(0, null, null), difference: null, lift: null },
    { name: "one value in treatment", c: arm(10, 2, 1), t: arm(1, 3, null), difference: 1, lift: 0.5 },
    { name: "one value in each arm", c: arm(1, 4, null), t: arm(1, 2, null), difference: -2, lift: -0.5 },
    { name: "control mean zero", c: arm(1, 0, null), t: arm(1, 2, null), difference: 2, lift: null },
    { name: "missing variance", c: arm(10, 1, null), t: arm(10, 2, 1), difference: 1, lift: 1 },
    { name: "non-finite mean", c: arm(10, Number.NaN, 1), t: arm(10, 2, 1), difference: null, lift: null },
  ])("$name: descriptive fields only", ({ c, t, difference, lift }) => {
    const r = compareWelch(c, t);
    expect(r.difference).toBe(difference);
    expect(r.relative_lift).toBe(lift);
    expect(r.ci_low).toBeNull();
    expect(r.ci_high).toBeNull();
    expect(r.p_value).toBeNull();
    expect(r.chance_to_beat_control).toBeNull();
  });

  it("never produces NaN or Infinity (property)", () => {
    const num = fc.oneof(fc.double(), fc.constant(0), fc.constant(null));
    const anArm = fc.record({ count: fc.nat({ max: 1e7 }), mean: num, variance: num });
    fc.assert(
      fc.property(anArm, anArm, (c, t) => {
        for (const v of Object.values(compareWelch(c, t))) {
          expect(v === null || Number.isFinite(v)).toBe(true);
        }
      }),
    );
  });

  it("p-value and chance are probabilities, and the interval holds the difference (property)", () => {
    const anArm = fc.record({
      count: fc.integer({ min: 2, max: 1e6 }),
      mean: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
      variance: fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
    });
    fc.assert(
      fc.property(anArm, anArm, (c, t) => {
        const r = compareWelch(c, t);
        expect(r.p_value).toBeGreaterThanOrEqual(0);
        expect(r.p_value).toBeLessThanOrEqual(1);
        expect(r.chance_to_beat_control).toBeGreaterThanOrEqual(0);
        expect(r.chance_to_beat_control).toBeLessThanOrEqual(1);
        expect(r.ci_low as number).toBeLessThanOrEqual(r.difference as number);
        expect(r.ci_high as number).toBeGreaterThanOrEqual(r.difference as number);
      }),
    );
  });

  it("a wider confidence level gives a wider interval", () => {
    const c = arm(100, 10, 4);
    const t = arm(100, 10.5, 5);
    const w = (level: number) => {
      const r = compareWelch(c, t, { confidenceLevel: level });
      return (r.ci_high as number) - (r.ci_low as number);
    };
    expect(w(0.9)).toBeLessThan(w(0.95));
    expect(w(0.95)).toBeLessThan(w(0.99));
  });

  it("rejects a confidence level outside (0, 1)", () => {
    for (const level of [0, 1, 95, -0.5, Number.NaN]) {
      expect(() => compareWelch(arm(10, 1, 1), arm(10, 1, 1), { confidenceLevel: level })).toThrow(RangeError);
    }
  });

  it("is symmetric: swapping arms flips the difference and complements the chance", () => {
    const a = compareWelch(arm(50, 3, 2), arm(70, 3.4, 1));
    const b = compareWelch(arm(70, 3.4, 1), arm(50, 3, 2));
    expect(b.difference).toBeCloseTo(-(a.difference as number), 14);
    expect(b.p_value).toBeCloseTo(a.p_value as number, 14);
    expect((a.chance_to_beat_control as number) + (b.chance_to_beat_control as number)).toBeCloseTo(1, 14);
  });
});

describe("srmCheck", () => {
  const tooFew = "a variant has fewer than 8 users, too few to judge the split";
  const noSplit = "fewer than 2 variants receive traffic";
  it.each([
    { name: "balanced 50/50", obs: [500, 500], pct: [50, 50], p: 1, mismatch: false, reason: null },
    { name: "no exposures", obs: [0, 0], pct: [50, 50], p: null, mismatch: false, reason: tooFew },
    { name: "single variant", obs: [10], pct: [100], p: null, mismatch: false, reason: noSplit },
    { name: "no shares", obs: [10, 10], pct: [0, 0], p: 0, mismatch: true, reason: expect.any(String) },
    {
      name: "0% group without traffic ignored",
      obs: [500, 0, 500],
      pct: [50, 0, 50],
      p: 1,
      mismatch: false,
      reason: null,
    },
    {
      name: "0% group with traffic",
      obs: [500, 1, 500],
      pct: [50, 0, 50],
      p: 0,
      mismatch: true,
      reason: expect.any(String),
    },
    { name: "only one group with a share", obs: [100, 0], pct: [100, 0], p: null, mismatch: false, reason: noSplit },
    { name: "empty group lists", obs: [], pct: [], p: null, mismatch: false, reason: noSplit },
    { name: "7 users in the small arm", obs: [7, 993], pct: [1, 99], p: null, mismatch: false, reason: tooFew },
    {
      name: "an empty 25% arm is still below the minimum",
      obs: [500, 260, 0],
      pct: [50, 25, 25],
      p: null,
      mismatch: false,
      reason: tooFew,
    },
  ])("$name", ({ obs, pct, p, mismatch, reason }) => {
    expect(srmCheck(obs, pct)).toEqual({ p_value: p, mismatch, reason });
  });

  it("flags a clear mismatch and not a small wobble", () => {
    expect(srmCheck([5300, 4700], [50, 50]).mismatch).toBe(true);
    expect(srmCheck([5050, 4950], [50, 50]).mismatch).toBe(false);
    // 8 users in a 1% arm out of 266 is a 0.58% event: the chi-square called it a mismatch, the exact test does not.
    expect(srmCheck([8, 258], [1, 99]).mismatch).toBe(false);
  });

  it("normalizes shares that do not sum to 100 (bucket widths)", () => {
    expect(srmCheck([100, 300], [1, 3])).toEqual(srmCheck([100, 300], [25, 75]));
    expect(srmCheck([100, 300], [2500, 7500])).toEqual(srmCheck([100, 300], [25, 75]));
  });

  it("rejects inconsistent or invalid input", () => {
    expect(() => srmCheck([1, 2], [100])).toThrow(RangeError);
    expect(() => srmCheck([-1, 2], [50, 50])).toThrow(RangeError);
    expect(() => srmCheck([1.5, 2], [50, 50])).toThrow(RangeError);
    expect(() => srmCheck([1, 2], [50, Number.NaN])).toThrow(RangeError);
  });
});

describe("distribution helpers", () => {
  it.each([
    // scipy.stats.chi2.sf(x, df)
    { x: 3.841458820694124, df: 1, p: 0.04999999999999989 },
    { x: 5.991464547107979, df: 2, p: 0.05000000000000007 },
    { x: 100, df: 3, p: 1.5541594313896026e-21 },
    { x: 1000, df: 10, p: 1.870290720915977e-208 },
    { x: 0.5, df: 40, p: 1 },
  ])("chi-square survival x=$x df=$df", ({ x, df, p }) => {
    expect(Math.abs(chiSquareSurvival(x, df) - p) / p).toBeLessThan(1e-9);
  });

  it("t two-sided p is 1 at t = 0 and symmetric", () => {
    expect(studentTTwoSided(0, 5)).toBe(1);
    expect(studentTTwoSided(2.5, 7.3)).toBe(studentTTwoSided(-2.5, 7.3));
  });
});
