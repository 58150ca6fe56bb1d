/**
 * Experiments' analysis fields (secondary and guardrail metrics, planned users, analysis_settings)
 * change in any status and change the reading: CUPED, corrections, the Bayesian engine, power;
 * the timeseries and POST /power.
 */
import { describe, expect, it } from "vitest";
import { adjustPValues, cuped, requiredUsersPerVariant } from "../../src/stats";
import { as, expectProblem } from "../helpers";
import {
  type AnalysisBody,
  exposeAt,
  mean,
  metricOf,
  sampleCovariance,
  sampleVariance,
} from "./experiments-analysis-fixtures";
import { BASE, createExperiment, createRunning, rows, twoVariants } from "./experiments-fixtures";

const DAY = 86_400_000;
const T = Math.floor(Date.now() / DAY) * DAY - 2 * DAY; // two days ago, midnight UTC

describe("experiment analysis fields", () => {
  it("defaults, validation, and changes in any status (settings merge; null resets)", async () => {
    const acme = await as("settings");
    const draft = await createExperiment(acme, { key: "fields", variants: twoVariants() });
    expect(draft).toMatchObject({
      secondary_metrics: [],
      guardrail_metrics: [],
      planned_users_per_variant: null,
      analysis_settings: {
        engine: "frequentist",
        confidence_level: 0.95,
        sequential: false,
        sequential_tuning: 5000,
        cuped: false,
        correction: "none",
      },
    });
    const running = await createRunning(acme, "fields-running", {
      primary_metric: "revenue",
      secondary_metrics: [" clicks", "signups"],
      guardrail_metrics: ["latency"],
      planned_users_per_variant: 1000,
      analysis_settings: { correction: "holm" },
    });
    expect(running.secondary_metrics).toEqual(["clicks", "signups"]);
    const patched = await acme.patch(`${BASE}/experiments/${running.id}`, {
      analysis_settings: { cuped: true, engine: "bayesian" },
      guardrail_metrics: [],
    });
    expect(patched.status, await patched.clone().text()).toBe(200);
    expect(await patched.json()).toMatchObject({
      status: "running",
      guardrail_metrics: [],
      analysis_settings: { cuped: true, engine: "bayesian", correction: "holm" },
    });
    const [stored] = await rows<{ analysis_settings: string }>(
      "SELECT analysis_settings FROM experiments WHERE id = ?",
      running.id,
    );
    expect(JSON.parse(stored?.analysis_settings ?? "null")).toEqual({
      correction: "holm",
      cuped: true,
      engine: "bayesian",
    });
    const reset = await acme.patch(`${BASE}/experiments/${running.id}`, { analysis_settings: null });
    expect(((await reset.json()) as { analysis_settings: { correction: string } }).analysis_settings.correction).toBe(
      "none",
    );

    for (const [body, path] of [
      [{ analysis_settings: { engine: "magic" } }, "analysis_settings.engine"],
      [{ analysis_settings: { confidence_level: 1.5 } }, "analysis_settings.confidence_level"],
      [{ analysis_settings: { correction: "bonferroni" } }, "analysis_settings.correction"],
      [{ analysis_settings: { cuped: "yes" } }, "analysis_settings.cuped"],
      [{ analysis_settings: { extra: 1 } }, "analysis_settings"],
      [{ secondary_metrics: ["a", "a"] }, "secondary_metrics.1"],
      [{ planned_users_per_variant: 0 }, "planned_users_per_variant"],
    ] as const) {
      const problem = await expectProblem(await acme.patch(`${BASE}/experiments/${running.id}`, body), 400);
      expect(problem.errors?.map((e) => e.path).join(" ")).toContain(path);
    }
  });

  it("CUPED, corrections over primary and secondary only, guardrails, power (hand-checked)", async () => {
    const acme = await as("settings-analysis");
    expect((await acme.post(`${BASE}/metrics`, { key: "latency", direction: "decrease" })).status).toBe(201);
    const exp = await createRunning(acme, "reading", {
      primary_metric: "revenue",
      secondary_metrics: ["clicks"],
      guardrail_metrics: ["latency"],
      planned_users_per_variant: 8,
    });
    const [control, treatment] = exp.variants.map((v) => v.id) as [string, string];
    // Pre-exposure revenue X and post-exposure revenue Y per user.
    const c = { x: [1, 2, 3, 4, 5, 6], y: [2, 3, 5, 4, 7, 8] };
    const t = { x: [2, 3, 3, 5, 6, 7], y: [5, 6, 6, 9, 10, 12] };
    const users: Record<string, string> = {};
    const results: Record<string, unknown>[] = [];
    const add = (prefix: string, variant: string, arm: { x: number[]; y: number[] }) =>
      arm.y.forEach((y, i) => {
        const user_id = `${prefix}${i}`;
        users[user_id] = variant;
        results.push({ metric_name: "revenue", metric_value: arm.x[i], user_id, recorded_at: T - 1000 });
        results.push({ metric_name: "revenue", metric_value: y, user_id, recorded_at: T + 1000 });
        results.push({ metric_name: "clicks", metric_value: i % 3, user_id, recorded_at: T + 1000 });
        results.push({
          metric_name: "latency",
          metric_value: prefix === "c" ? 100 + i : 150 + i,
          user_id,
          recorded_at: T + DAY,
        });
      });
    add("c", control, c);
    add("t", treatment, t);
    await exposeAt(exp.id, "settings-analysis", users, T);
    expect((await acme.post(`${BASE}/experiments/${exp.id}/results`, { results })).status).toBe(201);

    const read = async () => (await (await acme.get(`${BASE}/experiments/${exp.id}/results`)).json()) as AnalysisBody;
    const plain = await read();
    expect(plain.data_quality.pre_exposure_results).toBe(12);
    expect(plain.power).toMatchObject({ planned_users_per_variant: 8, progress: 6 / 8 });
    expect(plain.metrics.map((m) => [m.metric_name, m.role])).toEqual([
      ["revenue", "primary"],
      ["clicks", "secondary"],
      ["latency", "guardrail"],
    ]);
    expect(plain.metrics[2]?.comparisons[0]).toMatchObject({ verdict: "guardrail_failed", significant: true });
    expect(metricOf(plain, "revenue").cuped).toMatchObject({ applied: false });

    const patched = await acme.patch(`${BASE}/experiments/${exp.id}`, {
      analysis_settings: { cuped: true, correction: "holm" },
    });
    expect(patched.status).toBe(200);
    const adjusted = await read();
    const revenue = metricOf(adjusted, "revenue");
    const arm = (a: { x: number[]; y: number[] }) => ({
      n: a.y.length,
      mean: mean(a.y),
      variance: sampleVariance(a.y),
      meanX: mean(a.x),
      varianceX: sampleVariance(a.x),
      covarianceXY: sampleCovariance(a.x, a.y),
    });
    const expected = cuped([arm(c), arm(t)]);
    expect(revenue.cuped.applied).toBe(true);
    expect(revenue.cuped.theta).toBeCloseTo(expected.theta ?? Number.NaN, 10);
    expect(revenue.cuped.variance_reduction).toBeCloseTo(expected.variance_reduction ?? Number.NaN, 10);
    expect(revenue.variants[1]?.adjusted_mean).toBeCloseTo(expected.arms[1]?.mean ?? Number.NaN, 10);
    expect(revenue.variants[1]?.mean).toBeCloseTo(mean(t.y), 12); // the raw mean stays shown
    expect(revenue.comparisons[0]?.difference).toBeCloseTo(
      (expected.arms[1]?.mean ?? 0) - (expected.arms[0]?.mean ?? 0),
      10,
    );
    // Holm over the primary and secondary comparisons; the guardrail keeps its own p.
    const family = [
      revenue.comparisons[0]?.p_value ?? null,
      metricOf(adjusted, "clicks").comparisons[0]?.p_value ?? null,
    ];
    const holm = adjustPValues(family, "holm");
    expect(revenue.comparisons[0]?.p_value_adjusted).toBeCloseTo(holm[0] ?? Number.NaN, 12);
    expect(metricOf(adjusted, "clicks").comparisons[0]?.p_value_adjusted).toBeCloseTo(holm[1] ?? Number.NaN, 12);
    const guard = metricOf(adjusted, "latency").comparisons[0];
    expect(guard?.p_value_adjusted).toBe(guard?.p_value);

    await acme.patch(`${BASE}/experiments/${exp.id}`, { analysis_settings: { engine: "bayesian" } });
    const bayes = metricOf(await read(), "revenue").comparisons[0];
    expect(bayes?.expected_loss).toEqual(expect.any(Number));
    expect(bayes?.credible_low).toEqual(expect.any(Number));
    expect(bayes?.credible_high as number).toBeGreaterThan(bayes?.credible_low as number);
  });
});

