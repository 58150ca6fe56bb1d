/**
 * Exact refusals (issue 10, FINDINGS.md): percentages are checked exactly with at most 2 decimals,
 * and read-only or unknown fields on write bodies are a 400 naming each one, never silently
 * dropped; traffic_split on create is honored. Every refusal leaves storage as it was.
 */
import { describe, expect, it } from "vitest";
import { as, expectProblem } from "../helpers";
import { BASE, count, createExperiment, createRunning, rows, twoVariants } from "./experiments-fixtures";

const paths = (problem: { errors?: { path: string }[] }) => (problem.errors ?? []).map((e) => e.path).sort();
const storedExperiment = async (id: string) =>
  (await rows("SELECT key, status, coverage, created_at, updated_at FROM experiments WHERE id = ?", id))[0];
const storedPercentages = async (id: string) =>
  (
    await rows<{ traffic_percentage: number }>(
      "SELECT traffic_percentage FROM variants WHERE experiment_id = ? ORDER BY position",
      id,
    )
  ).map((v) => v.traffic_percentage);

describe("percentages have at most 2 decimals", () => {
  it.each([
    [
      "a variant at 33.333",
      { variants: twoVariants(33.333, 66.667) },
      ["variants.0.traffic_percentage", "variants.1.traffic_percentage"],
    ],
    ["a variant at 49.999", { variants: twoVariants(49.999, 50) }, ["variants.0.traffic_percentage"]],
    [
      "a variant at 0.001",
      { variants: twoVariants(99.999, 0.001) },
      ["variants.0.traffic_percentage", "variants.1.traffic_percentage"],
    ],
    ["coverage 50.005", { coverage: 50.005 }, ["coverage"]],
    ["coverage over 100", { coverage: 100.5 }, ["coverage"]],
  ])("create with %s is 400, nothing stored", async (_name, extra, expected) => {
    const acme = await as("acme");
    const key = `pct-${expected.length}-${Math.random().toString(36).slice(2, 8)}`;
    const res = await acme.post(`${BASE}/experiments`, { key, experiment_name: "Exact", ...extra });
    const problem = await expectProblem(res, 400);
    expect(paths(problem)).toEqual(expected);
    expect(problem.errors?.[0]?.message).toMatch(/at most 2 decimals|percentage/);
    expect(await count("experiments", "key = ?", key)).toBe(0);
  });

  it("two-decimal percentages are accepted and sum exactly (33.33 + 33.33 + 33.34 starts)", async () => {
    const acme = await as("acme");
    const exp = await createExperiment(acme, {
      key: "thirds",
      coverage: 12.34,
      variants: [
        { key: "c", variant_type: "control", traffic_percentage: 33.33 },
        { key: "a", variant_type: "treatment", traffic_percentage: 33.33 },
        { key: "b", variant_type: "treatment", traffic_percentage: 33.34 },
      ],
    });
    expect((await acme.post(`${BASE}/experiments/${exp.id}/start`)).status).toBe(200);
    expect((await storedExperiment(exp.id))?.status).toBe("running");
  });

  it("PATCH coverage, traffic_split and an added variant with 3 decimals are 400, storage unchanged", async () => {
    const acme = await as("acme");
    const exp = await createExperiment(acme, { key: "pct-patch", coverage: 80, variants: twoVariants() });
    const before = await storedExperiment(exp.id);

    const coverage = await expectProblem(await acme.patch(`${BASE}/experiments/${exp.id}`, { coverage: 10.001 }), 400);
    expect(paths(coverage)).toEqual(["coverage"]);

    const split = await expectProblem(
      await acme.patch(`${BASE}/experiments/${exp.id}`, { traffic_split: { control: 49.999, treatment: 50 } }),
      400,
    );
    expect(paths(split)).toEqual(["traffic_split.control"]);

    const added = await expectProblem(
      await acme.post(`${BASE}/experiments/${exp.id}/variants`, {
        key: "third",
        variant_type: "treatment",
        traffic_percentage: 0.005,
      }),
      400,
    );
    expect(paths(added)).toEqual(["traffic_percentage"]);

    expect(await storedExperiment(exp.id)).toEqual(before);
    expect(await storedPercentages(exp.id)).toEqual([50, 50]);
  });

  it("variants stored at 49.999 + 50 before the rule can no longer start (FINDINGS.md)", async () => {
    const acme = await as("acme");
    const exp = await createExperiment(acme, { key: "legacy-pct", variants: twoVariants() });
    // Rows written before writes were checked exactly: only storage can hold them now.
    await rows("UPDATE variants SET traffic_percentage = 49.999 WHERE experiment_id = ? AND key = 'control'", exp.id);
    const problem = await expectProblem(await acme.post(`${BASE}/experiments/${exp.id}/start`), 422);
    expect(paths(problem)).toEqual(["variants.0.traffic_percentage"]);
    expect(problem.errors?.[0]?.message).toMatch(/at most 2 decimals/);
    expect((await storedExperiment(exp.id))?.status).toBe("draft");
  });
});

