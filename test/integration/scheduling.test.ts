import { createScheduledController, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { as } from "../helpers";
import { BASE, createExperiment, rows, twoVariants } from "./experiments-fixtures";

/** Fires the Worker's Cron Trigger as Cloudflare would, at an injected time. */
async function tick(scheduledTime: number): Promise<void> {
  await worker.scheduled(createScheduledController({ scheduledTime, cron: "* * * * *" }), env);
}

const history = (id: string) =>
  rows<{ actor: string; action: string; reason: string | null; changes: string }>(
    "SELECT actor, action, reason, changes FROM audit_log WHERE entity_type = 'experiment' AND entity_id = ? ORDER BY id",
    id,
  );

const statusOf = async (id: string) =>
  (
    await rows<{ status: string; scheduled_start_at: number | null }>(
      "SELECT status, scheduled_start_at FROM experiments WHERE id = ?",
      id,
    )
  )[0];

describe("the scheduled handler", () => {
  it("starts due drafts, refuses (and records) a start that fails the checks, completes due experiments", async () => {
    const acme = await as("acme");
    const t0 = Date.UTC(2030, 0, 1, 12, 0);
    const ready = await createExperiment(acme, {
      key: "starts",
      experiment_name: "Starts on schedule",
      variants: twoVariants(),
      scheduled_start_at: t0,
      scheduled_end_at: new Date(t0 + 120_000).toISOString(),
    });
    const broken = await createExperiment(acme, {
      key: "refused",
      experiment_name: "Cannot start: one variant",
      variants: [{ key: "control", variant_type: "control", traffic_percentage: 100 }],
      scheduled_start_at: t0,
    });
    const later = await createExperiment(acme, {
      key: "later",
      experiment_name: "Not yet",
      variants: twoVariants(),
      scheduled_start_at: t0 + 3_600_000,
    });

    await tick(t0 - 1);
    expect((await statusOf(ready.id))?.status).toBe("draft");

    await tick(t0 + 30_000);
    expect((await statusOf(ready.id))?.status).toBe("running");
    expect(await statusOf(broken.id)).toEqual({ status: "draft", scheduled_start_at: null });
    expect((await statusOf(later.id))?.status).toBe("draft");

    const refused = await history(broken.id);
    expect(refused.map((h) => [h.actor, h.action])).toEqual([
      ["tester@example.com", "created"],
      ["scheduler", "start_refused"],
    ]);
    expect(refused[1]?.reason).toMatch(/at least 2 variants/);
    expect(JSON.parse(refused[1]?.changes ?? "{}")).toEqual({
      scheduled_start_at: { from: new Date(t0).toISOString(), to: null },
    });
    // Seen through the API as well.
    const page = await (await acme.get(`${BASE}/experiments/${broken.id}/history`)).json<{
      items: { actor: string; action: string; reason: string | null }[];
    }>();
    expect(page.items[0]).toMatchObject({ actor: "scheduler", action: "start_refused" });
    expect(page.items[0]?.reason).toMatch(/at least 2 variants/);

    // A refusal is recorded once, not every minute.
    await tick(t0 + 90_000);
    expect(await history(broken.id)).toHaveLength(2);
    expect((await statusOf(ready.id))?.status).toBe("running");

    await tick(t0 + 120_000);
    const [done] = await rows("SELECT status, winner_variant_id, completed_at FROM experiments WHERE id = ?", ready.id);
    expect(done).toMatchObject({ status: "completed", winner_variant_id: null });
    expect((await history(ready.id)).map((h) => [h.actor, h.action])).toEqual([
      ["tester@example.com", "created"],
      ["scheduler", "started"],
      ["scheduler", "completed"],
    ]);
    // The assignment cache of this isolate dropped the org: the completed one answers the control.
    const assigned = await acme.post(`${BASE}/experiments/${ready.id}/assign`, { user_id: "u1" });
    expect(await assigned.json()).toMatchObject({ in_experiment: false, variant_key: "control" });
  });

  it("completes a paused experiment past its end, and leaves other organizations' schedules to their own time", async () => {
    const globex = await as("globex");
    const t0 = Date.UTC(2031, 0, 1);
    const paused = await createExperiment(globex, {
      key: "paused",
      experiment_name: "Paused",
      variants: twoVariants(),
    });
    await globex.post(`${BASE}/experiments/${paused.id}/start`);
    await globex.post(`${BASE}/experiments/${paused.id}/pause`);
    const patched = await globex.patch(`${BASE}/experiments/${paused.id}`, { scheduled_end_at: t0 });
    expect(patched.status).toBe(200);
    await tick(t0);
    expect((await statusOf(paused.id))?.status).toBe("completed");
  });

  it("a draft whose start and end have both passed is started, then completed, in one tick", async () => {
    const initech = await as("initech");
    const t0 = Date.UTC(2032, 0, 1);
    const missed = await createExperiment(initech, {
      key: "missed",
      experiment_name: "Whole window missed",
      variants: twoVariants(),
      scheduled_start_at: t0,
      scheduled_end_at: t0 + 60_000,
    });
    await tick(t0 + 3_600_000);
    expect((await statusOf(missed.id))?.status).toBe("completed");
    expect((await history(missed.id)).map((h) => [h.actor, h.action])).toEqual([
      ["tester@example.com", "created"],
      ["scheduler", "started"],
      ["scheduler", "completed"],
    ]);
  });

  // D1 refusing one experiment's write (a trigger raises for its id, as a failed write would) must
  // not stop the pass: the others go ahead, and the failed one is retried at the next minute.
  it("one experiment whose write fails does not stop the others, and is retried the next minute", async () => {
    const hooli = await as("hooli");
    const t0 = Date.UTC(2033, 0, 1);
    const make = (key: string) =>
      createExperiment(hooli, { key, experiment_name: key, variants: twoVariants(), scheduled_start_at: t0 });
    const first = await make("first");
    const failing = await make("failing");
    const last = await make("last");
    await env.DB.prepare(
      `CREATE TRIGGER fail_one BEFORE UPDATE OF status ON experiments WHEN NEW.id = '${failing.id}'
       BEGIN SELECT RAISE(ABORT, 'simulated D1 failure'); END`,
    ).run();
    try {
      await tick(t0);
      expect([(await statusOf(first.id))?.status, (await statusOf(last.id))?.status]).toEqual(["running", "running"]);
      // Not refused (its schedule stays, nothing in its history): a failure is not a verdict.
      expect(await statusOf(failing.id)).toEqual({ status: "draft", scheduled_start_at: t0 });
      expect((await history(failing.id)).map((h) => h.action)).toEqual(["created"]);
    } finally {
      await env.DB.prepare("DROP TRIGGER fail_one").run();
    }
    await tick(t0 + 60_000);
    expect((await statusOf(failing.id))?.status).toBe("running");
    expect((await history(failing.id)).map((h) => [h.actor, h.action])).toEqual([
      ["tester@example.com", "created"],
      ["scheduler", "started"],
    ]);
  });
});

describe("the schedule's order holds across PATCHes", () => {
  const draftWith = async (created: Record<string, unknown>) => {
    const acme = await as("schedule-order");
    const e = await createExperiment(acme, {
      key: `order-${Math.random().toString(36).slice(2, 8)}`,
      experiment_name: "Order",
      variants: twoVariants(),
      ...created,
    });
    return { acme, e };
  };
  const start = "2031-01-01T00:00:00.000Z";
  const end = "2031-02-01T00:00:00.000Z";
  it.each([
    [
      "an end alone, before the stored start",
      { scheduled_start_at: start },
      { scheduled_end_at: "2030-12-30T00:00:00Z" },
      { path: "scheduled_end_at", message: `must be after scheduled_start_at (stored: ${start})` },
    ],
    [
      "an end alone, equal to the stored start",
      { scheduled_start_at: start },
      { scheduled_end_at: start },
      { path: "scheduled_end_at", message: `must be after scheduled_start_at (stored: ${start})` },
    ],
    [
      "a start alone, after the stored end",
      { scheduled_start_at: start, scheduled_end_at: end },
      { scheduled_start_at: "2031-03-01T00:00:00Z" },
      { path: "scheduled_start_at", message: `must be before scheduled_end_at (stored: ${end})` },
    ],
    [
      "both, in the wrong order (the schema's own check)",
      {},
      { scheduled_start_at: end, scheduled_end_at: start },
      { path: "scheduled_end_at", message: "must be after scheduled_start_at" },
    ],
  ])("%s: 400, nothing stored", async (_label, created, patch, error) => {
    const { acme, e } = await draftWith(created);
    const res = await acme.patch(`${BASE}/experiments/${e.id}`, patch);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: unknown[] }).errors).toEqual([error]);
    const stored = (await (await acme.get(`${BASE}/experiments/${e.id}`)).json()) as Record<string, unknown>;
    const before = created as { scheduled_start_at?: string; scheduled_end_at?: string };
    expect([stored.scheduled_start_at, stored.scheduled_end_at]).toEqual([
      before.scheduled_start_at ?? null,
      before.scheduled_end_at ?? null,
    ]);
  });

  it.each([
    ["an end alone after the stored start", { scheduled_start_at: start }, { scheduled_end_at: end }],
    [
      "clearing the start under a stored end",
      { scheduled_start_at: start, scheduled_end_at: end },
      { scheduled_start_at: null },
    ],
    ["a start alone with no end stored", {}, { scheduled_start_at: start }],
  ])("%s: 200", async (_label, created, patch) => {
    const { acme, e } = await draftWith(created);
    expect((await acme.patch(`${BASE}/experiments/${e.id}`, patch)).status).toBe(200);
  });
});