describe("GET /experiments/:id/results/timeseries", () => {
  it("gives the cumulative per-user reading per UTC day since the start", async () => {
    const acme = await as("series");
    const exp = await createRunning(acme, "series", { primary_metric: "revenue" });
    const [control, treatment] = exp.variants.map((v) => v.id) as [string, string];
    await rows("UPDATE experiments SET started_at = ? WHERE id = ?", T + 10, exp.id);
    await exposeAt(exp.id, "series", { a: control, b: treatment }, T + 100);
    await exposeAt(exp.id, "series", { c: control }, T + DAY + 100);
    const results = [
      { metric_name: "revenue", metric_value: 10, user_id: "a", recorded_at: T + 200 },
      { metric_name: "revenue", metric_value: 4, user_id: "b", recorded_at: T + 200 },
      { metric_name: "revenue", metric_value: 6, user_id: "a", recorded_at: T + 2 * DAY + 5 },
      { metric_name: "revenue", metric_value: 99, user_id: "c", recorded_at: T + 50 }, // before c's exposure
    ];
    expect((await acme.post(`${BASE}/experiments/${exp.id}/results`, { results })).status).toBe(201);
    const res = await acme.get(`${BASE}/experiments/${exp.id}/results/timeseries`);
    const text = await res.text();
    expect(res.status, text).toBe(200);
    const body = JSON.parse(text) as {
      metric_name: string;
      items: { date: string; variants: { variant_id: string; users: number; mean: number | null }[] }[];
    };
    expect(body.metric_name).toBe("revenue");
    const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    expect(body.items.map((i) => i.date)).toEqual([iso(T), iso(T + DAY), iso(T + 2 * DAY)]);
    expect(body.items.map((i) => i.variants.map((v) => [v.users, v.mean]))).toEqual([
      [
        [1, 10],
        [1, 4],
      ],
      [
        [2, 5],
        [1, 4],
      ],
      [
        [2, 8],
        [1, 4],
      ],
    ]);
    // The last day agrees with the analysis itself.
    const analysis = (await (await acme.get(`${BASE}/experiments/${exp.id}/results`)).json()) as AnalysisBody;
    expect(metricOf(analysis, "revenue").variants.map((v) => v.mean)).toEqual([8, 4]);

    await expectProblem(
      await acme.get(`${BASE}/experiments/${exp.id}/results/timeseries?metric=${"x".repeat(200)}`),
      400,
    );
    const noPrimary = await createRunning(acme, "series-none");
    const problem = await expectProblem(await acme.get(`${BASE}/experiments/${noPrimary.id}/results/timeseries`), 400);
    expect(problem.errors?.[0]?.path).toBe("query.metric");
    await expectProblem(await acme.get(`${BASE}/experiments/exp_nope/results/timeseries?metric=m`), 404);
  });
});

