import { describe, expect, it } from "vitest";
import { as, expectProblem } from "../helpers";
import { BASE, createExperiment, createRunning, expose, rows, twoVariants } from "./experiments-fixtures";

/**
 * Organization B must not read, change or detect A's experiments on any route: every answer is
 * the 404 an unknown id gets, and A's rows are untouched afterwards.
 */
describe("cross-organization access is 404 on every experiments route", async () => {
  const a = await as("org-a");
  const b = await as("org-b");
  const draft = await createExperiment(a, { key: "a-draft", variants: twoVariants() });
  const running = await createRunning(a, "a-running");
  await expose(running.id, "org-a", { u1: running.variants[0]?.id ?? "" });

  const snapshot = async () => ({
    experiments: await rows("SELECT * FROM experiments WHERE org_id = 'org-a' ORDER BY id"),
    variants: await rows("SELECT * FROM variants WHERE org_id = 'org-a' ORDER BY id"),
    results: await rows("SELECT * FROM results WHERE org_id = 'org-a' ORDER BY id"),
  });

  const calls: { name: string; call: () => Promise<Response> }[] = [
    { name: "GET /experiments/:id", call: () => b.get(`${BASE}/experiments/${draft.id}`) },
    {
      name: "PATCH /experiments/:id",
      call: () => b.patch(`${BASE}/experiments/${draft.id}`, { experiment_name: "x" }),
    },
    { name: "DELETE /experiments/:id", call: () => b.delete(`${BASE}/experiments/${draft.id}`) },
    { name: "POST /experiments/:id/start", call: () => b.post(`${BASE}/experiments/${draft.id}/start`) },
    { name: "POST /experiments/:id/pause", call: () => b.post(`${BASE}/experiments/${running.id}/pause`) },
    { name: "POST /experiments/:id/complete", call: () => b.post(`${BASE}/experiments/${running.id}/complete`) },
    {
      name: "POST /experiments/:id/variants",
      call: () =>
        b.post(`${BASE}/experiments/${draft.id}/variants`, {
          key: "x",
          variant_type: "treatment",
          traffic_percentage: 0,
        }),
    },
    { name: "GET /experiments/:id/variants", call: () => b.get(`${BASE}/experiments/${draft.id}/variants`) },
    {
      name: "POST /experiments/:id/results (by user)",
      call: () =>
        b.post(`${BASE}/experiments/${running.id}/results`, { metric_name: "m", metric_value: 1, user_id: "u1" }),
    },
    {
      name: "POST /experiments/:id/results (by variant)",
      call: () =>
        b.post(`${BASE}/experiments/${running.id}/results`, {
          metric_name: "m",
          metric_value: 1,
          variant_id: running.variants[0]?.id,
        }),
    },
    { name: "GET /experiments/:id/results", call: () => b.get(`${BASE}/experiments/${running.id}/results`) },
  ];

  it.each(calls)("$name", async ({ call }) => {
    const before = await snapshot();
    const problem = await expectProblem(await call(), 404);
    expect(problem.detail).toBe(
      "experiment not found (this route takes the experiment's id, not its key; GET /api/v1/ab-testing/experiments?key=<key> finds it by key)",
    );
    expect(await snapshot()).toEqual(before);
  });

  it("lists show nothing of the other organization, and the same key is free in it", async () => {
    expect(await (await b.get(`${BASE}/experiments`)).json()).toEqual({ items: [], next_cursor: null });
    const mine = await createExperiment(b, { key: "a-draft" });
    expect(mine.id).not.toBe(draft.id);
    const listed = (await (await a.get(`${BASE}/experiments`)).json()) as { items: { id: string }[] };
    expect(listed.items.map((e) => e.id).sort()).toEqual([draft.id, running.id].sort());
  });
});
