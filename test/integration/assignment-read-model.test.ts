import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { experiments, variants } from "../../src/db/schema";
import { insertExposures, listRunningExperimentsForConfig } from "../../src/assignment/read-model";
import { getExperimentWithVariants } from "../../src/experiments/repository";

const db = createDb(env.DB);

async function seedExperiment(org: string, id: string, status: "draft" | "running", seed: string | null = null) {
  await db.insert(experiments).values({
    id,
    orgId: org,
    key: `key-${id}`,
    experimentName: id,
    status,
    seed,
    coverage: 80,
    createdAt: Number(id.replace(/\D/g, "")) || 1,
    updatedAt: 1,
  });
  // Inserted out of order on purpose: creation order is `position`, not insertion order.
  await db.insert(variants).values([
    {
      id: `${id}-t`,
      orgId: org,
      experimentId: id,
      key: "t",
      variantName: "T",
      variantType: "treatment",
      trafficPercentage: 50,
      position: 1,
      createdAt: 1,
      config: { color: "red" },
    },
    {
      id: `${id}-c`,
      orgId: org,
      experimentId: id,
      key: "c",
      variantName: "C",
      variantType: "control",
      trafficPercentage: 50,
      position: 0,
      createdAt: 1,
    },
  ]);
}

describe("read model for the assignment routes", () => {
  it("gets one experiment of the org with variants in creation order, null for another org", async () => {
    await seedExperiment("acme", "e1", "running");
    const got = await getExperimentWithVariants(db, "acme", "e1");
    expect(got?.key).toBe("key-e1");
    expect(got?.variants.map((v) => v.id)).toEqual(["e1-c", "e1-t"]);
    expect(got?.variants[1]?.config).toEqual({ color: "red" });
    expect(await getExperimentWithVariants(db, "other", "e1")).toBeNull();
    expect(await getExperimentWithVariants(db, "acme", "nope")).toBeNull();
  });

  it("lists only running experiments of the org, seed defaulted to the key", async () => {
    await seedExperiment("acme", "e2", "running", "custom");
    await seedExperiment("acme", "e3", "draft");
    await seedExperiment("globex", "e4", "running");
    const list = await listRunningExperimentsForConfig(db, "acme");
    expect(list.map((e) => [e.id, e.seed])).toEqual([
      ["e1", "key-e1"],
      ["e2", "custom"],
    ]);
    expect(list[0]).toMatchObject({ status: "running", coverage: 80, winner_variant_id: null });
    expect(list[0]?.variants.map((v) => [v.key, v.variant_type, v.traffic_percentage])).toEqual([
      ["c", "control", 50],
      ["t", "treatment", 50],
    ]);
    expect(await listRunningExperimentsForConfig(db, "nobody")).toEqual([]);
  });

  it("inserts exposures set-based, first exposure wins, foreign rows skipped", async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => ({
      orgId: "acme",
      experimentId: "e1",
      userId: `u${i}`,
      variantId: i % 2 ? "e1-t" : "e1-c",
      exposedAt: 1000 + i,
    }));
    expect(await insertExposures(db, rows)).toBe(2500);
    const again = await insertExposures(db, [{ ...rows[0]!, variantId: "e1-t", exposedAt: 9 }]);
    expect(again).toBe(0);
    // Wrong org for the experiment, and a variant of another experiment: both skipped.
    expect(
      await insertExposures(db, [
        { orgId: "globex", experimentId: "e1", userId: "x", variantId: "e1-c", exposedAt: 1 },
        { orgId: "acme", experimentId: "e1", userId: "y", variantId: "e2-c", exposedAt: 1 },
      ]),
    ).toBe(0);
    const first = await env.DB.prepare(
      "SELECT variant_id, exposed_at FROM exposures WHERE experiment_id = 'e1' AND user_id = 'u0'",
    ).first();
    expect(first).toEqual({ variant_id: "e1-c", exposed_at: 1000 });
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM exposures").first<{ n: number }>();
    expect(count?.n).toBe(2500);
    expect(await insertExposures(db, [])).toBe(0);
  });
});