describe("read-only and unknown fields are named, never dropped", () => {
  it("PATCH with status, id and created_at is 400 naming each, storage unchanged", async () => {
    const acme = await as("acme");
    const exp = await createExperiment(acme, { key: "ro-patch", variants: twoVariants() });
    const before = await storedExperiment(exp.id);
    const res = await acme.patch(`${BASE}/experiments/${exp.id}`, {
      status: "completed",
      id: "x",
      created_at: "2000-01-01T00:00:00Z",
    });
    const problem = await expectProblem(res, 400);
    expect(paths(problem)).toEqual(["created_at", "id", "status"]);
    for (const e of problem.errors ?? []) expect(e.message).toMatch(/read-only or unknown/);
    expect(await storedExperiment(exp.id)).toEqual(before);
  });

  it("PATCH with a valid change beside an unknown field applies nothing", async () => {
    const acme = await as("acme");
    const exp = await createExperiment(acme, { key: "ro-mixed" });
    const problem = await expectProblem(
      await acme.patch(`${BASE}/experiments/${exp.id}`, { experiment_name: "Renamed", colour: "red" }),
      400,
    );
    expect(paths(problem)).toEqual(["colour"]);
    expect((await rows("SELECT experiment_name FROM experiments WHERE id = ?", exp.id))[0]?.experiment_name).toBe(
      "Experiment ro-mixed",
    );
  });

  it("PATCH {} is a documented no-op: 200, nothing changes", async () => {
    const acme = await as("acme");
    const exp = await createExperiment(acme, { key: "noop-patch", coverage: 70, variants: twoVariants() });
    const before = await storedExperiment(exp.id);
    const res = await acme.patch(`${BASE}/experiments/${exp.id}`, {});
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ key: "noop-patch", coverage: 70, status: "draft" });
    expect(await storedExperiment(exp.id)).toEqual(before);
    expect(await storedPercentages(exp.id)).toEqual([50, 50]);
    // Values equal to the stored ones change nothing either: updated_at stays, no history row.
    const same = await acme.patch(`${BASE}/experiments/${exp.id}`, {
      experiment_name: exp.experiment_name,
      coverage: 70,
      traffic_split: { control: 50, treatment: 50 },
      analysis_settings: {},
    });
    expect(same.status).toBe(200);
    expect(await storedExperiment(exp.id)).toEqual(before);
    expect(await count("audit_log", "entity_id = ? AND action = 'updated'", exp.id)).toBe(0);
  });

  it("every PATCHable field is in the history: metrics, planned users and analysis settings too", async () => {
    const acme = await as("acme");
    const exp = await createRunning(acme, "audited-analysis");
    const patches = [
      { secondary_metrics: ["revenue"], guardrail_metrics: ["latency_ms"] },
      { planned_users_per_variant: 1000 },
      { analysis_settings: { cuped: true, correction: "holm" } },
    ];
    for (const patch of patches) {
      const res = await acme.patch(`${BASE}/experiments/${exp.id}`, patch);
      expect(res.status, await res.clone().text()).toBe(200);
    }
    const res = await acme.get(`${BASE}/experiments/${exp.id}/history`);
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as { items: { action: string; changes: Record<string, unknown> }[] };
    // Newest first.
    const updates = items.filter((i) => i.action === "updated").reverse();
    expect(updates.map((u) => Object.keys(u.changes).sort())).toEqual([
      ["guardrail_metrics", "secondary_metrics"],
      ["planned_users_per_variant"],
      ["analysis_settings"],
    ]);
    expect(updates[0]?.changes.secondary_metrics).toEqual({ from: [], to: ["revenue"] });
    expect(updates[1]?.changes.planned_users_per_variant).toEqual({ from: null, to: 1000 });
    expect(updates[2]?.changes.analysis_settings).toMatchObject({
      from: { cuped: false, correction: "none" },
      to: { cuped: true, correction: "holm" },
    });
  });

  it("create with an unknown field, at the top or in a variant, is 400 naming it; nothing stored", async () => {
    const acme = await as("acme");
    const top = await expectProblem(
      await acme.post(`${BASE}/experiments`, { key: "unk-top", experiment_name: "U", status: "running" }),
      400,
    );
    expect(paths(top)).toEqual(["status"]);
    const nested = await expectProblem(
      await acme.post(`${BASE}/experiments`, {
        key: "unk-nested",
        experiment_name: "U",
        variants: [{ ...twoVariants()[0], weight: 3 }, twoVariants()[1]],
      }),
      400,
    );
    expect(paths(nested)).toEqual(["variants.0.weight"]);
    expect(await count("experiments", "key IN ('unk-top', 'unk-nested')")).toBe(0);
  });

  it("complete, assign and results bodies refuse unknown fields", async () => {
    const acme = await as("acme");
    const exp = await createRunning(acme, "unk-bodies");
    const complete = await expectProblem(
      await acme.post(`${BASE}/experiments/${exp.id}/complete`, { winner: "treatment" }),
      400,
    );
    expect(paths(complete)).toEqual(["winner"]);
    expect((await storedExperiment(exp.id))?.status).toBe("running");

    const one = await expectProblem(
      await acme.post(`${BASE}/experiments/${exp.id}/assign`, { user_id: "u1", force: "treatment" }),
      400,
    );
    expect(paths(one)).toEqual(["force"]);
    const many = await expectProblem(await acme.post(`${BASE}/assign`, { user_id: "u1", traits: {} }), 400);
    expect(paths(many)).toEqual(["traits"]);
    expect(await count("exposures", "experiment_id = ?", exp.id)).toBe(0);

    const single = await expectProblem(
      await acme.post(`${BASE}/experiments/${exp.id}/results`, {
        metric_name: "m",
        metric_value: 1,
        variant_id: exp.variants[0]?.id,
        unit: "usd",
      }),
      400,
    );
    expect(paths(single)).toEqual(["unit"]);
    const batch = await expectProblem(
      await acme.post(`${BASE}/experiments/${exp.id}/results`, {
        results: [{ metric_name: "m", metric_value: 1, variant_id: exp.variants[0]?.id, extra: true }],
      }),
      400,
    );
    expect(paths(batch)).toEqual(["results.0.extra"]);
    expect(await count("results", "experiment_id = ?", exp.id)).toBe(0);
  });
});

describe("traffic_split on create is honored", () => {
  it("sets the inline variants' percentages by key", async () => {
    const acme = await as("acme");
    const exp = await createExperiment(acme, {
      key: "split-create",
      variants: twoVariants(),
      traffic_split: { control: 30, treatment: 70 },
    });
    expect(exp.traffic_split).toEqual({ control: 30, treatment: 70 });
    expect(exp.variants.map((v) => v.traffic_percentage)).toEqual([30, 70]);
    expect(await storedPercentages(exp.id)).toEqual([30, 70]);
  });

  it("a key naming no variant is 400, nothing stored", async () => {
    const acme = await as("acme");
    const problem = await expectProblem(
      await acme.post(`${BASE}/experiments`, {
        key: "split-unknown",
        experiment_name: "S",
        variants: twoVariants(),
        traffic_split: { control: 50, nope: 50 },
      }),
      400,
    );
    expect(paths(problem)).toEqual(["traffic_split.nope"]);
    expect(await count("experiments", "key = 'split-unknown'")).toBe(0);
  });
});
