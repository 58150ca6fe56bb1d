import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { assignmentCache, RELOAD_WAIT_MS } from "../../src/assignment/cache";
import app from "../../src/app";
import type { Env } from "../../src/env";
import { expectProblem, tokenFor } from "../helpers";
import { exposureRows, type SeededExperiment, seedExperiment } from "./assignment-fixtures";
import { captureExposures } from "./exposure-capture";

const BASE = "/api/v1/ab-testing";

/** A D1 binding that is down: every call throws, and the SQL it was asked for is recorded. */
function brokenD1() {
  const attempted: string[] = [];
  const fail = (what: string) => {
    attempted.push(what);
    throw new Error("D1_ERROR: simulated outage");
  };
  const db = {
    prepare: (sql: string) => fail(sql),
    batch: () => fail("batch"),
    exec: (sql: string) => fail(sql),
    dump: () => fail("dump"),
    withSession: () => fail("withSession"),
  };
  return { db: db as unknown as D1Database, attempted };
}

/** Calls the Worker's app directly with a chosen env, then waits for its waitUntil work. */
async function call(e: Env, org: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const ctx = createExecutionContext();
  const init: RequestInit = {
    method: body === undefined ? "GET" : "POST",
    headers: { Authorization: `Bearer ${await tokenFor(org)}`, "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  };
  const res = await app.request(`https://edge.test${path}`, init, e, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** `n` concurrent POST /experiments/{id}/assign through the Worker, users `${prefix}-0` and on. */
async function burst(org: string, experimentId: string, n: number, prefix: string) {
  const token = await tokenFor(org);
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      SELF.fetch(`https://edge.test${BASE}/experiments/${experimentId}/assign`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ user_id: `${prefix}-${i}` }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { experiment_key?: string } })),
    ),
  );
}

afterEach(() => vi.restoreAllMocks());

describe("a warm cache answers without D1", () => {
  const org = "warm-org";
  let running: SeededExperiment;
  let paused: SeededExperiment;
  let completed: SeededExperiment;
  let low: SeededExperiment;

  beforeAll(async () => {
    running = await seedExperiment({ org, key: "run" });
    paused = await seedExperiment({ org, key: "pause", status: "paused" });
    completed = await seedExperiment({ org, key: "complete", status: "completed", winner: "treatment" });
    low = await seedExperiment({ org, key: "low", coverage: 0.01 });
  });

  it("every route keeps answering from memory when D1 fails after warm-up", async () => {
    const real = env as Env;
    const queue = captureExposures();
    // Warm-up: the snapshot, and the paused/completed experiments asked for by id and by key.
    expect((await call(real, org, `${BASE}/config`)).status).toBe(200);
    for (const e of [paused, completed]) {
      expect((await call(real, org, `${BASE}/experiments/${e.id}/assign`, { user_id: "warm" })).status).toBe(200);
    }
    expect(
      (await call(real, org, `${BASE}/assign`, { user_id: "warm", experiments: ["pause", "complete"] })).status,
    ).toBe(200);
    const loads = assignmentCache.loads;

    const { db, attempted } = brokenD1();
    const broken = { ...real, DB: db } as Env;

    const config = await call(broken, org, `${BASE}/config`);
    expect(config.status).toBe(200);
    const body = (await config.json()) as { experiments: { key: string }[] };
    expect(body.experiments.map((e) => e.key)).toEqual(["run", "low"]);

    const pausedAnswer = await call(broken, org, `${BASE}/experiments/${paused.id}/assign`, { user_id: "u1" });
    expect(await pausedAnswer.json()).toMatchObject({ variant_key: "control", in_experiment: false });
    const completedAnswer = await call(broken, org, `${BASE}/experiments/${completed.id}/assign`, { user_id: "u1" });
    expect(await completedAnswer.json()).toMatchObject({ variant_key: "treatment", in_experiment: false });
    const outside = await call(broken, org, `${BASE}/experiments/${low.id}/assign`, { user_id: "u1" });
    expect(await outside.json()).toMatchObject({ variant_key: "control", in_experiment: false });
    const named = await call(broken, org, `${BASE}/assign`, { user_id: "u1", experiments: ["pause", "complete"] });
    expect(((await named.json()) as { assignments: unknown[] }).assignments).toHaveLength(2);
    // None of these answers is an exposure, so D1 was not touched at all.
    expect(attempted).toEqual([]);

    // In-experiment answers still come back, and their exposures do not meet D1 either: they go
    // to the queue, whose consumer (with the real D1 here) stores them once they are delivered.
    const sent = queue.calls();
    const enrolled = await call(broken, org, `${BASE}/experiments/${running.id}/assign`, { user_id: "u1" });
    expect(enrolled.status).toBe(200);
    expect(await enrolled.json()).toMatchObject({ experiment_key: "run", in_experiment: true });
    const all = await call(broken, org, `${BASE}/assign`, { user_id: "u2" });
    expect(((await all.json()) as { assignments: unknown[] }).assignments).toHaveLength(2);
    expect(attempted).toEqual([]);
    expect(assignmentCache.loads).toBe(loads);
    expect(queue.calls()).toBeGreaterThan(sent);
    await queue.deliver();
    const stored = await exposureRows(running.id);
    expect(stored.map((r) => r.user_id).sort()).toEqual(["u1", "u2"]);
  });

  it("paused and completed experiments come with the snapshot: no D1 read for them, even on first ask", async () => {
    const real = env as Env;
    assignmentCache.clear();
    expect((await call(real, org, `${BASE}/config`)).status).toBe(200); // the one load
    const { db, attempted } = brokenD1();
    const broken = { ...real, DB: db } as Env;
    const byId = await call(broken, org, `${BASE}/experiments/${completed.id}/assign`, { user_id: "first" });
    expect(await byId.json()).toMatchObject({ variant_key: "treatment", in_experiment: false, reason: "completed" });
    const byKey = await call(broken, org, `${BASE}/assign`, { user_id: "first", experiments: ["pause"] });
    expect(await byKey.json()).toMatchObject({
      assignments: [{ variant_key: "control", in_experiment: false, reason: "paused" }],
    });
    expect(attempted).toEqual([]);
  });

  it("a cold cache with D1 down is a 503 with Retry-After, not a 500", async () => {
    const { db } = brokenD1();
    vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await call({ ...(env as Env), DB: db }, "cold-org", `${BASE}/config`);
    const problem = await expectProblem(res, 503);
    expect(problem.type).toBe("urn:edge-experiments:problem:unavailable");
    expect(res.headers.get("Retry-After")).toBe("1");
  });

  it("an id the warm cache does not hold is a miss: D1 decides (404, 409, or here 503)", async () => {
    const { db, attempted } = brokenD1();
    vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await call({ ...(env as Env), DB: db }, org, `${BASE}/experiments/nope/assign`, { user_id: "u" });
    await expectProblem(res, 503);
    expect(attempted.some((sql) => sql.includes('from "experiments"'))).toBe(true);
  });
});

