import { SELF } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { onExperimentChanged } from "../../src/experiments/events";
import { as, expectProblem, tokenFor } from "../helpers";
import {
  BASE,
  count,
  createExperiment,
  createRunning,
  type ExperimentBody,
  rows,
  twoVariants,
} from "./experiments-fixtures";

const statusOf = async (id: string) =>
  (await rows<{ status: string }>("SELECT status FROM experiments WHERE id = ?", id))[0]?.status;

describe("POST /experiments/:id/start", () => {
  it("starts a valid draft: status, started_at in the body and in D1", async () => {
    const acme = await as("acme");
    const exp = await createExperiment(acme, { key: "go", variants: twoVariants() });
    const res = await acme.post(`${BASE}/experiments/${exp.id}/start`);
    expect(res.status).toBe(200);
    const started = (await res.json()) as ExperimentBody;
    expect(started.status).toBe("running");
    expect(started.started_at).not.toBeNull();
    const [row] = await rows("SELECT status, started_at FROM experiments WHERE id = ?", exp.id);
    expect(row).toEqual({ status: "running", started_at: Date.parse(started.started_at ?? "") });
  });

  const invalid: { name: string; variants: unknown[]; messages: RegExp[] }[] = [
    { name: "no variants", variants: [], messages: [/at least 2 variants, has 0/, /exactly one control/] },
    {
      name: "one variant",
      variants: [{ key: "c", variant_type: "control", traffic_percentage: 100 }],
      messages: [/at least 2 variants, has 1/],
    },
    {
      name: "two controls",
      variants: [
        { key: "a", variant_type: "control", traffic_percentage: 50 },
        { key: "b", variant_type: "control", traffic_percentage: 50 },
      ],
      messages: [/exactly one control variant, has 2/],
    },
    { name: "percentages summing to 90", variants: twoVariants(45, 45), messages: [/sum to 100, they sum to 90/] },
  ];
  it.each(invalid)("422 with the reason: $name, and the draft stays a draft", async ({ variants, messages }) => {
    const acme = await as("acme");
    const exp = await createExperiment(acme, { key: `bad-${Math.random().toString(36).slice(2, 8)}`, variants });
    const problem = await expectProblem(await acme.post(`${BASE}/experiments/${exp.id}/start`), 422);
    expect(problem.errors).toHaveLength(messages.length);
    messages.forEach((m, i) => {
      expect(problem.errors?.[i]?.message).toMatch(m);
      expect(problem.detail).toMatch(m);
    });
    expect(await statusOf(exp.id)).toBe("draft");
  });

  it("two concurrent starts: exactly one wins, the other gets 409", async () => {
    const acme = await as("acme");
    for (let round = 0; round < 5; round++) {
      const exp = await createExperiment(acme, { key: `race-${round}`, variants: twoVariants() });
      const answers = await Promise.all([
        acme.post(`${BASE}/experiments/${exp.id}/start`),
        acme.post(`${BASE}/experiments/${exp.id}/start`),
      ]);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(await statusOf(exp.id)).toBe("running");
    }
  });

  it("concurrent pause and complete both succeed only in a legal order", async () => {
    const acme = await as("acme");
    const exp = await createRunning(acme, "pc-race");
    const [pause, complete] = await Promise.all([
      acme.post(`${BASE}/experiments/${exp.id}/pause`),
      acme.post(`${BASE}/experiments/${exp.id}/complete`),
    ]);
    expect(complete.status).toBe(200);
    // Either pause came first (running -> paused -> completed) or it lost (409 from completed).
    expect([200, 409]).toContain(pause.status);
    expect(await statusOf(exp.id)).toBe("completed");
  });
});

