import { describe, expect, it } from "vitest";
import type { ClientConfig, ClientExperiment } from "../../src/experiments/model";
import type { ClientFlag } from "../../src/flags/model";
import { ExperimentClient, ExposureReporter, type FetchLike, type Scheduler } from "../../src/sdk/index";
import { type Attributes, CONDITION_LIMITS, type Condition } from "../../src/targeting/model";
import golden from "../fixtures/targeting.json";
import { goldenExperiment } from "./targeting-golden";

// The SDK replays every golden case of test/fixtures/targeting.json through its public methods.

const client = (config: ClientConfig, extra: Partial<ConstructorParameters<typeof ExperimentClient>[0]> = {}) =>
  new ExperimentClient({ baseUrl: "https://x.test", token: "t", initialConfig: config, ...extra });

const attrsOf = (a: unknown) => (a ?? undefined) as Attributes | undefined;

describe("SDK replays the targeting golden file", () => {
  it("every condition case, as the targeting of a one-variant experiment", () => {
    // One experiment per case, everyone in the single variant: in_experiment iff the condition matches.
    const experiments: ClientExperiment[] = golden.conditions.map((c, i) => ({
      ...goldenExperiment({ seed: `c${i}`, coverage: 100, percentages: [100], targeting: null, namespace: null }),
      targeting: c.condition as Condition,
    }));
    const sdk = client({ generated_at: "", experiments });
    golden.conditions.forEach((c, i) => {
      // The golden case sees no `id` when its attributes have none; the SDK would default it to the
      // user id, so pass an explicit null (which conditions read exactly like a missing value).
      const attrs = "id" in c.attributes ? c.attributes : { ...c.attributes, id: null };
      const a = sdk.getVariant(`c${i}`, "someone", attrs as Attributes);
      expect([c.name, a?.in_experiment, a?.reason]).toEqual([c.name, c.match, c.match ? null : "targeting"]);
    });
  });

  it("every flag case", () => {
    const flags = [...new Map(golden.flags.map((c) => [c.flag.key, c.flag as ClientFlag])).values()];
    const sdk = client({ generated_at: "", experiments: [], flags });
    for (const c of golden.flags) {
      expect([c.flag.key, c.user_id, sdk.getFlag(c.flag.key, c.user_id, attrsOf(c.attributes))]).toEqual([
        c.flag.key,
        c.user_id,
        c.result,
      ]);
    }
    const u = golden.flags[0] as (typeof golden.flags)[number];
    const all = sdk.getFlags(u.user_id, attrsOf(u.attributes));
    expect(Object.keys(all).sort()).toEqual(flags.map((f) => f.key).sort());
    expect(sdk.getFlag("nope", "u")).toEqual({ value: null, rule_index: null, reason: "not_found" });
    expect(sdk.getFlags("u", undefined, ["nope"])).toEqual({
      nope: { value: null, rule_index: null, reason: "not_found" },
    });
  });

  it("every targeted experiment case (targeting, namespace, coverage)", () => {
    const seen = new Map<string, ClientExperiment>();
    for (const c of golden.experiments) seen.set(c.experiment.seed, goldenExperiment(c.experiment));
    const sdk = client({ generated_at: "", experiments: [...seen.values()] });
    for (const c of golden.experiments) {
      const a = sdk.getVariant(c.experiment.seed, c.user_id, attrsOf(c.attributes));
      expect([c.experiment.seed, c.user_id, a?.variant_id, a?.in_experiment, a?.reason ?? null]).toEqual([
        c.experiment.seed,
        c.user_id,
        `v${c.variant_index}`,
        c.in_experiment,
        c.reason,
      ]);
    }
  });

  it("every exposed-user case, through getVariant and getAssignments", () => {
    const seen = new Map<string, ClientExperiment>();
    for (const c of golden.exposed) seen.set(c.experiment.seed, goldenExperiment(c.experiment));
    const sdk = client({ generated_at: "", experiments: [...seen.values()] });
    for (const c of golden.exposed) {
      const exposed = { [c.experiment.seed]: c.exposed };
      const a = sdk.getVariant(c.experiment.seed, c.user_id, attrsOf(c.attributes), exposed);
      const b = sdk
        .getAssignments(c.user_id, attrsOf(c.attributes), exposed)
        .find((x) => x.experiment_key === c.experiment.seed);
      const want = [c.experiment.seed, c.user_id, c.exposed, `v${c.variant_index}`, c.in_experiment, c.reason];
      expect([c.experiment.seed, c.user_id, c.exposed, a?.variant_id, a?.in_experiment, a?.reason ?? null]).toEqual(
        want,
      );
      expect([c.experiment.seed, c.user_id, c.exposed, b?.variant_id, b?.in_experiment, b?.reason ?? null]).toEqual(
        want,
      );
    }
  });
});

