import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { ExperimentClient } from "../../src/sdk/index";
import { as } from "../helpers";
import { seedExperiment, updateExperiment } from "./assignment-fixtures";

const BASE = "/api/v1/ab-testing";
const org = "sdk-org";

describe("SDK parity: local evaluation over GET /config equals POST /assign", () => {
  let client: ExperimentClient;
  let acme: Awaited<ReturnType<typeof as>>;
  let cov: { id: string };

  beforeAll(async () => {
    acme = await as(org, "assign");
    await seedExperiment({ org, key: "plain" });
    await seedExperiment({
      org,
      key: "three_way",
      seed: "s-2026",
      variants: [
        { key: "a", type: "control", pct: 33.34 },
        { key: "b", pct: 33.33, config: { n: 1 } },
        { key: "c", pct: 33.33, config: { n: 2 } },
      ],
    });
    cov = await seedExperiment({
      org,
      key: "partial",
      coverage: 33.3,
      variants: [
        { key: "treat_first", pct: 90 },
        { key: "ctl", type: "control", pct: 10 },
      ],
    });
    await seedExperiment({ org, key: "paused_x", status: "paused" });
    await seedExperiment({ org, key: "draft_x", status: "draft" });
    // The SDK talks to the Worker itself, through the real route, auth and ETag included.
    client = new ExperimentClient({
      baseUrl: "https://edge.test",
      token: acme.token,
      fetch: (input, init) => SELF.fetch(input, init),
    });
    expect(await client.refresh()).toBe(true);
  });

  it("gives every user the same assignments as the server, for 300 users", async () => {
    expect(client.config?.experiments.map((e) => e.key)).toEqual(["plain", "three_way", "partial"]);
    let inExperiment = 0;
    for (let i = 0; i < 300; i++) {
      const user = i % 7 === 0 ? `ünïcode-${i}-🙂` : `user-${i}`;
      const res = await acme.post(`${BASE}/assign`, { user_id: user });
      const server = ((await res.json()) as { assignments: unknown[] }).assignments;
      const local = client.getAssignments(user);
      expect(local).toEqual(server);
      inExperiment += local.filter((a) => a.in_experiment).length;
    }
    // Both enrolled and not-enrolled answers were compared.
    expect(inExperiment).toBeGreaterThan(300);
    expect(inExperiment).toBeLessThan(900);
  });

  it("getVariant equals the single-experiment route", async () => {
    for (let i = 0; i < 50; i++) {
      const res = await acme.post(`${BASE}/experiments/${cov.id}/assign`, { user_id: `single-${i}` });
      expect(client.getVariant("partial", `single-${i}`)).toEqual(await res.json());
    }
  });

  it("paused and completed experiments answer as the server does: the control, the winner, or the control", async () => {
    // An outside walk found getVariant null for both: GET /config carried running experiments only.
    const won = await seedExperiment({ org, key: "won_x", status: "completed" });
    await updateExperiment(org, won.id, { winner_variant_id: won.variantIds.treatment ?? null });
    const noWinner = await seedExperiment({ org, key: "done_x", status: "completed" });
    expect(await client.refresh()).toBe(true);
    // Each carries the one variant it answers, not its buckets.
    const stopped = client.config?.stopped_experiments ?? [];
    expect(stopped.map((e) => [e.key, e.status, e.variants.map((v) => v.key)])).toEqual([
      ["paused_x", "paused", ["control"]],
      ["won_x", "completed", ["treatment"]],
      ["done_x", "completed", ["control"]],
    ]);
    expect(client.config?.experiments.map((e) => e.key)).toEqual(["plain", "three_way", "partial"]);
    for (const [key, id] of [
      ["paused_x", `exp_${org}_paused_x`],
      ["won_x", won.id],
      ["done_x", noWinner.id],
    ] as const) {
      for (const user of ["u-1", "u-2", "ünïcode-🙂"]) {
        const single = await acme.post(`${BASE}/experiments/${id}/assign`, { user_id: user });
        expect(single.status).toBe(200);
        const local = client.getVariant(key, user);
        expect(local).toEqual(await single.json());
        const batch = await acme.post(`${BASE}/assign`, { user_id: user, experiments: [key] });
        expect((await batch.json()) as { assignments: unknown[] }).toMatchObject({ assignments: [local] });
      }
    }
    expect(client.getVariant("won_x", "u-1")).toMatchObject({
      variant_key: "treatment",
      in_experiment: false,
      reason: "completed",
    });
    expect(client.getVariant("paused_x", "u-1")).toMatchObject({ variant_key: "control", reason: "paused" });
    // A draft is still not served.
    expect(client.getVariant("draft_x", "u-1")).toBeNull();
    // getAssignments covers the running experiments, as POST /assign without keys does.
    expect(client.getAssignments("u-1").map((a) => a.experiment_key)).toEqual(["plain", "three_way", "partial"]);
  });

  it("revalidates with the ETag: 304 while unchanged, the new config after a change", async () => {
    expect(await client.refresh()).toBe(false);
    await updateExperiment(org, cov.id, { coverage: 80 });
    expect(await client.refresh()).toBe(true);
    expect(client.config?.experiments.find((e) => e.key === "partial")?.coverage).toBe(80);
    const res = await acme.post(`${BASE}/assign`, { user_id: "after-change" });
    expect(client.getAssignments("after-change")).toEqual(
      ((await res.json()) as { assignments: unknown[] }).assignments,
    );
  });
});