describe("pause, resume, complete", () => {
  it("walks draft -> running -> paused -> running -> completed with a winner", async () => {
    const acme = await as("acme");
    const exp = await createRunning(acme, "walk");
    const firstStart = exp.started_at;
    const paused = (await (await acme.post(`${BASE}/experiments/${exp.id}/pause`)).json()) as ExperimentBody;
    expect(paused.status).toBe("paused");
    const resumed = (await (await acme.post(`${BASE}/experiments/${exp.id}/start`)).json()) as ExperimentBody;
    expect(resumed.status).toBe("running");
    expect(resumed.started_at).toBe(firstStart); // resuming is not a new start

    const winner = exp.variants[1]?.id;
    const res = await acme.post(`${BASE}/experiments/${exp.id}/complete`, { winner_variant_id: winner });
    expect(res.status).toBe(200);
    const done = (await res.json()) as ExperimentBody;
    expect(done).toMatchObject({ status: "completed", winner_variant_id: winner });
    expect(done.completed_at).not.toBeNull();
    const [row] = await rows("SELECT status, winner_variant_id, completed_at FROM experiments WHERE id = ?", exp.id);
    expect(row).toEqual({
      status: "completed",
      winner_variant_id: winner,
      completed_at: Date.parse(done.completed_at ?? ""),
    });
  });

  it("completes a paused experiment without a body", async () => {
    const acme = await as("acme");
    const exp = await createRunning(acme, "nobody");
    await acme.post(`${BASE}/experiments/${exp.id}/pause`);
    const { token } = acme;
    const res = await fetchNoBody(`${BASE}/experiments/${exp.id}/complete`, token);
    expect(res.status).toBe(200);
    expect(((await res.json()) as ExperimentBody).winner_variant_id).toBeNull();
  });

  it("422 for a winner that is not a variant of the experiment, nothing changed", async () => {
    const acme = await as("acme");
    const exp = await createRunning(acme, "wrong-winner");
    const other = await createExperiment(acme, { key: "other-exp", variants: twoVariants() });
    const problem = await expectProblem(
      await acme.post(`${BASE}/experiments/${exp.id}/complete`, { winner_variant_id: other.variants[0]?.id }),
      422,
    );
    expect(problem.errors?.[0]?.path).toBe("winner_variant_id");
    expect(await statusOf(exp.id)).toBe("running");
  });

  // The winner by key (a GrowthBook user names variants by key): alone, or agreeing with the id.
  const byKey: {
    name: string;
    body: (v: { control: string; treatment: string }) => Record<string, unknown>;
    status: number;
    winner?: "treatment";
    path?: string;
  }[] = [
    { name: "the key alone", body: () => ({ winner_variant_key: "treatment" }), status: 200, winner: "treatment" },
    {
      name: "the key and the id of the same variant",
      body: (v) => ({ winner_variant_id: v.treatment, winner_variant_key: "treatment" }),
      status: 200,
      winner: "treatment",
    },
    {
      name: "a key that is no variant",
      body: () => ({ winner_variant_key: "nope" }),
      status: 422,
      path: "winner_variant_key",
    },
    {
      name: "an id and a key of different variants",
      body: (v) => ({ winner_variant_id: v.control, winner_variant_key: "treatment" }),
      status: 422,
      path: "winner_variant_key",
    },
  ];
  it.each(byKey)("complete with $name: $status", async ({ body, status, winner, path }) => {
    const acme = await as("acme");
    const exp = await createRunning(acme, `win-${Math.random().toString(36).slice(2, 8)}`);
    const ids = Object.fromEntries(exp.variants.map((v) => [v.key, v.id])) as { control: string; treatment: string };
    const res = await acme.post(`${BASE}/experiments/${exp.id}/complete`, body(ids));
    if (status !== 200) {
      const problem = await expectProblem(res, status);
      expect(problem.errors?.[0]?.path).toBe(path);
      expect(await statusOf(exp.id)).toBe("running");
      expect(await count("audit_log", "entity_id = ? AND action = 'completed'", exp.id)).toBe(0);
      return;
    }
    expect(res.status).toBe(200);
    const expected = winner === undefined ? null : ids[winner];
    expect(((await res.json()) as ExperimentBody).winner_variant_id).toBe(expected);
    const [row] = await rows<{ winner_variant_id: string | null }>(
      "SELECT winner_variant_id FROM experiments WHERE id = ?",
      exp.id,
    );
    expect(row?.winner_variant_id).toBe(expected);
    const [audit] = await rows<{ changes: string }>(
      "SELECT changes FROM audit_log WHERE entity_id = ? AND action = 'completed'",
      exp.id,
    );
    expect(JSON.parse(audit?.changes ?? "{}").winner_variant_id).toEqual({ from: null, to: expected });
  });

  const illegal: { name: string; setup: ("start" | "pause" | "complete")[]; action: string }[] = [
    { name: "pause a draft", setup: [], action: "pause" },
    { name: "complete a draft", setup: [], action: "complete" },
    { name: "start a running experiment", setup: ["start"], action: "start" },
    { name: "pause a paused experiment", setup: ["start", "pause"], action: "pause" },
    { name: "start a completed experiment", setup: ["start", "complete"], action: "start" },
    { name: "pause a completed experiment", setup: ["start", "complete"], action: "pause" },
    { name: "complete a completed experiment", setup: ["start", "complete"], action: "complete" },
  ];
  it.each(illegal)("409: $name, status unchanged", async ({ setup, action }) => {
    const acme = await as("acme");
    const exp = await createExperiment(acme, {
      key: `ill-${Math.random().toString(36).slice(2, 8)}`,
      variants: twoVariants(),
    });
    for (const step of setup) expect((await acme.post(`${BASE}/experiments/${exp.id}/${step}`)).status).toBe(200);
    const before = await statusOf(exp.id);
    const problem = await expectProblem(await acme.post(`${BASE}/experiments/${exp.id}/${action}`), 409);
    expect(problem.detail).toMatch(new RegExp(`cannot ${action} a ${before} experiment`));
    expect(await statusOf(exp.id)).toBe(before);
  });

  it("404 for an unknown experiment", async () => {
    const acme = await as("acme");
    await expectProblem(await acme.post(`${BASE}/experiments/exp_nope/start`), 404);
    expect(await count("experiments", "id = 'exp_nope'")).toBe(0);
  });
});