// The step budget golden cases (docs/targeting.md 2.1) through the SDK's public methods: getVariant
// and getFlag give each evaluation 100,000 steps, getAssignments and getFlags share 100,000.
describe("SDK replays the step budget golden cases", () => {
  const { budget } = golden;

  it("every condition case given the default budget, as an experiment's targeting", () => {
    const cases = budget.conditions.filter((c) => c.steps === CONDITION_LIMITS.stepBudget);
    expect(cases.length).toBeGreaterThanOrEqual(10);
    const experiments = cases.map((c, i) => ({
      ...goldenExperiment({ seed: `b${i}`, coverage: 100, percentages: [100], targeting: null, namespace: null }),
      targeting: c.condition as Condition,
    }));
    const sdk = client({ generated_at: "", experiments });
    cases.forEach((c, i) => {
      const a = sdk.getVariant(`b${i}`, "someone", c.attributes as Attributes);
      expect([c.name, a?.in_experiment, a?.reason]).toEqual([c.name, c.match, c.match ? null : "targeting"]);
    });
  });

  it("every single-flag case, through getFlag", () => {
    const sdk = client({ generated_at: "", experiments: [], flags: budget.flags.flags as ClientFlag[] });
    for (const c of budget.flags.cases) {
      expect([c.key, c.user_id, sdk.getFlag(c.key, c.user_id, c.attributes as Attributes)]).toEqual([
        c.key,
        c.user_id,
        c.result,
      ]);
    }
  });

  it("every shared-flags case, through getFlags", () => {
    const sdk = client({ generated_at: "", experiments: [], flags: budget.shared_flags.flags as ClientFlag[] });
    for (const c of budget.shared_flags.cases) {
      const got = { ...sdk.getFlags(c.user_id, c.attributes as Attributes, c.keys ?? undefined) };
      expect([c.keys, c.user_id, got]).toEqual([c.keys, c.user_id, c.result]);
    }
  });

  it("every shared-experiments case, through getAssignments", () => {
    const experiments = budget.shared_experiments.experiments.map((e) => goldenExperiment(e));
    for (const c of budget.shared_experiments.cases) {
      // A fresh client: one that answered this user before would keep them in (docs/targeting.md 4).
      const got = client({ generated_at: "", experiments })
        .getAssignments(c.user_id, c.attributes as Attributes)
        .map((a) => [a.experiment_key, a.variant_id, a.in_experiment, a.reason]);
      expect([c.user_id, got]).toEqual([
        c.user_id,
        c.results.map((r) => [r.seed, `v${r.variant_index}`, r.in_experiment, r.reason]),
      ]);
    }
  });
});

/** A scheduler whose time only moves when the test says so. */
function manualClock(start = Date.parse("2026-01-01T00:00:00Z")) {
  let now = start;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  const scheduler: Scheduler = {
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout(handle) {
      timers = timers.filter((t) => t.id !== handle);
    },
  };
  return {
    scheduler,
    now: () => now,
    pendingTimers: () => timers.length,
    advance(ms: number) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.fn();
    },
  };
}

/** A fake POST /exposures that records batches and answers like the server. */
function exposureServer(status = 202) {
  const batches: { exposures: { experiment_key: string; user_id: string; timestamp: string }[] }[] = [];
  let settled: () => void = () => {};
  let next = new Promise<void>((r) => {
    settled = r;
  });
  const fetch: FetchLike = async (url, init) => {
    expect(url).toBe("https://x.test/api/v1/ab-testing/exposures");
    expect((init?.headers as Record<string, string> | undefined)?.authorization).toBe("Bearer t");
    const body = JSON.parse(String(init?.body));
    batches.push(body);
    const done = settled;
    next = new Promise<void>((r) => {
      settled = r;
    });
    queueMicrotask(done);
    if (status !== 202) return new Response("no", { status });
    return Response.json({ accepted: body.exposures.length, duplicates: 0, rejected: [] }, { status: 202 });
  };
  return { fetch, batches, nextRequest: () => next };
}

