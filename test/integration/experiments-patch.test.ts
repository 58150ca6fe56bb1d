import { describe, expect, it } from "vitest";
import { as, expectProblem } from "../helpers";
import { BASE, createExperiment, createRunning, type ExperimentBody, rows, twoVariants } from "./experiments-fixtures";

const stored = async (id: string) =>
  (await rows("SELECT key, seed, coverage, experiment_name, description FROM experiments WHERE id = ?", id))[0];
const storedVariants = async (id: string) =>
  rows("SELECT id, key, traffic_percentage, position FROM variants WHERE experiment_id = ? ORDER BY position", id);

describe("PATCH /experiments/:id on a draft", () => {
  it("changes descriptive fields, key, seed and coverage", async () => {
    const acme = await as("acme");
    const exp = await createExperiment(acme, { key: "draft-edit", coverage: 80 });
    const res = await acme.patch(`${BASE}/experiments/${exp.id}`, {
      experiment_name: "Renamed",
      description: "Why we run it",
      key: "draft-edit-2",
      seed: "salt",
      coverage: 30,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as ExperimentBody;
    expect(body).toMatchObject({ experiment_name: "Renamed", key: "draft-edit-2", seed: "salt", coverage: 30 });
    expect(Date.parse(body.updated_at)).toBeGreaterThanOrEqual(Date.parse(exp.updated_at));
    expect(await stored(exp.id)).toEqual({
      key: "draft-edit-2",
      seed: "salt",
      coverage: 30,
      experiment_name: "Renamed",
      description: "Why we run it",
    });
    // null resets the seed to its default, the key.
    const reset = (await (await acme.patch(`${BASE}/experiments/${exp.id}`, { seed: null })).json()) as ExperimentBody;
    expect(reset.seed).toBe("draft-edit-2");
    expect((await stored(exp.id))?.seed).toBeNull();
  });

  it("sets percentages through traffic_split", async () => {
    const acme = await as("acme");
    const exp = await createExperiment(acme, { key: "split", variants: twoVariants() });
    const res = await acme.patch(`${BASE}/experiments/${exp.id}`, { traffic_split: { control: 20, treatment: 80 } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as ExperimentBody).traffic_split).toEqual({ control: 20, treatment: 80 });
    expect((await storedVariants(exp.id)).map((v) => v.traffic_percentage)).toEqual([20, 80]);
  });

  it("replaces the variant set: kept keys keep their ids, order is the new order", async () => {
    const acme = await as("acme");
    const exp = await createExperiment(acme, { key: "replace", variants: twoVariants() });
    const [control, treatment] = exp.variants;
    const res = await acme.patch(`${BASE}/experiments/${exp.id}`, {
      variants: [
        { key: "treatment", variant_type: "treatment", traffic_percentage: 30, config: { color: "teal" } },
        { key: "control", variant_type: "control", traffic_percentage: 40 },
        { key: "new", variant_type: "treatment", traffic_percentage: 30 },
      ],
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as ExperimentBody;
    expect(body.variants.map((v) => v.key)).toEqual(["treatment", "control", "new"]);
    expect(body.variants[0]).toMatchObject({ id: treatment?.id, config: { color: "teal" } });
    expect(body.variants[1]?.id).toBe(control?.id);
    const after = await storedVariants(exp.id);
    expect(after.map((v) => [v.key, v.position, v.traffic_percentage])).toEqual([
      ["treatment", 0, 30],
      ["control", 1, 40],
      ["new", 2, 30],
    ]);
    expect(after[2]?.id).toBe(body.variants[2]?.id);
  });

  it("422 for traffic_split keys that are not variants; 400 for variants and traffic_split together", async () => {
    const acme = await as("acme");
    const exp = await createExperiment(acme, { key: "split-bad", variants: twoVariants() });
    const problem = await expectProblem(
      await acme.patch(`${BASE}/experiments/${exp.id}`, { traffic_split: { control: 50, ghost: 50 } }),
      422,
    );
    expect(problem.errors).toEqual([{ path: "traffic_split.ghost", message: "no variant with key 'ghost'" }]);
    const both = await expectProblem(
      await acme.patch(`${BASE}/experiments/${exp.id}`, { traffic_split: { control: 50 }, variants: [] }),
      400,
    );
    expect(both.errors?.[0]?.path).toBe("traffic_split");
    const types = await expectProblem(await acme.patch(`${BASE}/experiments/${exp.id}`, { coverage: "all" }), 400);
    expect(types.errors?.[0]?.path).toBe("coverage");
    expect((await storedVariants(exp.id)).map((v) => v.traffic_percentage)).toEqual([50, 50]);
  });
});

describe("PATCH /experiments/:id once started", () => {
  const frozen: { name: string; patch: Record<string, unknown>; field: string }[] = [
    { name: "seed", patch: { seed: "new-salt" }, field: "seed" },
    { name: "key", patch: { key: "renamed-key" }, field: "key" },
    { name: "traffic_split", patch: { traffic_split: { control: 10, treatment: 90 } }, field: "traffic_split" },
    {
      name: "variants",
      patch: { variants: [{ key: "control", variant_type: "control", traffic_percentage: 100 }] },
      field: "variants",
    },
  ];
  it.each(frozen)("409 for $name while running, nothing stored", async ({ patch, field }) => {
    const acme = await as("acme");
    const exp = await createRunning(acme, `frozen-${field.replace("_", "-")}`);
    const before = { exp: await stored(exp.id), variants: await storedVariants(exp.id) };
    const problem = await expectProblem(await acme.patch(`${BASE}/experiments/${exp.id}`, patch), 409);
    expect(problem.detail).toMatch(new RegExp(`${field} can only change while the experiment is a draft`));
    expect({ exp: await stored(exp.id), variants: await storedVariants(exp.id) }).toEqual(before);
  });

  it("accepts a round trip of unchanged structural fields with a new name", async () => {
    const acme = await as("acme");
    const exp = await createRunning(acme, "round-trip");
    const res = await acme.patch(`${BASE}/experiments/${exp.id}`, {
      experiment_name: "New name",
      seed: exp.seed,
      traffic_split: exp.traffic_split,
      coverage: exp.coverage,
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as ExperimentBody).experiment_name).toBe("New name");
  });

  it.each(["variants", "traffic_split"] as const)(
    "a whole GET body sent back, less what docs/experiments.md says to drop (keeping %s), renames a running experiment",
    async (keep) => {
      const acme = await as("acme");
      const exp = await createRunning(acme, `whole-trip-${keep}`, {
        targeting: { country: "FR" },
        namespace: { key: "checkout", start: 0, end: 0.5 },
        scheduled_end_at: "2031-01-01T00:00:00Z",
      });
      const read = (await (await acme.get(`${BASE}/experiments/${exp.id}`)).json()) as Record<string, unknown>;
      const {
        id: _id,
        status: _status,
        winner_variant_id: _winner,
        created_at: _c,
        updated_at: _u,
        started_at: _s,
        completed_at: _done,
        variants,
        traffic_split,
        ...writable
      } = read;
      const body = {
        ...writable,
        experiment_name: "Renamed by round trip",
        ...(keep === "variants"
          ? { variants: (variants as { id: string }[]).map(({ id: _vid, ...v }) => v) }
          : { traffic_split }),
      };
      const res = await acme.patch(`${BASE}/experiments/${exp.id}`, body);
      expect(res.status, await res.clone().text()).toBe(200);
      expect(await res.json()).toMatchObject({
        ...read,
        experiment_name: "Renamed by round trip",
        updated_at: expect.any(String),
      });
      expect((await storedVariants(exp.id)).map((v) => v.id)).toEqual((variants as { id: string }[]).map((v) => v.id));
    },
  );

  it("coverage rises while running and paused, never falls; a completed experiment is frozen", async () => {
    const acme = await as("acme");
    const exp = await createRunning(acme, "coverage", { coverage: 40 });
    const up = await acme.patch(`${BASE}/experiments/${exp.id}`, { coverage: 60 });
    expect(up.status).toBe(200);
    expect((await stored(exp.id))?.coverage).toBe(60);

    const down = await expectProblem(await acme.patch(`${BASE}/experiments/${exp.id}`, { coverage: 50 }), 409);
    expect(down.detail).toMatch(/may only rise/);
    // Named at the field, so the form shows it beside coverage (it said "Pick another key").
    expect(down.errors).toEqual([{ path: "coverage", message: down.detail }]);
    expect((await stored(exp.id))?.coverage).toBe(60);

    await acme.post(`${BASE}/experiments/${exp.id}/pause`);
    await expectProblem(await acme.patch(`${BASE}/experiments/${exp.id}`, { coverage: 10 }), 409);
    expect((await acme.patch(`${BASE}/experiments/${exp.id}`, { coverage: 70 })).status).toBe(200);
    expect((await stored(exp.id))?.coverage).toBe(70);

    await acme.post(`${BASE}/experiments/${exp.id}/complete`);
    await expectProblem(await acme.patch(`${BASE}/experiments/${exp.id}`, { coverage: 90 }), 409);
    expect((await stored(exp.id))?.coverage).toBe(70);
    // Descriptive fields stay editable for the write-up.
    expect((await acme.patch(`${BASE}/experiments/${exp.id}`, { description: "Shipped green" })).status).toBe(200);
  });

  it("404 for an unknown experiment", async () => {
    const acme = await as("acme");
    await expectProblem(await acme.patch(`${BASE}/experiments/exp_nope`, { experiment_name: "x" }), 404);
  });
});

describe("a metric has one role", () => {
  it("create, and a PATCH checked against the stored roles, refuse a second role; a legacy experiment stays editable", async () => {
    const acme = await as("acme");
    const both = await expectProblem(
      await acme.post(`${BASE}/experiments`, {
        key: "two-roles",
        experiment_name: "Two roles",
        secondary_metrics: ["lat"],
        guardrail_metrics: ["lat"],
      }),
      400,
    );
    expect(both.errors).toEqual([
      { path: "guardrail_metrics.0", message: "'lat' is already a secondary metric: a metric has one role" },
    ]);
    expect(await rows("SELECT id FROM experiments WHERE key = 'two-roles'")).toEqual([]);

    const exp = await createExperiment(acme, { key: "one-role", primary_metric: "m", secondary_metrics: ["lat"] });
    const guard = await expectProblem(
      await acme.patch(`${BASE}/experiments/${exp.id}`, { guardrail_metrics: ["m"] }),
      400,
    );
    expect(guard.errors).toEqual([
      { path: "guardrail_metrics.0", message: "'m' is already the primary metric: a metric has one role" },
    ]);
    // Moving a metric from one role to another in one PATCH is fine.
    const moved = await acme.patch(`${BASE}/experiments/${exp.id}`, {
      secondary_metrics: [],
      guardrail_metrics: ["lat"],
    });
    expect(moved.status).toBe(200);
    expect(await moved.json()).toMatchObject({ secondary_metrics: [], guardrail_metrics: ["lat"] });

    // Stored before the check: its other fields stay editable.
    await rows("UPDATE experiments SET guardrail_metrics = ? WHERE id = ?", JSON.stringify(["m", "lat"]), exp.id);
    expect((await acme.patch(`${BASE}/experiments/${exp.id}`, { experiment_name: "Renamed" })).status).toBe(200);
  });
});