describe("change events for caches", () => {
  const stops: (() => void)[] = [];
  afterEach(() => {
    for (const stop of stops.splice(0)) stop();
  });

  it("announces every committed change of the organization, and nothing on a refused one", async () => {
    const seen: string[] = [];
    stops.push(onExperimentChanged((org) => seen.push(org)));
    const acme = await as("evented");
    const exp = await createExperiment(acme, { key: "ev", variants: twoVariants() });
    await acme.post(`${BASE}/experiments/${exp.id}/start`);
    await acme.post(`${BASE}/experiments/${exp.id}/start`); // 409: no event
    await acme.patch(`${BASE}/experiments/${exp.id}`, { coverage: 100 }); // equal to the stored one: no write, no event
    await acme.patch(`${BASE}/experiments/${exp.id}`, { description: "changed" });
    await acme.post(`${BASE}/experiments/${exp.id}/pause`);
    await acme.post(`${BASE}/experiments/${exp.id}/complete`);
    await acme.delete(`${BASE}/experiments/${exp.id}`);
    expect(seen).toEqual(["evented", "evented", "evented", "evented", "evented", "evented"]);
  });
});

async function fetchNoBody(path: string, token: string) {
  const { SELF } = await import("cloudflare:test");
  return SELF.fetch(`https://edge.test${path}`, { method: "POST", headers: { Authorization: `Bearer ${token}` } });
}

describe("POST /experiments/:id/complete with an empty body", () => {
  it.each<[string, Record<string, string>, string | undefined, number]>([
    ["no body, no Content-Type", {}, undefined, 200],
    [
      "an empty body sent as JSON (curl -H 'Content-Type: application/json' -X POST)",
      { "Content-Type": "application/json" },
      "",
      200,
    ],
    ["whitespace sent as JSON", { "Content-Type": "application/json; charset=utf-8" }, " \n", 200],
    ["{} sent as JSON", { "Content-Type": "application/json" }, "{}", 200],
    ["broken JSON is still a 400", { "Content-Type": "application/json" }, "{", 400],
    ["a body of another type is still a 415", { "Content-Type": "text/plain" }, "winner", 415],
  ])("%s", async (_label, headers, body, status) => {
    const acme = await as("complete-empty");
    const exp = await createRunning(acme, `empty-${Math.random().toString(36).slice(2, 8)}`);
    const token = await tokenFor("complete-empty");
    const res = await SELF.fetch(`https://edge.test${BASE}/experiments/${exp.id}/complete`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, ...headers },
      ...(body === undefined ? {} : { body }),
    });
    expect(res.status, await res.clone().text()).toBe(status);
    expect(await statusOf(exp.id)).toBe(status === 200 ? "completed" : "running");
    if (status === 200) expect(await res.json()).toMatchObject({ status: "completed", winner_variant_id: null });
  });
});