describe("loading", () => {
  it("a burst on a cold cache makes one D1 query (single flight)", async () => {
    const org = "burst-org";
    const e = await seedExperiment({ org, key: "b" });
    const loads = assignmentCache.loads;
    const responses = await burst(org, e.id, 100, "burst");
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(assignmentCache.loads - loads).toBe(1);
  });

  // Waiters watch the cache on timers of their own and never await another request's promise:
  // workerd cancels a request that only waits on another request's I/O (src/assignment/cache.ts).
  it("bursts that find the snapshot expired share one reload, and every request is answered", async () => {
    const org = "expired-burst-org";
    const e = await seedExperiment({ org, key: "x" });
    let t = Date.now();
    assignmentCache.useClock(() => t);
    try {
      for (let round = 0; round < 10; round++) {
        t += 31_000; // past the 30 s TTL: every request of the burst must wait for D1
        const loads = assignmentCache.loads;
        const answers = await burst(org, e.id, 200, `expired-${round}`);
        expect(answers.filter((a) => a.status !== 200)).toEqual([]);
        expect(answers.every((a) => a.body.experiment_key === "x")).toBe(true);
        expect(assignmentCache.loads - loads).toBe(1);
      }
    } finally {
      assignmentCache.useClock(Date.now);
    }
  });

  // What failed whole bursts of the stickiness test under load: a reload that never settles
  // (the request that started it was torn down). Every later request awaited it, and workerd
  // cancelled them all as hung. Now the load is given up once RELOAD_WAIT_MS old.
  it("a reload that never settles holds no request: once RELOAD_WAIT_MS old it is given up, and one new load answers the burst", async () => {
    const org = "stuck-reload-org";
    const e = await seedExperiment({ org, key: "s" });
    const never = () => new Promise(() => {});
    const statement = { bind: () => statement, all: never, raw: never, first: never, run: never };
    const hanging = { prepare: () => statement, batch: never } as unknown as D1Database;
    let t = Date.now();
    assignmentCache.useClock(() => t);
    try {
      const loads = assignmentCache.loads;
      // Starts the org's load on a D1 that never answers, and is never answered itself.
      void call({ ...(env as Env), DB: hanging }, org, `${BASE}/experiments/${e.id}/assign`, { user_id: "first" });
      // Polls for the sentinel (the load started); the deadline only catches a hang.
      await vi.waitFor(() => expect(assignmentCache.loads).toBe(loads + 1), { timeout: 30_000, interval: 5 });
      t += RELOAD_WAIT_MS;
      const statuses = (await burst(org, e.id, 100, "after")).map((r) => r.status);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      expect(assignmentCache.loads - loads).toBe(2);
    } finally {
      assignmentCache.useClock(Date.now);
    }
  });

  it("an experiment started in another isolate is answered at once from D1, and the snapshot catches up", async () => {
    const org = "elsewhere-org";
    await seedExperiment({ org, key: "first" });
    const real = env as Env;
    expect((await call(real, org, `${BASE}/config`)).status).toBe(200);
    // Written without the change event: what this isolate sees when another one starts it.
    const id = "exp_elsewhere";
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO experiments (id, org_id, key, experiment_name, status, coverage, created_at, updated_at) VALUES (?, ?, 'second', 'S', 'running', 100, 9e12, 9e12)",
      ).bind(id, org),
      env.DB.prepare(
        "INSERT INTO variants (id, org_id, experiment_id, key, variant_name, variant_type, traffic_percentage, position, created_at) VALUES ('v_c', ?, ?, 'c', 'C', 'control', 50, 0, 1), ('v_t', ?, ?, 't', 'T', 'treatment', 50, 1, 1)",
      ).bind(org, id, org, id),
    ]);
    const res = await call(real, org, `${BASE}/experiments/${id}/assign`, { user_id: "u" });
    expect(await res.json()).toMatchObject({ experiment_key: "second", in_experiment: true });
    const config = (await (await call(real, org, `${BASE}/config`)).json()) as { experiments: { key: string }[] };
    expect(config.experiments.map((e) => e.key)).toEqual(["first", "second"]);
  });

  it("without the change event, a change reaches the isolate within the TTL (refresh-ahead, then blocking)", async () => {
    const org = "ttl-org";
    const e = await seedExperiment({ org, key: "t" });
    const shortTtl = { ...(env as Env), ASSIGNMENT_CACHE_TTL_SECONDS: "1" } as Env;
    const coverageSeen = async () => {
      const res = await call(shortTtl, org, `${BASE}/config`);
      return ((await res.json()) as { experiments: { coverage: number }[] }).experiments[0]?.coverage;
    };
    const setCoverage = (c: number) =>
      env.DB.prepare("UPDATE experiments SET coverage = ? WHERE id = ?").bind(c, e.id).run();

    // The cache's clock is stepped, not slept through: the TTL is 1 s.
    let t = Date.now();
    assignmentCache.useClock(() => t);
    try {
      expect(await coverageSeen()).toBe(100);
      await setCoverage(100); // no-op write keeps the two halves symmetric
      await setCoverage(90);
      expect(await coverageSeen()).toBe(100); // fresh: memory only
      t += 800; // past 75% of the TTL
      expect(await coverageSeen()).toBe(100); // served from memory, reload started in the background
      expect(await coverageSeen()).toBe(90); // the background reload landed
      await setCoverage(95);
      t += 1100; // past the whole TTL
      expect(await coverageSeen()).toBe(95); // too old to serve: this request waited for D1
    } finally {
      assignmentCache.useClock(Date.now);
    }
  });
});