describe("ExposureReporter", () => {
  const exposure = (i: number) => ({ experiment_key: "e", variant_key: "v", user_id: `u${i}` });

  it("sends a full batch at once, and the rest when the interval elapses", async () => {
    const clock = manualClock();
    const server = exposureServer();
    const r = new ExposureReporter({
      baseUrl: "https://x.test/",
      token: "t",
      fetch: server.fetch,
      maxBatch: 3,
      flushIntervalMs: 1000,
      now: clock.now,
      scheduler: clock.scheduler,
    });
    for (let i = 0; i < 4; i++) r.add(exposure(i));
    await r.flush(); // the size-triggered flush, then the remaining one
    expect(server.batches.map((b) => b.exposures.length)).toEqual([3, 1]);
    expect(server.batches[0]?.exposures[0]?.timestamp).toBe("2026-01-01T00:00:00.000Z");

    r.add(exposure(9));
    expect(clock.pendingTimers()).toBe(1);
    const sent = server.nextRequest();
    clock.advance(999);
    expect(server.batches).toHaveLength(2); // not yet: the interval has not elapsed
    clock.advance(1);
    await sent;
    await r.flush(); // waits for the timer's send to finish
    expect(server.batches).toHaveLength(3);
    expect(server.batches[2]?.exposures.map((e) => e.user_id)).toEqual(["u9"]);
    expect(r.stats).toMatchObject({ queued: 5, sent: 5, accepted: 5, dropped: 0 });
  });

  it("keeps a batch after a 503 and drops one refused with 400; the queue is bounded", async () => {
    const clock = manualClock();
    const failing = exposureServer(503);
    const errors: unknown[] = [];
    const r = new ExposureReporter({
      baseUrl: "https://x.test",
      token: "t",
      fetch: failing.fetch,
      maxBatch: 2,
      maxQueue: 4,
      now: clock.now,
      scheduler: clock.scheduler,
      onError: (e) => errors.push(e),
    });
    r.add(exposure(1));
    await r.flush();
    expect(r.pending).toBe(1);
    expect(errors).toHaveLength(1);
    for (let i = 2; i <= 5; i++) r.add({ ...exposure(i) });
    await r.flush();
    expect(r.pending).toBe(4);
    expect(r.stats.dropped).toBe(1);

    const refusing = new ExposureReporter({ baseUrl: "https://x.test", token: "t", fetch: exposureServer(400).fetch });
    refusing.add(exposure(1));
    await refusing.flush();
    expect(refusing.pending).toBe(0);
    expect(refusing.stats.dropped).toBe(1);
  });

  /** A server answering each request with the next status of `statuses` (202 once they run out). */
  function scriptedServer(statuses: number[], gate?: Promise<void>) {
    const requests: string[][] = [];
    const fetch: FetchLike = async (_url, init) => {
      const users = (JSON.parse(String(init?.body)) as { exposures: { user_id: string }[] }).exposures.map(
        (e) => e.user_id,
      );
      requests.push(users);
      if (gate && requests.length === 1) await gate;
      const status = statuses.shift() ?? 202;
      if (status !== 202) return new Response("no", { status });
      return Response.json({ accepted: users.length, duplicates: 0, rejected: [] }, { status: 202 });
    };
    return { fetch, requests };
  }

  it("a batch kept after a 503 is sent again at the next flush, once, in order, before newer ones", async () => {
    const clock = manualClock();
    const server = scriptedServer([503]);
    const r = new ExposureReporter({
      baseUrl: "https://x.test",
      token: "t",
      fetch: server.fetch,
      maxBatch: 2,
      flushIntervalMs: 1000,
      now: clock.now,
      scheduler: clock.scheduler,
    });
    r.add(exposure(1));
    await r.flush(); // 503: u1 stays, first in the queue
    expect(server.requests).toEqual([["u1"]]);
    expect(r.pending).toBe(1);
    r.add(exposure(2)); // fills a batch with the kept u1: sent at once
    r.add(exposure(3));
    await r.flush();
    expect(server.requests).toEqual([["u1"], ["u1", "u2"], ["u3"]]);
    expect(r.pending).toBe(0);
    expect(r.stats).toMatchObject({ queued: 3, sent: 3, accepted: 3, failedRequests: 1, dropped: 0 });
  });

  it("when a failed batch comes back to a queue refilled meanwhile, the bound drops the oldest", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const server = scriptedServer([503], gate);
    const clock = manualClock();
    const r = new ExposureReporter({
      baseUrl: "https://x.test",
      token: "t",
      fetch: server.fetch,
      maxBatch: 2,
      maxQueue: 4,
      now: clock.now,
      scheduler: clock.scheduler,
    });
    r.add(exposure(1));
    r.add(exposure(2)); // a full batch: its send waits at the gate
    for (let i = 3; i <= 6; i++) r.add(exposure(i)); // the queue refills to its bound meanwhile
    release();
    await r.flush();
    // u1 and u2 came back in front of u3-u6 and went over the bound of 4: the two oldest are dropped.
    expect(r.stats.dropped).toBe(2);
    expect(server.requests.slice(1)).toEqual([
      ["u3", "u4"],
      ["u5", "u6"],
    ]);
    expect(r.stats).toMatchObject({ queued: 6, sent: 4, failedRequests: 1 });
  });

  it("the client reports each (experiment, user) exposure once, only when in the experiment", async () => {
    const clock = manualClock();
    const server = exposureServer();
    const experiments = golden.experiments.slice(0, 1).map((c) => goldenExperiment(c.experiment));
    const sdk = client(
      { generated_at: "", experiments },
      {
        fetch: server.fetch,
        reportExposures: { maxBatch: 100, flushIntervalMs: 5000, now: clock.now, scheduler: clock.scheduler },
      },
    );
    const key = experiments[0]?.key as string;
    let inCount = 0;
    for (let i = 0; i < 50; i++) {
      const attrs = { country: i % 2 === 0 ? "US" : "FR" };
      const a = sdk.getVariant(key, `user_${i}`, attrs);
      sdk.getVariant(key, `user_${i}`, attrs); // repeated: reported once
      if (a?.in_experiment) inCount++;
    }
    expect(inCount).toBe(25); // coverage 100, targeting US or CA: exactly the US half
    await sdk.flushExposures();
    expect(server.batches).toHaveLength(1);
    const sent = server.batches[0]?.exposures ?? [];
    expect(sent).toHaveLength(inCount);
    expect(new Set(sent.map((e) => e.user_id)).size).toBe(inCount);
    expect(sdk.exposureStats).toMatchObject({ sent: inCount, accepted: inCount });
  });
});