// From an outside hostile-requests check: epoch seconds passed as a time in January 1970, and the
// scheduler completed a running experiment at its next tick. The shared time parser refuses them.
describe("schedule times use the shared time parser", () => {
  it.each([
    ["epoch seconds", 1_800_000_000, "looks like epoch seconds: send milliseconds (1800000000000)"],
    ["the year 0000", "0000-01-01T00:00:00Z", "must be between 2000-01-01T00:00:00Z"],
    ["a fraction", 1.5, "must be an ISO-8601 time with a zone"],
    ["a boolean", true, "must be an ISO-8601 time with a zone"],
  ])("%s: 400 on create and on PATCH, nothing stored or acted on", async (_label, value, message) => {
    const acme = await as("schedule-units");
    const key = `units-${Math.random().toString(36).slice(2, 8)}`;
    const created = await acme.post(`${BASE}/experiments`, {
      key,
      experiment_name: "Units",
      variants: twoVariants(),
      scheduled_start_at: value,
    });
    expect(created.status).toBe(400);
    const body = (await created.json()) as { errors: { path: string; message: string }[] };
    expect(body.errors[0]?.path).toBe("scheduled_start_at");
    expect(body.errors[0]?.message).toContain(message);
    expect(await rows("SELECT id FROM experiments WHERE key = ?", key)).toEqual([]);

    const e = await createExperiment(acme, { key, experiment_name: "Units", variants: twoVariants() });
    expect((await acme.post(`${BASE}/experiments/${e.id}/start`)).status).toBe(200);
    const patched = await acme.patch(`${BASE}/experiments/${e.id}`, { scheduled_end_at: value });
    expect(patched.status).toBe(400);
    await tick(Date.now() + 60_000);
    expect(await statusOf(e.id)).toEqual({ status: "running", scheduled_start_at: null });
  });
});