describe("the negative cache", () => {
  const org = "ghost-org";
  const ghostKeys = { user_id: "g1", experiments: ["ghost"] };
  const variants = [
    { key: "control", variant_name: "Control", variant_type: "control", traffic_percentage: 50 },
    { key: "treat", variant_name: "Treatment", variant_type: "treatment", traffic_percentage: 50 },
  ];

  it("an unknown key is read from D1 once, then answered from memory until a change in this isolate", async () => {
    await seedExperiment({ org, key: "real" });
    const real = env as Env;
    const first = await call(real, org, `${BASE}/assign`, ghostKeys);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ assignments: [], skipped: [{ key: "ghost", reason: "not_found" }] });

    // D1 down: the second call still answers, so it made no D1 call at all.
    const { db, attempted } = brokenD1();
    const again = await call({ ...real, DB: db } as Env, org, `${BASE}/assign`, ghostKeys);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ assignments: [], skipped: [{ key: "ghost", reason: "not_found" }] });
    expect(attempted).toEqual([]);

    // Created through the API in this isolate: the entry is cleared and the draft is seen at once.
    const created = await call(real, org, `${BASE}/experiments`, { key: "ghost", experiment_name: "G", variants });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const asDraft = await call(real, org, `${BASE}/assign`, ghostKeys);
    expect(await asDraft.json()).toEqual({ assignments: [], skipped: [{ key: "ghost", reason: "draft" }] });

    expect((await call(real, org, `${BASE}/experiments/${id}/start`, {})).status).toBe(200);
    const started = (await (await call(real, org, `${BASE}/assign`, ghostKeys)).json()) as {
      assignments: { experiment_key: string; in_experiment: boolean }[];
      skipped: unknown[];
    };
    expect(started.skipped).toEqual([]);
    expect(started.assignments).toMatchObject([{ experiment_key: "ghost", in_experiment: true }]);
  });
});
