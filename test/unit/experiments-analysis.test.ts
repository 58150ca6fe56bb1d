import { describe, expect, it } from "vitest";
import {
  type AnalysisVariant,
  buildAnalysis,
  centralFromShifted,
  type MetricAggregate,
  needsShiftedPass,
} from "../../src/experiments/analysis";
import { compareWelch, srmCheck, summarizeMoments } from "../../src/stats";

const sums = (xs: number[]) => ({
  count: xs.length,
  sum: xs.reduce((a, b) => a + b, 0),
  sumSq: xs.reduce((a, b) => a + b * b, 0),
  min: xs.length ? Math.min(...xs) : null,
  max: xs.length ? Math.max(...xs) : null,
});

const variance = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
};

describe("precision of the variance (one pass, or shifted second pass)", () => {
  it("keeps the one pass for ordinary metrics", () => {
    expect(needsShiftedPass(sums([0, 1, 1, 0, 1]))).toBe(false);
    expect(needsShiftedPass(sums([12.5, 80, 33.1, 47]))).toBe(false);
    expect(needsShiftedPass(sums([5]))).toBe(false);
    expect(needsShiftedPass(sums([7, 7, 7]))).toBe(false); // constant: exactly 0, no second pass
  });

  it("asks for a second pass when the mean dwarfs the spread, and the shifted sums fix it", () => {
    // Epoch-millisecond-like values with a spread of a few ms: the one-pass variance is garbage.
    const xs = [1.7e12, 1.7e12 + 1, 1.7e12 + 3, 1.7e12 + 2, 1.7e12 + 4];
    const agg = sums(xs);
    expect(needsShiftedPass(agg)).toBe(true);
    const naive = summarizeMoments(agg).variance ?? Number.NaN;
    expect(Math.abs(naive - variance(xs.map((x) => x - 1.7e12)))).toBeGreaterThan(0.1);

    const shift = agg.sum / agg.count;
    const d = xs.map((x) => x - shift);
    const central = centralFromShifted(
      agg.count,
      shift,
      d.reduce((a, b) => a + b, 0),
      d.reduce((a, b) => a + b * b, 0),
      agg.min,
      agg.max,
    );
    const exact = variance([0, 1, 3, 2, 4]); // 2.5
    expect(summarizeMoments(central).variance).toBeCloseTo(exact, 9);
    expect(summarizeMoments(central).mean).toBe(1.7e12 + 2);
  });
});

const variants: AnalysisVariant[] = [
  { id: "c", variant_type: "control", traffic_percentage: 50 },
  { id: "t1", variant_type: "treatment", traffic_percentage: 25 },
  { id: "t2", variant_type: "treatment", traffic_percentage: 25 },
];

describe("buildAnalysis", () => {
  const control = [1, 0, 1, 1, 0, 0, 1, 0];
  const t1 = [1, 1, 1, 0, 1, 1];
  const aggregates: MetricAggregate[] = [
    { metric_name: "aov", variant_id: "c", aggregates: sums([20, 30]) },
    { metric_name: "conversion", variant_id: "c", aggregates: sums(control) },
    { metric_name: "conversion", variant_id: "t1", aggregates: sums(t1) },
    { metric_name: "conversion", variant_id: "t2", aggregates: sums([1]) },
  ];
  const out = buildAnalysis({
    experimentId: "e",
    status: "running",
    primaryMetric: "conversion",
    variants,
    exposures: new Map([
      ["c", 500],
      ["t1", 260],
    ]),
    aggregates,
  });

  it("reports exposures per variant (zero when none) and SRM against the configured split", () => {
    expect(out.assignments).toEqual([
      { variant_id: "c", users: 500 },
      { variant_id: "t1", users: 260 },
      { variant_id: "t2", users: 0 },
    ]);
    expect(out.srm).toEqual(srmCheck([500, 260, 0], [50, 25, 25]));
    // Nobody in a 25% arm, but SRM is not judged while a variant has fewer than 8 users (API.md).
    const srm = srmCheck([500, 260, 0], [50, 25, 25]);
    expect(srm.p_value).toBeNull();
    expect(srm.reason).toMatch(/fewer than 8 users/);
  });

  it("puts the primary metric first, then the others by name", () => {
    expect(out.metrics.map((m) => m.metric_name)).toEqual(["conversion", "aov"]);
  });

  it("summarizes each variant and compares each treatment with the control", () => {
    const conv = out.metrics[0]!;
    expect(conv.variants[0]).toEqual({
      variant_id: "c",
      count: 8,
      mean: 0.5,
      stddev: Math.sqrt(variance(control)),
      min: 0,
      max: 1,
    });
    expect(conv.variants[2]).toMatchObject({ variant_id: "t2", count: 1, mean: 1, stddev: null });
    const [vsT1, vsT2] = conv.comparisons;
    const expected = compareWelch(
      { count: 8, mean: 0.5, variance: variance(control) },
      { count: 6, mean: 5 / 6, variance: variance(t1) },
    );
    expect(vsT1).toMatchObject({ variant_id: "t1", control_variant_id: "c" });
    for (const [field, value] of Object.entries(expected)) {
      // Same inputs up to the last bit of the sums (SQL-style Σv² rather than two-pass).
      expect(vsT1?.[field as keyof typeof expected]).toBeCloseTo(value as number, 10);
    }
    expect(vsT1?.difference).toBeCloseTo(5 / 6 - 0.5, 12);
    expect(vsT1?.relative_lift).toBeCloseTo((5 / 6 - 0.5) / 0.5, 12);
    // One value: the difference is arithmetic, the inference is null, never NaN.
    expect(vsT2).toMatchObject({ variant_id: "t2", difference: 0.5, ci_low: null, p_value: null });
  });

  it("gives null statistics for variants without values", () => {
    const aov = out.metrics[1]!;
    expect(aov.variants[1]).toEqual({ variant_id: "t1", count: 0, mean: null, stddev: null, min: null, max: null });
    expect(aov.comparisons.every((c) => c.difference === null && c.p_value === null)).toBe(true);
    expect(JSON.stringify(out)).not.toMatch(/NaN|Infinity/);
  });

  it("lists a primary metric with no data yet, and has no comparisons without a control", () => {
    const empty = buildAnalysis({
      experimentId: "e",
      status: "draft",
      primaryMetric: "revenue",
      variants: [{ id: "a", variant_type: "treatment", traffic_percentage: 100 }],
      exposures: new Map(),
      aggregates: [],
    });
    expect(empty.metrics).toEqual([
      {
        metric_name: "revenue",
        variants: [{ variant_id: "a", count: 0, mean: null, stddev: null, min: null, max: null }],
        comparisons: [],
      },
    ]);
    expect(empty.srm).toEqual({ p_value: null, mismatch: false, reason: "fewer than 2 variants receive traffic" });
  });
});