describe("a schedule time that could never act is a 409", () => {
  const start = "2031-01-01T00:00:00.000Z";
  it("a running experiment: a new start is refused, the spent start no longer bounds the end", async () => {
    const acme = await as("schedule-state");
    const e = await createExperiment(acme, {
      key: "spent-start",
      experiment_name: "Spent",
      variants: twoVariants(),
      scheduled_start_at: start,
    });
    expect((await acme.post(`${BASE}/experiments/${e.id}/start`)).status).toBe(200);
    const later = await acme.patch(`${BASE}/experiments/${e.id}`, { scheduled_start_at: "2035-01-01T00:00:00Z" });
    expect(later.status).toBe(409);
    expect(((await later.json()) as { errors: unknown[] }).errors).toEqual([
      {
        path: "scheduled_start_at",
        message: "a scheduled start applies to drafts only (the experiment is running); send null to clear it",
      },
    ]);
    // Sending back what was read is no change; an end before the stored start is now fine.
    const end = "2030-12-30T00:00:00.000Z";
    const ok = await acme.patch(`${BASE}/experiments/${e.id}`, { scheduled_start_at: start, scheduled_end_at: end });
    expect(ok.status).toBe(400); // the body's own pair is still checked by the schema
    const alone = await acme.patch(`${BASE}/experiments/${e.id}`, { scheduled_end_at: end });
    expect(alone.status).toBe(200);
    expect(((await alone.json()) as { scheduled_end_at: string }).scheduled_end_at).toBe(end);
    expect((await acme.patch(`${BASE}/experiments/${e.id}`, { scheduled_start_at: null })).status).toBe(200);
  });

  it("a completed experiment: a new end is refused, clearing is allowed", async () => {
    const acme = await as("schedule-state");
    const e = await createExperiment(acme, { key: "done", experiment_name: "Done", variants: twoVariants() });
    expect((await acme.post(`${BASE}/experiments/${e.id}/start`)).status).toBe(200);
    expect((await acme.post(`${BASE}/experiments/${e.id}/complete`, {})).status).toBe(200);
    const res = await acme.patch(`${BASE}/experiments/${e.id}`, { scheduled_end_at: "2031-01-01T00:00:00Z" });
    expect(res.status).toBe(409);
    expect((await acme.patch(`${BASE}/experiments/${e.id}`, { scheduled_end_at: null })).status).toBe(200);
  });
});
