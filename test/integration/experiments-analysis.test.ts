import { describe, expect, it } from "vitest";
import { compareWelch, srmCheck } from "../../src/stats";
import { as, expectProblem } from "../helpers";
import { BASE, createExperiment, createRunning, expose, twoVariants } from "./experiments-fixtures";

interface AnalysisBody {
  experiment_id: string;
  status: string;
  assignments: { variant_id: string; users: number }[];
  srm: { p_value: number | null; mismatch: boolean };
  metrics: {
    metric_name: string;
    variants: {
      variant_id: string;
      count: number;
      mean: number | null;
      stddev: number | null;
      min: number | null;
      max: number | null;
    }[];
    comparisons: Record<string, number | string | null>[];
  }[];
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sampleVariance = (xs: number[]) => {
  const m = mean(xs);
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
};
const users = (prefix: string, n: number, variant: string) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, variant]));

describe("GET /experiments/:id/results", () => {
  it("matches hand-computed summaries and the stats module's comparison, primary metric first", async () => {
    const acme = await as("acme");
    const exp = await createRunning(acme, "analysis", { primary_metric: "revenue" });
    const [control, treatment] = exp.variants.map((v) => v.id ?? "") as [string, string];
    await expose(exp.id, "acme", { ...users("c", 10, control), ...users("t", 12, treatment) });

    const revenueC = [10, 12, 9, 11, 13, 10, 8, 12, 11, 10];
    const revenueT = [13, 14, 12, 15, 11, 13, 16, 12, 14, 13, 12, 15];
    const results = [
      ...revenueC.map((v, i) => ({ metric_name: "revenue", metric_value: v, user_id: `c${i}` })),
      ...revenueT.map((v, i) => ({ metric_name: "revenue", metric_value: v, user_id: `t${i}` })),
      // A secondary metric sorted after the primary, with a single treatment value.
      { metric_name: "clicks", metric_value: 3, user_id: "c0" },
      { metric_name: "clicks", metric_value: 5, user_id: "c1" },
      { metric_name: "clicks", metric_value: 7, user_id: "t0" },
    ];
    expect((await acme.post(`${BASE}/experiments/${exp.id}/results`, { results })).status).toBe(201);

    const res = await acme.get(`${BASE}/experiments/${exp.id}/results`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as AnalysisBody;
    expect(body.experiment_id).toBe(exp.id);
    expect(body.status).toBe("running");
    expect(body.assignments).toEqual([
      { variant_id: control, users: 10 },
      { variant_id: treatment, users: 12 },
    ]);
    expect(body.srm).toEqual(srmCheck([10, 12], [50, 50]));
    expect(body.srm.mismatch).toBe(false);
    expect(body.metrics.map((m) => m.metric_name)).toEqual(["revenue", "clicks"]);

    const revenue = body.metrics[0]!;
    expect(revenue.variants[0]).toMatchObject({ variant_id: control, count: 10, min: 8, max: 13 });
    expect(revenue.variants[0]?.mean).toBeCloseTo(10.6, 12);
    expect(revenue.variants[0]?.stddev).toBeCloseTo(Math.sqrt(sampleVariance(revenueC)), 12);
    expect(revenue.variants[1]?.mean).toBeCloseTo(mean(revenueT), 12);

    const expected = compareWelch(
      { count: 10, mean: mean(revenueC), variance: sampleVariance(revenueC) },
      { count: 12, mean: mean(revenueT), variance: sampleVariance(revenueT) },
    );
    const [comparison] = revenue.comparisons;
    expect(comparison).toMatchObject({ variant_id: treatment, control_variant_id: control });
    for (const [field, value] of Object.entries(expected)) {
      expect(comparison?.[field]).toBeCloseTo(value as number, 10);
    }
    expect(comparison?.difference).toBeCloseTo(13.333333333333334 - 10.6, 12);
    expect(comparison?.p_value as number).toBeLessThan(0.001); // a clear effect
    expect(comparison?.chance_to_beat_control as number).toBeGreaterThan(0.999);

    const clicks = body.metrics[1]!;
    expect(clicks.variants[1]).toEqual({ variant_id: treatment, count: 1, mean: 7, stddev: null, min: 7, max: 7 });
    expect(clicks.comparisons[0]).toMatchObject({
      difference: 3,
      relative_lift: 0.75,
      ci_low: null,
      ci_high: null,
      p_value: null,
      chance_to_beat_control: null,
    });
  });

  it("keeps the spread of metrics whose mean dwarfs it (shifted second pass in SQL)", async () => {
    const acme = await as("acme");
    const exp = await createRunning(acme, "precision");
    const [control, treatment] = exp.variants.map((v) => v.id ?? "");
    const base = 1.7e12; // epoch milliseconds
    const offsets = [0, 1, 3, 2, 4];
    const results = offsets.flatMap((d) => [
      { metric_name: "ts", metric_value: base + d, variant_id: control },
      { metric_name: "ts", metric_value: base + 2 * d, variant_id: treatment },
    ]);
    expect((await acme.post(`${BASE}/experiments/${exp.id}/results`, { results })).status).toBe(201);
    const body = (await (await acme.get(`${BASE}/experiments/${exp.id}/results`)).json()) as AnalysisBody;
    const [c, t] = body.metrics[0]?.variants ?? [];
    expect(c?.stddev).toBeCloseTo(Math.sqrt(2.5), 6);
    expect(t?.stddev).toBeCloseTo(Math.sqrt(10), 6);
    expect(body.metrics[0]?.comparisons[0]?.difference).toBeCloseTo(2, 3);
  });

  it("flags a sample ratio mismatch", async () => {
    const acme = await as("acme");
    const exp = await createRunning(acme, "srm");
    const [control, treatment] = exp.variants.map((v) => v.id ?? "");
    await expose(exp.id, "acme", { ...users("c", 60, control ?? ""), ...users("t", 20, treatment ?? "") });
    const body = (await (await acme.get(`${BASE}/experiments/${exp.id}/results`)).json()) as AnalysisBody;
    expect(body.srm.mismatch).toBe(true);
    expect(body.srm.p_value).toBeCloseTo(srmCheck([60, 20], [50, 50]).p_value ?? Number.NaN, 12);
    expect(body.metrics).toEqual([]);
  });

  it("answers a draft with nulls, never NaN, and the primary metric listed", async () => {
    const acme = await as("acme");
    const exp = await createExperiment(acme, { key: "empty", primary_metric: "conversion", variants: twoVariants() });
    const res = await acme.get(`${BASE}/experiments/${exp.id}/results`);
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).not.toMatch(/NaN|Infinity/);
    const body = JSON.parse(text) as AnalysisBody;
    expect(body.srm).toMatchObject({ p_value: null, mismatch: false });
    expect(body.metrics).toHaveLength(1);
    expect(body.metrics[0]?.variants.every((v) => v.count === 0 && v.mean === null && v.stddev === null)).toBe(true);
    expect(body.metrics[0]?.comparisons[0]).toMatchObject({ difference: null, p_value: null });
  });

  it("404 for an unknown experiment", async () => {
    const acme = await as("acme");
    await expectProblem(await acme.get(`${BASE}/experiments/exp_nope/results`), 404);
  });
});
