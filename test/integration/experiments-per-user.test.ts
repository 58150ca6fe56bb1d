/**
 * The exposed user is the unit (docs/contract.md "Metric catalogue and per-user analysis"): repeated
 * results per user, non-converters, unexposed users, anonymous rows, pre-exposure rows and late
 * exposures, checked against values computed by hand.
 */
import { describe, expect, it } from "vitest";
import { compareFrequentist } from "../../src/stats";
import { as } from "../helpers";
import { type AnalysisBody, exposeAt, mean, metricOf, sampleVariance } from "./experiments-analysis-fixtures";
import { BASE, createRunning, rows } from "./experiments-fixtures";

const T = 1_780_000_000_000; // the first exposure of every user below
const ORG = "per-user";

describe("per-user analysis", () => {
  it("reads one value per exposed user, counts what it leaves out, and re-reads late exposures", async () => {
    const acme = await as(ORG);
    for (const body of [
      { key: "revenue", kind: "mean", format: "currency", currency: "USD", capping: { type: "absolute", value: 100 } },
      { key: "converted", kind: "binomial" },
      { key: "latency", kind: "event_mean", direction: "decrease" },
    ]) {
      expect((await acme.post(`${BASE}/metrics`, body)).status).toBe(201);
    }
    const exp = await createRunning(acme, "per-user", { primary_metric: "revenue" });
    const [control, treatment] = exp.variants.map((v) => v.id) as [string, string];
    await exposeAt(exp.id, ORG, { c1: control, c2: control, c3: control, c4: control }, T);
    await exposeAt(exp.id, ORG, { t1: treatment, t2: treatment, t3: treatment }, T);

    const r = (
      metric_name: string,
      metric_value: number,
      at: number,
      who: { user_id?: string; variant_id?: string },
    ) => ({
      metric_name,
      metric_value,
      recorded_at: at,
      ...who,
    });
    const results = [
      r("revenue", 10, T + 1000, { user_id: "c1" }),
      r("revenue", 20, T + 2000, { user_id: "c1" }),
      r("revenue", 5, T - 1000, { user_id: "c1" }), // before exposure: CUPED covariate only
      r("converted", 0, T, { user_id: "c1" }), // 0 at exposure, 1 later: one conversion, not two values
      r("converted", 1, T + 3000, { user_id: "c1" }),
      r("latency", 100, T + 10, { user_id: "c1" }),
      r("revenue", 150, T + 1000, { user_id: "c2" }), // capped at 100
      r("converted", 0, T + 1000, { user_id: "c2" }),
      r("latency", 200, T + 10, { user_id: "c2" }),
      r("converted", 1, T + 1000, { user_id: "c3" }), // a duplicate conversion counts once
      r("converted", 1, T + 2000, { user_id: "c3" }),
      // c4 and t3: exposed, no results at all: 0 in every per-user metric.
      r("revenue", 40, T + 1000, { user_id: "t1" }),
      r("revenue", 7, T - 1000, { user_id: "t1" }),
      r("converted", 1, T + 500, { user_id: "t1" }),
      r("latency", 150, T + 10, { user_id: "t1" }),
      r("revenue", 25, T + 1000, { user_id: "t2" }),
      r("revenue ", 25, T + 2000, { user_id: "t2" }), // trimmed: the same metric
      r("converted", 0, T + 1000, { user_id: "t2" }),
      r("clicks", 3, T + 1000, { user_id: "t2" }), // no definition: mean / increase, defined: false
      r("revenue", 1000, T + 1000, { user_id: "u9", variant_id: treatment }), // never exposed (yet)
      r("revenue", 60, T + 5000, { user_id: "t4", variant_id: treatment }), // exposed later, at T
      r("revenue", 999, T + 1000, { variant_id: treatment }), // anonymous
      r("latency", 120, T + 10, { variant_id: treatment }), // anonymous: still a latency row
    ];
    const posted = await acme.post(`${BASE}/experiments/${exp.id}/results`, { results });
    expect(posted.status, await posted.clone().text()).toBe(201);
    expect(await posted.json()).toEqual({ accepted: results.length });

    const analyse = async () => {
      const res = await acme.get(`${BASE}/experiments/${exp.id}/results`);
      const text = await res.text();
      expect(res.status, text).toBe(200);
      expect(text).not.toMatch(/NaN|Infinity/);
      return JSON.parse(text) as AnalysisBody;
    };

    const first = await analyse();
    expect(first.assignments).toEqual([
      { variant_id: control, users: 4 },
      { variant_id: treatment, users: 3 },
    ]);
    expect(first.data_quality).toEqual({ unexposed_results: 2, anonymous_results: 2, pre_exposure_results: 2 });
    expect(first.metrics.map((m) => [m.metric_name, m.role, m.defined, m.kind])).toEqual([
      ["revenue", "primary", true, "mean"],
      ["clicks", "other", false, "mean"],
      ["converted", "other", true, "binomial"],
      ["latency", "other", true, "event_mean"],
    ]);
    expect(first.srm.p_value).toBeNull();
    expect(first.srm.reason).toMatch(/8/);

    const check = (body: AnalysisBody, name: string, c: number[], t: number[], binary = false) => {
      const m = metricOf(body, name);
      const [mc, mt] = m.variants;
      expect(mc).toMatchObject({ variant_id: control, count: c.length, min: Math.min(...c), max: Math.max(...c) });
      expect(mt).toMatchObject({ variant_id: treatment, count: t.length, min: Math.min(...t), max: Math.max(...t) });
      expect(mc?.mean).toBeCloseTo(mean(c), 12);
      expect(mt?.mean).toBeCloseTo(mean(t), 12);
      expect(mc?.sum).toBeCloseTo(
        c.reduce((a, b) => a + b, 0),
        12,
      );
      expect(mc?.stddev).toBeCloseTo(Math.sqrt(sampleVariance(c)), 12);
      expect(mt?.stddev).toBeCloseTo(Math.sqrt(sampleVariance(t)), 12);
      const expected = compareFrequentist(
        { n: c.length, mean: mean(c), variance: sampleVariance(c) },
        { n: t.length, mean: mean(t), variance: sampleVariance(t) },
        { confidence: 0.95, binary, sequential: null, direction: m.direction as "increase" | "decrease" },
      );
      const [cmp] = m.comparisons;
      expect(cmp?.difference).toBeCloseTo(mean(t) - mean(c), 12);
      for (const field of ["p_value", "ci_low", "ci_high", "chance_to_beat_control", "relative_lift"] as const) {
        const want = expected[field];
        if (want === null) expect(cmp?.[field]).toBeNull();
        else expect(cmp?.[field]).toBeCloseTo(want, 9);
      }
      return m;
    };

    const revenue = check(first, "revenue", [30, 100, 0, 0], [40, 50, 0]);
    expect(revenue.capping).toEqual({ type: "absolute", value: 100, cap: 100 });
    expect(revenue.format).toBe("currency");
    check(first, "converted", [1, 0, 1, 0], [1, 0, 0], true);
    expect(check(first, "clicks", [0, 0, 0, 0], [0, 3, 0]).defined).toBe(false);
    // event_mean keeps the per-row reading, anonymous rows included; users stays the exposure count.
    const latency = check(first, "latency", [100, 200], [150, 120]);
    expect(latency.variants.map((v) => v.users)).toEqual([4, 3]);
    expect(latency.direction).toBe("decrease");

    // t4 is exposed at T, before its result: the row becomes a treatment value. u9 is exposed
    // after its result: the row becomes a pre-exposure value (0 in the analysis).
    await exposeAt(exp.id, ORG, { t4: treatment }, T);
    await exposeAt(exp.id, ORG, { u9: treatment }, T + 2000);
    const second = await analyse();
    expect(second.assignments[1]).toEqual({ variant_id: treatment, users: 5 });
    expect(second.data_quality).toEqual({ unexposed_results: 0, anonymous_results: 2, pre_exposure_results: 3 });
    check(second, "revenue", [30, 100, 0, 0], [40, 50, 0, 60, 0]);
    check(second, "converted", [1, 0, 1, 0], [1, 0, 0, 0, 0], true);

    // The per-user table holds one row per (user, metric), exactly as folded by hand.
    expect(
      await rows(
        `SELECT user_id, variant_id, post_sum, post_positive, post_rows, pre_sum, pre_rows FROM user_metric_values
         WHERE experiment_id = ? AND metric_name = 'revenue' ORDER BY user_id`,
        exp.id,
      ),
    ).toEqual([
      { user_id: "c1", variant_id: control, post_sum: 30, post_positive: 2, post_rows: 2, pre_sum: 5, pre_rows: 1 },
      { user_id: "c2", variant_id: control, post_sum: 150, post_positive: 1, post_rows: 1, pre_sum: 0, pre_rows: 0 },
      { user_id: "t1", variant_id: treatment, post_sum: 40, post_positive: 1, post_rows: 1, pre_sum: 7, pre_rows: 1 },
      { user_id: "t2", variant_id: treatment, post_sum: 50, post_positive: 2, post_rows: 2, pre_sum: 0, pre_rows: 0 },
      { user_id: "t4", variant_id: treatment, post_sum: 60, post_positive: 1, post_rows: 1, pre_sum: 0, pre_rows: 0 },
      { user_id: "u9", variant_id: treatment, post_sum: 0, post_positive: 0, post_rows: 0, pre_sum: 1000, pre_rows: 1 },
    ]);

    // Deleting the experiment leaves nothing of it in the per-user table.
    await acme.post(`${BASE}/experiments/${exp.id}/complete`, {});
    expect((await acme.delete(`${BASE}/experiments/${exp.id}`)).status).toBe(204);
    expect(await rows("SELECT COUNT(*) AS n FROM user_metric_values WHERE experiment_id = ?", exp.id)).toEqual([
      { n: 0 },
    ]);
  });

  it("caps at the pooled percentile of per-user values, exposed users without results included", async () => {
    const acme = await as("per-user-cap");
    expect(
      (await acme.post(`${BASE}/metrics`, { key: "spend", capping: { type: "percentile", value: 0.8 } })).status,
    ).toBe(201);
    const exp = await createRunning(acme, "cap", { primary_metric: "spend" });
    const [control, treatment] = exp.variants.map((v) => v.id) as [string, string];
    const users = {
      a: control,
      b: control,
      c: control,
      d: control,
      e: control,
      f: treatment,
      g: treatment,
      h: treatment,
      i: treatment,
      j: treatment,
    };
    await exposeAt(exp.id, "per-user-cap", users, T);
    // Per-user values: a 1+2, b 5, c −4, d 100, e none (0) | f 7, g 9, h 1000, i 2, j none (0).
    const values: [string, number][] = [
      ["a", 1],
      ["a", 2],
      ["b", 5],
      ["c", -4],
      ["d", 100],
      ["f", 7],
      ["g", 9],
      ["h", 1000],
      ["i", 2],
    ];
    const results = values.map(([user_id, metric_value]) => ({
      metric_name: "spend",
      metric_value,
      user_id,
      recorded_at: T + 1,
    }));
    expect((await acme.post(`${BASE}/experiments/${exp.id}/results`, { results })).status).toBe(201);
    // Pooled sorted: −4, 0, 0, 2, 3, 5, 7, 9, 100, 1000; nearest rank ceil(0.8·10) = 8th: 9.
    const body = (await (await acme.get(`${BASE}/experiments/${exp.id}/results`)).json()) as AnalysisBody;
    const spend = metricOf(body, "spend");
    expect(spend.capping).toEqual({ type: "percentile", value: 0.8, cap: 9 });
    const c = [3, 5, -4, 9, 0];
    const t = [7, 9, 9, 2, 0];
    expect(spend.variants[0]?.mean).toBeCloseTo(mean(c), 12);
    expect(spend.variants[1]?.mean).toBeCloseTo(mean(t), 12);
    expect(spend.variants[1]?.max).toBe(9);
    expect(spend.variants[0]?.stddev).toBeCloseTo(Math.sqrt(sampleVariance(c)), 12);
  });

  // 5 users per arm: too few in the sample, the one pass shifts by the exact mean; 20 per arm:
  // it shifts by the sample's median (analysis-moments.ts sampleShifts).
  for (const repeats of [1, 4]) {
    it(`keeps differences exact for per-user values near 1.7e12, ${5 * repeats} users per arm (FINDINGS: means rounded before subtracting)`, async () => {
      const acme = await as(`per-user-big-${repeats}`);
      const exp = await createRunning(acme, "big", { primary_metric: "ts" });
      const [control, treatment] = exp.variants.map((v) => v.id) as [string, string];
      const base = 1.7e12;
      const offsets = Array.from({ length: repeats }, () => [0, 1, 3, 2, 4]).flat();
      const users: Record<string, string> = {};
      const results = offsets.flatMap((d, i) => {
        users[`c${i}`] = control;
        users[`t${i}`] = treatment;
        return [
          { metric_name: "ts", metric_value: base + d, user_id: `c${i}`, recorded_at: T + 1 },
          { metric_name: "ts", metric_value: base + 2 * d + 0.5, user_id: `t${i}`, recorded_at: T + 1 },
        ];
      });
      await exposeAt(exp.id, `per-user-big-${repeats}`, users, T);
      expect((await acme.post(`${BASE}/experiments/${exp.id}/results`, { results })).status).toBe(201);
      const body = (await (await acme.get(`${BASE}/experiments/${exp.id}/results`)).json()) as AnalysisBody;
      const ts = metricOf(body, "ts");
      // Σ(d − 2)² = 10 per repeat; the treatment's deviations are twice as large.
      const n = 5 * repeats;
      expect(ts.variants[0]?.stddev).toBeCloseTo(Math.sqrt((10 * repeats) / (n - 1)), 9);
      expect(ts.variants[1]?.stddev).toBeCloseTo(Math.sqrt((40 * repeats) / (n - 1)), 9);
      // Means 1.7e12 + 2 and 1.7e12 + 4.5: the difference is exactly 2.5, not a rounding of 1.7e12.
      expect(ts.comparisons[0]?.difference).toBe(2.5);
      const expected = compareFrequentist(
        { n, mean: 2, variance: (10 * repeats) / (n - 1) },
        { n, mean: 4.5, variance: (40 * repeats) / (n - 1) },
        { confidence: 0.95, binary: false, sequential: null },
      );
      expect(ts.comparisons[0]?.p_value).toBeCloseTo(expected.p_value ?? Number.NaN, 12);

      // The daily series sums around the same shift: its day agrees with the results page instead
      // of losing the spread to Σy² near 2.9e24 (it did, before it was shifted).
      const series = (await (await acme.get(`${BASE}/experiments/${exp.id}/results/timeseries?metric=ts`)).json()) as {
        items: {
          variants: { mean: number | null }[];
          comparisons: { relative_lift: number | null; lift_ci_low: number | null; lift_ci_high: number | null }[];
        }[];
      };
      const day = series.items.at(-1);
      expect(day?.variants.map((v) => v.mean)).toEqual([base + 2, base + 4.5]);
      for (const field of ["relative_lift", "lift_ci_low", "lift_ci_high"] as const) {
        const want = ts.comparisons[0]?.[field] as number;
        expect(Math.abs((day?.comparisons[0]?.[field] as number) - want), field).toBeLessThan(1e-9 * Math.abs(want));
      }
    });
  }
  it("a constant arm has no spread in the daily series as on the results page (no p-value from rounding)", async () => {
    const acme = await as("per-user-constant");
    const exp = await createRunning(acme, "const", { primary_metric: "spend" });
    const [control, treatment] = exp.variants.map((v) => v.id) as [string, string];
    const users: Record<string, string> = {};
    // Every control user ends at 0.3 + 0.7 and every treatment user at 1.1 + 2.3, over two days of
    // rows, so the series reaches its last day through day-by-day changes of the sums. Before the
    // rounding rule (analysis-moments.ts) those changes left the treatment arm a variance of rounding
    // size, and the series drew a lift interval of [2.39999997, 2.40000003] where the page has none.
    const results = Array.from({ length: 37 }, (_, i) => {
      users[`c${i}`] = control;
      users[`t${i}`] = treatment;
      return [
        { metric_name: "spend", metric_value: 0.3, user_id: `c${i}`, recorded_at: T + 1 },
        { metric_name: "spend", metric_value: 0.7, user_id: `c${i}`, recorded_at: T + 86_400_000 + 1 },
        { metric_name: "spend", metric_value: 1.1, user_id: `t${i}`, recorded_at: T + 1 },
        { metric_name: "spend", metric_value: 2.3, user_id: `t${i}`, recorded_at: T + 86_400_000 + 1 },
      ];
    }).flat();
    await exposeAt(exp.id, "per-user-constant", users, T);
    expect((await acme.post(`${BASE}/experiments/${exp.id}/results`, { results })).status).toBe(201);
    const body = (await (await acme.get(`${BASE}/experiments/${exp.id}/results`)).json()) as AnalysisBody;
    const page = metricOf(body, "spend").comparisons[0] as unknown as Record<string, unknown>;
    expect(page.p_value).toBeNull();
    const series = (await (await acme.get(`${BASE}/experiments/${exp.id}/results/timeseries?metric=spend`)).json()) as {
      items: { variants: { mean: number | null }[]; comparisons: Record<string, unknown>[] }[];
    };
    const day = series.items.at(-1);
    expect(day?.variants.map((v) => v.mean)).toEqual([1, 3.4].map((v) => expect.closeTo(v, 12)));
    for (const field of ["lift_ci_low", "lift_ci_high"]) expect(day?.comparisons[0]?.[field], field).toBe(page[field]);
  });
});