describe("POST /power", () => {
  it("answers the statistics module's sample size; read scope", async () => {
    const reader = await as("power", "read");
    const body = { kind: "binomial", baseline_mean: 0.1, mde_relative: 0.05 };
    const res = await reader.post(`${BASE}/power`, body);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      users_per_variant: requiredUsersPerVariant({ binary: true, baseline_mean: 0.1, mde_relative: 0.05 }),
    });
    const mean_ = { kind: "mean", baseline_mean: 40, baseline_stddev: 55, mde_relative: 0.03, alpha: 0.01, power: 0.9 };
    expect(await (await reader.post(`${BASE}/power`, mean_)).json()).toEqual({
      users_per_variant: requiredUsersPerVariant({
        binary: false,
        baseline_mean: 40,
        baseline_stddev: 55,
        mde_relative: 0.03,
        alpha: 0.01,
        power: 0.9,
      }),
    });
    for (const [bad, path] of [
      [{ kind: "binomial", baseline_mean: 1.5, mde_relative: 0.05 }, "baseline_mean"],
      [{ kind: "mean", baseline_mean: 40, mde_relative: 0.05 }, "baseline_stddev"],
      [{ kind: "mean", baseline_mean: 40, baseline_stddev: 5, mde_relative: -1 }, "mde_relative"],
      [{ kind: "ratio", baseline_mean: 40, mde_relative: 0.1 }, "kind"],
      [{ ...body, alpha: 2 }, "alpha"],
    ] as const) {
      const problem = await expectProblem(await reader.post(`${BASE}/power`, bad), 400);
      expect(problem.errors?.map((e) => e.path)).toContain(path);
    }
    const ingest = await as("power", "ingest");
    await expectProblem(await ingest.post(`${BASE}/power`, body), 403);
  });
});
