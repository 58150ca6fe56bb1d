import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { summarizeMoments } from "../../src/stats";

function aggregates(values: number[]) {
  let sum = 0;
  let sumSq = 0;
  for (const v of values) {
    sum += v;
    sumSq += v * v;
  }
  return {
    count: values.length,
    sum,
    sumSq,
    min: values.length ? Math.min(...values) : null,
    max: values.length ? Math.max(...values) : null,
  };
}

function twoPass(values: number[]) {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const m2 = values.reduce((s, v) => s + (v - mean) ** 2, 0);
  return { count: n, mean, m2, min: Math.min(...values), max: Math.max(...values) };
}

describe("summarizeMoments", () => {
  it.each([
    { name: "empty", values: [], mean: null, variance: null },
    { name: "one value", values: [4], mean: 4, variance: null },
    { name: "two values", values: [1, 3], mean: 2, variance: 2 },
    { name: "1..5", values: [1, 2, 3, 4, 5], mean: 3, variance: 2.5 },
    { name: "constant", values: [7, 7, 7, 7], mean: 7, variance: 0 },
    { name: "negative", values: [-2, -4, -6], mean: -4, variance: 4 },
    { name: "binary", values: [0, 1, 0, 1], mean: 0.5, variance: 1 / 3 },
  ])("$name", ({ values, mean, variance }) => {
    const s = summarizeMoments(aggregates(values));
    expect(s.count).toBe(values.length);
    expect(s.mean).toBe(mean);
    if (variance === null) {
      expect(s.variance).toBeNull();
      expect(s.stddev).toBeNull();
    } else {
      expect(s.variance).toBeCloseTo(variance, 12);
      expect(s.stddev).toBeCloseTo(Math.sqrt(variance), 12);
    }
  });

  it("empty input gives nulls, including min and max", () => {
    expect(summarizeMoments({ count: 0, sum: 0, sumSq: 0, min: null, max: null })).toEqual({
      count: 0,
      mean: null,
      variance: null,
      stddev: null,
      min: null,
      max: null,
    });
  });

  it("never returns a negative variance or NaN stddev under cancellation (mean 1e9, tiny noise)", () => {
    // Σv² ≈ 4e21 here, so the one-pass formula has an absolute error of ~1e6 per unit of n:
    // the noise (stddev 1e-3) is entirely lost. What matters is that it fails safe.
    const values = Array.from({ length: 1000 }, (_, i) => 1e9 + ((i % 7) - 3) * 1e-3);
    const s = summarizeMoments(aggregates(values));
    expect(s.mean).toBeCloseTo(1e9, 3);
    expect(s.variance).not.toBeNull();
    expect(s.variance as number).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(s.stddev)).toBe(true);
  });

  it("clamps a negative sumSq - mean·sum to zero variance", () => {
    const s = summarizeMoments({ count: 3, sum: 3e9, sumSq: 3e18 - 1e3, min: 1e9 - 1, max: 1e9 + 1 });
    expect(s.variance).toBe(0);
    expect(s.stddev).toBe(0);
  });

  it("reports exactly zero spread for a constant metric whatever the rounding", () => {
    const values = Array.from({ length: 1001 }, () => 0.1 + 1e9);
    const s = summarizeMoments(aggregates(values));
    expect(s.variance).toBe(0);
    expect(s.mean).toBe(0.1 + 1e9);
  });

  it("the two-pass input recovers the noise the one-pass input loses", () => {
    const values = Array.from({ length: 1000 }, (_, i) => 1e9 + ((i % 7) - 3) * 1e-3);
    const exact = twoPass(values);
    const s = summarizeMoments(exact);
    const trueVariance = exact.m2 / 999;
    expect(s.variance).toBeCloseTo(trueVariance, 12);
    expect(Math.abs((s.variance as number) - trueVariance) / trueVariance).toBeLessThan(1e-6);
  });

  // Expected error ≈ (mean/stddev)² × the rounding error of Σv². Naive summation in JS (as
  // here, 1e4 terms) accumulates ~√n·2⁻⁵³, so ≈ 2e6 × 1e-14 ≈ 2e-8; SQLite's compensated SUM
  // does better. The bound checks the documented order of magnitude, not a tight figure.
  it("one-pass precision is adequate when |mean|/stddev is moderate (~1.4e3)", () => {
    const values = Array.from({ length: 10_000 }, (_, i) => 1000 + Math.sin(i));
    const a = summarizeMoments(aggregates(values));
    const b = summarizeMoments(twoPass(values));
    expect(Math.abs((a.variance as number) - (b.variance as number)) / (b.variance as number)).toBeLessThan(1e-6);
  });

  it("turns non-finite aggregates into nulls rather than NaN", () => {
    const s = summarizeMoments({
      count: 2,
      sum: Number.POSITIVE_INFINITY,
      sumSq: Number.POSITIVE_INFINITY,
      min: 1,
      max: 2,
    });
    expect(s.mean).toBeNull();
    expect(s.variance).toBeNull();
    expect(s.stddev).toBeNull();
  });

  it("keeps the mean inside [min, max] despite rounding", () => {
    const s = summarizeMoments({ count: 3, sum: 0.30000000000000004 * 3 + 1e-15, sumSq: 0.27, min: 0.3, max: 0.3 });
    expect(s.mean).toBe(0.3);
  });

  it("rejects a nonsensical count", () => {
    expect(() => summarizeMoments({ count: -1, sum: 0, sumSq: 0, min: null, max: null })).toThrow(RangeError);
    expect(() => summarizeMoments({ count: 1.5, sum: 0, sumSq: 0, min: null, max: null })).toThrow(RangeError);
  });

  it("agrees with a two-pass computation on well-conditioned data (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 2, maxLength: 200 }),
        (values) => {
          const a = summarizeMoments(aggregates(values));
          const b = summarizeMoments(twoPass(values));
          const scale = Math.max(1, ...values.map((v) => v * v));
          expect(Math.abs((a.variance as number) - (b.variance as number))).toBeLessThanOrEqual(1e-9 * scale);
          expect(a.variance as number).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});
