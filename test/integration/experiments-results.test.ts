import { describe, expect, it } from "vitest";
import { MAX_METRIC_ABS } from "../../src/http/values";
import { as, expectProblem } from "../helpers";
import { BASE, count, createExperiment, createRunning, expose, rows, twoVariants } from "./experiments-fixtures";

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

  it("422 for a user never exposed, naming the row; the valid rows are not stored either", async () => {
    const acme = await as("acme");
    const exp = await createRunning(acme, "unexposed");
    await expose(exp.id, "acme", { known: exp.variants[0]?.id ?? "" });
    const problem = await expectProblem(
      await acme.post(`${BASE}/experiments/${exp.id}/results`, {
        results: [
          { metric_name: "m", metric_value: 1, user_id: "known" },
          { metric_name: "m", metric_value: 1, user_id: "stranger" },
        ],
      }),
      422,
    );
    expect(problem.errors).toEqual([
      { path: "results.1.user_id", message: "user 'stranger' was never exposed to this experiment" },
    ]);
    expect(await count("results", "experiment_id = ?", exp.id)).toBe(0);
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
