import { afterEach, describe, expect, it, vi } from "vitest";
import { bucketOf } from "../../src/evaluation/bucketing";
import { MAX_METRIC_ABS } from "../../src/http/values";
import { as, expectProblem } from "../helpers";
import { captureExposures } from "./exposure-capture";
import { BASE, count, createExperiment, createRunning, expose, rows, twoVariants } from "./experiments-fixtures";

afterEach(() => vi.restoreAllMocks());

interface AssignmentBody {
  variant_id: string;
  in_experiment: boolean;
}
interface AnalysisBody {
  assignments: { variant_id: string; users: number }[];
  metrics: { metric_name: string; variants: { variant_id: string; users: number; mean: number }[] }[];
  data_quality: { unexposed_results: number };
}

const resultsOf = (id: string) =>
  rows<{
    variant_id: string;
    user_id: string | null;
    metric_name: string;
    metric_value: number;
    recorded_at: number;
    org_id: string;
  }>(
    "SELECT org_id, variant_id, user_id, metric_name, metric_value, recorded_at FROM results WHERE experiment_id = ? ORDER BY id",
    id,
  );

describe("POST /experiments/:id/results", () => {
  it("stores one result with an explicit variant", async () => {
    const acme = await as("acme", "ingest read write");
    const exp = await createRunning(acme, "single");
    const variant = exp.variants[1]?.id ?? "";
    const res = await acme.post(`${BASE}/experiments/${exp.id}/results`, {
      metric_name: "revenue",
      metric_value: 12.5,
      variant_id: variant,
      recorded_at: "2026-11-01T10:00:00Z",
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ accepted: 1 });
    expect(await resultsOf(exp.id)).toEqual([
      {
        org_id: "acme",
        variant_id: variant,
        user_id: null,
        metric_name: "revenue",
        metric_value: 12.5,
        recorded_at: Date.parse("2026-11-01T10:00:00Z"),
      },
    ]);
  });

  it("without variant_id the user's exposure decides; an explicit variant_id wins", async () => {
    const acme = await as("acme");
    const exp = await createRunning(acme, "by-exposure");
    const [control, treatment] = exp.variants.map((v) => v.id);
    await expose(exp.id, "acme", { alice: treatment ?? "", bob: control ?? "" });
    const res = await acme.post(`${BASE}/experiments/${exp.id}/results`, {
      results: [
        { metric_name: "conversion", metric_value: 1, user_id: "alice", recorded_at: 1_700_000_000_000 },
        { metric_name: "conversion", metric_value: 0, user_id: "bob" },
        { metric_name: "conversion", metric_value: 1, user_id: "bob", variant_id: treatment },
      ],
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ accepted: 3 });
    const stored = await resultsOf(exp.id);
    expect(stored.map((r) => [r.user_id, r.variant_id, r.metric_value])).toEqual([
      ["alice", treatment, 1],
      ["bob", control, 0],
      ["bob", treatment, 1],
    ]);
    expect(stored[0]?.recorded_at).toBe(1_700_000_000_000);
  });

  it("stores a batch of 1000 in one request", async () => {
    const acme = await as("acme");
    const exp = await createRunning(acme, "thousand");
    const [control, treatment] = exp.variants.map((v) => v.id);
    const results = Array.from({ length: 1000 }, (_, i) => ({
      metric_name: i % 2 ? "revenue" : "clicks",
      metric_value: i,
      variant_id: i % 3 ? control : treatment,
    }));
    const res = await acme.post(`${BASE}/experiments/${exp.id}/results`, { results });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ accepted: 1000 });
    expect(await count("results", "experiment_id = ?", exp.id)).toBe(1000);
    const [sum] = await rows<{ s: number }>(
      "SELECT SUM(metric_value) AS s FROM results WHERE experiment_id = ?",
      exp.id,
    );
    expect(sum?.s).toBe((999 * 1000) / 2);
  });

  it("400 naming the bad row of a batch, and nothing of the batch is stored", async () => {
    const acme = await as("acme");
    const exp = await createRunning(acme, "atomic");
    const variant_id = exp.variants[0]?.id;
    const good = { metric_name: "m", metric_value: 1, variant_id };
    const problem = await expectProblem(
      await acme.post(`${BASE}/experiments/${exp.id}/results`, {
        results: [good, good, good, { ...good, metric_value: "lots" }, { metric_name: "m", metric_value: 2 }],
      }),
      400,
    );
    expect(problem.errors?.map((e) => e.path)).toEqual(["results.3.metric_value", "results.4.user_id"]);
    expect(problem.errors?.[1]?.message).toMatch(/user_id or variant_id is required/);
    expect(await count("results", "experiment_id = ?", exp.id)).toBe(0);
  });

  const malformed: { name: string; body: unknown; paths: string[] }[] = [
    { name: "neither user_id nor variant_id", body: { metric_name: "m", metric_value: 1 }, paths: ["user_id"] },
    { name: "missing metric_value", body: { metric_name: "m", user_id: "u" }, paths: ["metric_value"] },
    { name: "empty batch", body: { results: [] }, paths: ["results"] },
    {
      name: "batch over 1000",
      body: { results: Array.from({ length: 1001 }, () => ({ metric_name: "m", metric_value: 1, user_id: "u" })) },
      paths: ["results"],
    },
    { name: "results not an array", body: { results: "many" }, paths: ["results"] },
    {
      name: "bad recorded_at",
      body: { metric_name: "m", metric_value: 1, user_id: "u", recorded_at: "yesterday" },
      paths: ["recorded_at"],
    },
  ];
  it.each(malformed)("400: $name", async ({ body, paths }) => {
    const acme = await as("acme");
    const exp = await createRunning(acme, `bad-${paths.join("-")}-${Math.random().toString(36).slice(2, 7)}`);
    const problem = await expectProblem(await acme.post(`${BASE}/experiments/${exp.id}/results`, body), 400);
    expect(problem.errors?.map((e) => e.path)).toEqual(paths);
    expect(await count("results", "experiment_id = ?", exp.id)).toBe(0);
  });

  // Sums of values (and of their squares) must stay finite: the streaming metrics' bound.
  const outOfRange: { name: string; value: number }[] = [
    { name: "the largest double", value: Number.MAX_VALUE },
    { name: "-1e308", value: -1e308 },
    { name: "just past 1e15", value: MAX_METRIC_ABS + 1 },
    { name: "just past -1e15", value: -MAX_METRIC_ABS - 1 },
  ];
  it.each(outOfRange)(
    "400 for metric_value $name, naming the field; nothing of the batch is stored",
    async ({ value }) => {
      const acme = await as("acme");
      const exp = await createRunning(acme, `huge-${Math.random().toString(36).slice(2, 7)}`);
      const variant_id = exp.variants[0]?.id;
      const good = { metric_name: "m", metric_value: 1, variant_id };
      const batch = await expectProblem(
        await acme.post(`${BASE}/experiments/${exp.id}/results`, { results: [good, { ...good, metric_value: value }] }),
        400,
      );
      expect(batch.errors).toEqual([
        { path: "results.1.metric_value", message: "must be a finite number between -1e15 and 1e15" },
      ]);
      const single = await expectProblem(
        await acme.post(`${BASE}/experiments/${exp.id}/results`, { ...good, metric_value: value }),
        400,
      );
      expect(single.errors).toEqual([
        { path: "metric_value", message: "must be a finite number between -1e15 and 1e15" },
      ]);
      expect(await count("results", "experiment_id = ?", exp.id)).toBe(0);
      expect(await count("user_metric_values", "experiment_id = ?", exp.id)).toBe(0);
    },
  );

  it("stores values of exactly ±1e15, and their per-user sums stay finite", async () => {
    const acme = await as("acme");
    const exp = await createRunning(acme, "edge-values");
    await expose(exp.id, "acme", { u: exp.variants[0]?.id ?? "" });
    const res = await acme.post(`${BASE}/experiments/${exp.id}/results`, {
      results: [
        { metric_name: "m", metric_value: MAX_METRIC_ABS, user_id: "u" },
        { metric_name: "m", metric_value: MAX_METRIC_ABS, user_id: "u" },
        { metric_name: "m", metric_value: -MAX_METRIC_ABS, user_id: "u" },
      ],
    });
    expect(res.status).toBe(201);
    expect((await resultsOf(exp.id)).map((r) => r.metric_value)).toEqual([
      MAX_METRIC_ABS,
      MAX_METRIC_ABS,
      -MAX_METRIC_ABS,
    ]);
    const [folded] = await rows<{ post_sum: number; post_rows: number }>(
      "SELECT post_sum, post_rows FROM user_metric_values WHERE experiment_id = ? AND user_id = 'u'",
      exp.id,
    );
    expect(folded).toEqual({ post_sum: MAX_METRIC_ABS, post_rows: 3 });
  });

  it("a user whose exposure is not stored yet counts for their bucket's variant, read once the exposure lands", async () => {
    // Exposures reach D1 through the queue after the answer: here they wait, recorded, until deliver().
    const queue = captureExposures();
    const acme = await queue.as("acme-lag");
    const exp = await createRunning(acme, "lag");
    const assigned = await acme.post(`${BASE}/experiments/${exp.id}/assign`, { user_id: "lagging" });
    const { variant_id: variant, in_experiment } = (await assigned.json()) as AssignmentBody;
    expect(in_experiment).toBe(true);
    const recorded = await acme.post(`${BASE}/experiments/${exp.id}/results`, {
      results: [
        { metric_name: "m", metric_value: 3, user_id: "lagging" },
        // Never assigned through this service: attributed by the same bucketing, but not analysed.
        { metric_name: "m", metric_value: 5, user_id: "stranger" },
      ],
    });
    expect(recorded.status, await recorded.clone().text()).toBe(201);
    expect(await count("exposures", "experiment_id = ?", exp.id)).toBe(0);
    const stored = await resultsOf(exp.id);
    expect(stored.map((r) => [r.user_id, r.variant_id])).toEqual([
      ["lagging", variant],
      // 50/50 over full coverage, seed = key: control holds buckets [0, 0.5), treatment [0.5, 1).
      ["stranger", exp.variants[bucketOf(exp.key, "stranger") < 0.5 ? 0 : 1]?.id],
    ]);

    await queue.deliver();
    const analysis = (await (await acme.get(`${BASE}/experiments/${exp.id}/results`)).json()) as AnalysisBody;
    expect(analysis.assignments.find((a) => a.variant_id === variant)?.users).toBe(1);
    const m = analysis.metrics.find((x) => x.metric_name === "m");
    expect(m?.variants.find((v) => v.variant_id === variant)).toMatchObject({ users: 1, mean: 3 });
    expect(analysis.data_quality).toMatchObject({ unexposed_results: 1 });
  });

  it("422 for a user outside the coverage with no exposure, naming the row; the valid rows are not stored either", async () => {
    const acme = await as("acme");
    const exp = await createRunning(acme, "unexposed", { coverage: 10 });
    // Coverage 10% of a 50/50 split (docs/contract.md, Bucketing): control holds [0, 0.05), treatment
    // [0.5, 0.55); every other bucket is outside.
    const covered = (u: string) => {
      const n = bucketOf(exp.key, u);
      return n < 0.05 || (n >= 0.5 && n < 0.55);
    };
    const users = Array.from({ length: 200 }, (_, i) => `user-${i}`);
    const outside = users.find((u) => !covered(u)) ?? "";
    const inside = users.find(covered) ?? "";
    expect(inside).not.toBe("");
    const problem = await expectProblem(
      await acme.post(`${BASE}/experiments/${exp.id}/results`, {
        results: [
          { metric_name: "m", metric_value: 1, user_id: inside },
          { metric_name: "m", metric_value: 1, user_id: outside },
        ],
      }),
      422,
    );
    expect(problem.errors).toEqual([
      {
        path: "results.1.user_id",
        message: `user '${outside}' is outside the experiment (its coverage or namespace) and has no exposure`,
      },
    ]);
    expect(await count("results", "experiment_id = ?", exp.id)).toBe(0);
    // An exposure stored for that user (recorded when the coverage was theirs) attributes the row.
    await expose(exp.id, "acme", { [outside]: exp.variants[0]?.id ?? "" });
    const ok = await acme.post(`${BASE}/experiments/${exp.id}/results`, {
      metric_name: "m",
      metric_value: 1,
      user_id: outside,
    });
    expect(ok.status).toBe(201);
  });

  it("422 for a variant_id of another experiment", async () => {
    const acme = await as("acme");
    const exp = await createRunning(acme, "foreign-variant");
    const other = await createRunning(acme, "foreign-variant-2");
    const problem = await expectProblem(
      await acme.post(`${BASE}/experiments/${exp.id}/results`, {
        metric_name: "m",
        metric_value: 1,
        variant_id: other.variants[0]?.id,
      }),
      422,
    );
    expect(problem.errors).toEqual([{ path: "variant_id", message: "not a variant of this experiment" }]);
    expect(await count("results", "experiment_id IN (?, ?)", exp.id, other.id)).toBe(0);
  });

  it("409 for a draft; accepted while paused and after completion (late conversions)", async () => {
    const acme = await as("acme");
    const draft = await createExperiment(acme, { key: "not-yet", variants: twoVariants() });
    const body = (id: string | undefined) => ({ metric_name: "m", metric_value: 1, variant_id: id });
    await expectProblem(await acme.post(`${BASE}/experiments/${draft.id}/results`, body(draft.variants[0]?.id)), 409);

    const exp = await createRunning(acme, "late");
    await acme.post(`${BASE}/experiments/${exp.id}/pause`);
    expect((await acme.post(`${BASE}/experiments/${exp.id}/results`, body(exp.variants[0]?.id))).status).toBe(201);
    await acme.post(`${BASE}/experiments/${exp.id}/complete`);
    expect((await acme.post(`${BASE}/experiments/${exp.id}/results`, body(exp.variants[1]?.id))).status).toBe(201);
    expect(await count("results", "experiment_id = ?", exp.id)).toBe(2);
  });

  it("needs the ingest scope", async () => {
    const writer = await as("acme", "read write");
    const exp = await createRunning(writer, "scoped");
    const res = await writer.post(`${BASE}/experiments/${exp.id}/results`, {
      metric_name: "m",
      metric_value: 1,
      variant_id: exp.variants[0]?.id,
    });
    await expectProblem(res, 403);
  });
});
