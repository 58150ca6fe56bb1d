// Concurrent edits of one experiment (an outside check sent 6 to 20 PATCHes at once). A PATCH is
// planned against the version it read, so it applies only if that version is still the stored one
// (updated_at, which every writer moves forward); otherwise it is a 409 and changes nothing. Before,
// the write was guarded by status alone: concurrent settings edits each answered 200 while the last
// merge dropped the others, a split planned on replaced variants applied to half of them, and the
// history's `from` values named versions that were never stored.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { nextUpdatedAt } from "../../src/db/d1";
import * as repo from "../../src/experiments/repository";
import { as } from "../helpers";
import { BASE, createExperiment, rows, twoVariants } from "./experiments-fixtures";

const db = createDb(env.DB);

const variantsOf = (id: string) =>
  rows<{ key: string; traffic_percentage: number }>(
    "SELECT key, traffic_percentage FROM variants WHERE experiment_id = ? ORDER BY position",
    id,
  );
const updates = async (id: string) =>
  (
    await rows<{ changes: string }>(
      "SELECT changes FROM audit_log WHERE entity_type = 'experiment' AND entity_id = ? AND action = 'updated' ORDER BY id",
      id,
    )
  ).map((r) => JSON.parse(r.changes) as Record<string, { from: unknown; to: unknown }>);

describe("an experiment PATCH applies to the version it read, or not at all", () => {
  it("a stale traffic_split does not touch variants replaced since it was read (no half-applied split)", async () => {
    const acme = await as("race-split");
    const exp = await createExperiment(acme, { key: "race-split", variants: twoVariants() });
    const read = await repo.getExperimentWithVariants(db, "race-split", exp.id);
    if (!read) throw new Error("not stored");
    // Another request replaces the variants after this one read them.
    const replaced = await acme.patch(`${BASE}/experiments/${exp.id}`, {
      variants: [
        { key: "control", variant_type: "control", traffic_percentage: 50 },
        { key: "other", variant_type: "treatment", traffic_percentage: 50 },
      ],
    });
    expect(replaced.status).toBe(200);
    const historyBefore = await updates(exp.id);
    const applied = await repo.updateExperiment(
      db,
      "race-split",
      exp.id,
      {
        expectedStatus: read.status,
        expectedUpdatedAt: read.updatedAt,
        fields: {},
        percentages: { control: 10, treatment: 90 },
        now: nextUpdatedAt(read.updatedAt, Date.now()),
      },
      null,
    );
    expect(applied).toBe(false);
    expect(await variantsOf(exp.id)).toEqual([
      { key: "control", traffic_percentage: 50 },
      { key: "other", traffic_percentage: 50 },
    ]);
    expect(await updates(exp.id)).toEqual(historyBefore);
  });

  it("a stale variant replacement does not delete a variant added since it was read", async () => {
    const acme = await as("race-add");
    const exp = await createExperiment(acme, { key: "race-add", variants: twoVariants() });
    const read = await repo.getExperimentWithVariants(db, "race-add", exp.id);
    if (!read) throw new Error("not stored");
    const added = await acme.post(`${BASE}/experiments/${exp.id}/variants`, {
      key: "x",
      variant_type: "treatment",
      traffic_percentage: 0,
    });
    expect(added.status).toBe(201);
    const applied = await repo.updateExperiment(
      db,
      "race-add",
      exp.id,
      {
        expectedStatus: read.status,
        expectedUpdatedAt: read.updatedAt,
        fields: { experimentName: "stale" },
        replaceVariants: read.variants.map((v) => ({ ...v, trafficPercentage: 50 })),
        now: nextUpdatedAt(read.updatedAt, Date.now()),
      },
      null,
    );
    expect(applied).toBe(false);
    expect((await variantsOf(exp.id)).map((v) => v.key)).toEqual(["control", "treatment", "x"]);
    const [stored] = await rows<{ experiment_name: string }>(
      "SELECT experiment_name FROM experiments WHERE id = ?",
      exp.id,
    );
    expect(stored?.experiment_name).toBe(exp.experiment_name);
  });

  it("every writer moves updated_at forward, within one millisecond too", () => {
    expect(nextUpdatedAt(1_000, 2_000)).toBe(2_000);
    expect(nextUpdatedAt(2_000, 2_000)).toBe(2_001);
    expect(nextUpdatedAt(2_500, 2_000)).toBe(2_501);
  });

  it("concurrent settings edits: each 200 is in the stored settings, each 409 changed nothing, the history chains", async () => {
    const acme = await as("race-settings");
    const exp = await createExperiment(acme, { key: "race-settings", variants: twoVariants() });
    const edits: Record<string, unknown>[] = [
      { engine: "bayesian" },
      { cuped: true },
      { sequential: true },
      { correction: "holm" },
      { confidence_level: 0.9 },
      { sequential_tuning: 7000 },
    ];
    const answers = await Promise.all(
      edits.map((e) => acme.patch(`${BASE}/experiments/${exp.id}`, { analysis_settings: e })),
    );
    const statuses = answers.map((r) => r.status);
    expect(
      statuses.every((s) => s === 200 || s === 409),
      JSON.stringify(statuses),
    ).toBe(true);
    const got = (await (await acme.get(`${BASE}/experiments/${exp.id}`)).json()) as {
      analysis_settings: Record<string, unknown>;
    };
    edits.forEach((e, i) => {
      if (statuses[i] === 200) expect(got.analysis_settings).toMatchObject(e);
    });
    // One history row per 200, each `from` the previous row's `to`: replaying it gives the stored state.
    const history = (await updates(exp.id)).map((c) => c.analysis_settings);
    expect(history).toHaveLength(statuses.filter((s) => s === 200).length);
    history.forEach((h, i) => {
      if (i > 0) expect(h?.from).toEqual(history[i - 1]?.to);
    });
    expect(history.at(-1)?.to).toEqual(got.analysis_settings);

    // A client that retries its 409 against a fresh read gets every edit in.
    for (const [i, e] of edits.entries()) {
      if (statuses[i] === 409) {
        expect((await acme.patch(`${BASE}/experiments/${exp.id}`, { analysis_settings: e })).status).toBe(200);
      }
    }
    const final = (await (await acme.get(`${BASE}/experiments/${exp.id}`)).json()) as {
      analysis_settings: Record<string, unknown>;
    };
    for (const e of edits) expect(final.analysis_settings).toMatchObject(e);
  });

  it("a PATCH answers the version it wrote", async () => {
    const acme = await as("race-answer");
    const exp = await createExperiment(acme, { key: "race-answer", variants: twoVariants() });
    const res = await acme.patch(`${BASE}/experiments/${exp.id}`, {
      experiment_name: "Mine",
      traffic_split: { control: 30, treatment: 70 },
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual(await (await acme.get(`${BASE}/experiments/${exp.id}`)).json());
  });
});
