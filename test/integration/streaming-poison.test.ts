/**
 * FINDINGS "Reliability and security": one write must never break an organization's reads. Input
 * side: out-of-range times and non-representable metric values get 400 naming the field, and a
 * batch with one bad item stores nothing.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { OrgObject } from "../../src/streaming/org-object";
import { connectWithToken } from "../realtime/live-client";
import { as, expectProblem } from "../helpers";
import { BASE, count, createRunning } from "./experiments-fixtures";

const P = "/api/v1/streaming-analytics";
const FAR = "9999999999999999";

/** Rows of one of the object's tables, read straight from its SQLite. */
function tableCount(org: string, table: string): Promise<number> {
  return runInDurableObject(
    env.ORG.getByName(org),
    (_o: OrgObject, state) => state.storage.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${table}`).one().n,
  );
}

async function expectReadsWork(c: Awaited<ReturnType<typeof as>>): Promise<void> {
  for (const path of ["/metrics", "/dashboard", "/events", "/predictions", "/alerts"]) {
    const res = await c.get(`${P}${path}`);
    expect(res.status, path).toBe(200);
  }
}

describe("time bounds on every input", () => {
  it.each([
    ["a 16-digit string", FAR, 1],
    ["epoch ms past 9999-12-31", 253_402_300_800_000, 2],
    ["epoch ms before 2000", 946_684_799_999, 3],
    ["a negative number", -1, 4],
    ["a year-0000 ISO time", "0000-01-01T00:00:00Z", 5],
  ])("metrics: %s is 400 on the field and stores nothing", async (_name, timestamp, n) => {
    const org = `poison-m-${n}`;
    const c = await as(org);
    const problem = await expectProblem(await c.post(`${P}/metrics`, { name: "m1", value: 1, timestamp }), 400);
    expect(problem.errors).toEqual([{ path: "timestamp", message: expect.stringContaining("2000-01-01") }]);
    expect(await tableCount(org, "metrics")).toBe(0);
    expect(await tableCount(org, "metric_rollups")).toBe(0);
    await expectReadsWork(c);
  });

  it("the bounds themselves are accepted and read back", async () => {
    const c = await as("poison-edges");
    const res = await c.post(`${P}/events`, {
      events: [{ event_id: "lo", event_type: "t", timestamp: "2000-01-01T00:00:00Z" }],
    });
    expect(res.status).toBe(202);
    // Times more than 5 minutes ahead of the clock are refused now (future-times.test.ts); an event
    // at the upper bound can only be one stored before that, so it is written as such.
    await runInDurableObject(env.ORG.getByName("poison-edges"), (_o: OrgObject, state) => {
      state.storage.sql.exec(
        "INSERT INTO events (event_id, event_type, ts, received_at) VALUES ('hi', 't', ?, ?)",
        253_402_300_799_999,
        Date.now(),
      );
    });
    const page = (await (await c.get(`${P}/events`)).json()) as { items: { event_id: string; timestamp: string }[] };
    expect(page.items.map((e) => [e.event_id, e.timestamp])).toEqual([
      ["hi", "9999-12-31T23:59:59.999Z"],
      ["lo", "2000-01-01T00:00:00.000Z"],
    ]);
    await expectReadsWork(c);
  });

  it("a metrics batch with one bad time stores nothing, good items included", async () => {
    const c = await as("poison-batch");
    const problem = await expectProblem(
      await c.post(`${P}/metrics`, {
        metrics: [
          { name: "okm", value: 5 },
          { name: "badm", value: 1, timestamp: FAR },
        ],
      }),
      400,
    );
    expect(problem.errors).toEqual([{ path: "metrics.1.timestamp", message: expect.any(String) }]);
    expect(await tableCount("poison-batch", "metrics")).toBe(0);
    expect(await tableCount("poison-batch", "metric_rollups")).toBe(0);
    const metrics = (await (await c.get(`${P}/metrics`)).json()) as { items: unknown[] };
    expect(metrics.items).toEqual([]);
  });

  it("events and predictions: 400 on the field, nothing stored", async () => {
    const c = await as("poison-ep");
    const events = await expectProblem(
      await c.post(`${P}/events`, { events: [{ event_type: "ok" }, { event_type: "bad", timestamp: FAR }] }),
      400,
    );
    expect(events.errors).toEqual([{ path: "events.1.timestamp", message: expect.any(String) }]);
    const predictions = await expectProblem(
      await c.post(`${P}/predictions`, { model_name: "m", prediction: 1, confidence: 0.5, timestamp: FAR }),
      400,
    );
    expect(predictions.errors).toEqual([{ path: "timestamp", message: expect.any(String) }]);
    expect(await tableCount("poison-ep", "events")).toBe(0);
    expect(await tableCount("poison-ep", "predictions")).toBe(0);
    await expectReadsWork(c);
  });

  it("list filters: since/until out of range are 400, not 500", async () => {
    const c = await as("poison-query");
    const problem = await expectProblem(await c.get(`${P}/events?since=${FAR}`), 400);
    expect(problem.errors?.[0]?.path).toBe("query.since");
    await expectProblem(await c.get(`${P}/predictions?since=${FAR}`), 400);
  });

  it("experiment results: recorded_at out of range is 400, nothing stored", async () => {
    const acme = await as("poison-results");
    const exp = await createRunning(acme, "poison-results");
    const variant = exp.variants[0]?.id ?? "";
    const problem = await expectProblem(
      await acme.post(`${BASE}/experiments/${exp.id}/results`, {
        results: [
          { metric_name: "r", metric_value: 1, variant_id: variant },
          { metric_name: "r", metric_value: 1, variant_id: variant, recorded_at: 253_402_300_800_000 },
        ],
      }),
      400,
    );
    expect(problem.errors?.map((e) => e.path)).toEqual(["results.1.recorded_at"]);
    expect(await count("results", "experiment_id = ?", exp.id)).toBe(0);
  });
});

describe("metric values cannot overflow the rollups", () => {
  it("two values of 1.7976931348623157e308 are refused with 400, nothing stored", async () => {
    const c = await as("poison-overflow");
    const problem = await expectProblem(
      await c.post(`${P}/metrics`, {
        metrics: [
          { name: "huge", value: 1.7976931348623157e308 },
          { name: "huge", value: 1.7976931348623157e308 },
        ],
      }),
      400,
    );
    expect(problem.errors?.map((e) => e.path)).toEqual(["metrics.0.value", "metrics.1.value"]);
    expect(await tableCount("poison-overflow", "metric_rollups")).toBe(0);
    await expectReadsWork(c);
  });

  it("values at ±1e15 are accepted and summed exactly", async () => {
    const c = await as("poison-limit");
    const res = await c.post(`${P}/metrics`, {
      metrics: [
        { name: "big", value: 1e15 },
        { name: "big", value: 1e15 },
        { name: "big", value: -1e15 },
      ],
    });
    expect(res.status).toBe(202);
    const series = (await (await c.get(`${P}/metrics/big?window=600&aggregation=sum`)).json()) as { value: number };
    expect(series.value).toBe(1e15);
    await expectProblem(await c.post(`${P}/metrics`, { name: "big", value: 1.000001e15 }), 400);
  });
});

describe("an organization poisoned by rows written before the limits", () => {
  afterEach(() => vi.restoreAllMocks());

  /** What the old code let through: times past the Date range in every table a read presents. */
  function poison(org: string): Promise<void> {
    return runInDurableObject(env.ORG.getByName(org), (_o: OrgObject, state) => {
      const sql = state.storage.sql;
      const bad = 1e16;
      sql.exec(
        "INSERT INTO events (event_id, event_type, ts, received_at) VALUES ('bad-event', 't', ?, ?)",
        bad,
        Date.now(),
      );
      sql.exec(
        `INSERT INTO predictions (id, model_name, prediction, confidence, ts, received_at)
         VALUES ('bad-prediction', 'm', '1', 0.5, ?, ?)`,
        bad,
        Date.now(),
      );
      sql.exec(
        `INSERT INTO predictions (id, model_name, prediction, confidence, features, ts, received_at)
         VALUES ('bad-json', 'm', '1', 0.5, '{not json', ?, ?)`,
        Date.now(),
        Date.now(),
      );
      sql.exec(
        `INSERT INTO alerts (id, severity, status, title, occurrences, created_at, last_seen_at, notes)
         VALUES ('bad-alert', 'error', 'open', 'x', 1, ?, ?, '[]')`,
        bad,
        bad,
      );
      sql.exec("INSERT INTO metrics (name, last, last_at, first_seen_at) VALUES ('m1', 1, ?, ?)", bad, Date.now());
      // The old ingest also folded the point into rollup buckets far in the future, beside good data.
      for (const name of ["m1", "good"]) {
        for (const resolution of [10_000, 300_000, 3_600_000]) {
          sql.exec(
            `INSERT OR REPLACE INTO metric_rollups (name, resolution_ms, bucket, count, sum, min, max, last, last_at, sketch)
             VALUES (?, ?, ?, 1, 1, 1, 1, 1, ?, '{"v":1,"z":0,"p":[],"n":[]}')`,
            name,
            resolution,
            bad,
            bad,
          );
        }
      }
      sql.exec(
        `INSERT INTO sources (id, name, source_type, created_at, updated_at) VALUES ('bad-source', 's', 'http', ?, ?)`,
        bad,
        bad,
      );
    });
  }

  it("every read answers 2xx without the bad rows, logs one warning per skipped row, and the socket gets a snapshot", async () => {
    const c = await as("poisoned");
    await c.post(`${P}/events`, { events: [{ event_id: "good-event", event_type: "t" }] });
    await c.post(`${P}/predictions`, { model_name: "m", prediction: 1, confidence: 0.9 });
    await c.post(`${P}/metrics`, { name: "good", value: 1 });
    await c.post(`${P}/alerts`, { severity: "info", title: "good alert" });
    await poison("poisoned");
    const warn = vi.spyOn(console, "warn");

    const events = (await (await c.get(`${P}/events`)).json()) as { items: { event_id: string }[] };
    expect(events.items.map((e) => e.event_id)).toEqual(["good-event"]);
    const predictions = (await (await c.get(`${P}/predictions`)).json()) as { items: { id: string }[] };
    expect(predictions.items).toHaveLength(1);
    const alerts = (await (await c.get(`${P}/alerts`)).json()) as { items: { title: string }[] };
    expect(alerts.items.map((a) => a.title)).toEqual(["good alert"]);
    const metrics = (await (await c.get(`${P}/metrics`)).json()) as { items: { name: string }[] };
    expect(metrics.items.map((m) => m.name)).toEqual(["good"]);
    expect((await c.get(`${P}/metrics/good`)).status).toBe(200);
    const sources = (await (await c.get(`${P}/sources`)).json()) as { items: unknown[] };
    expect(sources.items).toEqual([]);
    const dashboard = await c.get(`${P}/dashboard`);
    expect(dashboard.status).toBe(200);
    const summary = (await dashboard.json()) as { recent_events: unknown[]; metrics: unknown[] };
    expect(summary.recent_events).toHaveLength(1);
    expect(summary.metrics).toHaveLength(1);

    const socket = await connectWithToken(c.token);
    const snapshot = await socket.next("snapshot");
    expect(snapshot.data.recent_events.map((e) => e.event_id)).toEqual(["good-event"]);
    expect(socket.of("error")).toEqual([]);
    socket.close();

    const skipped = warn.mock.calls.map((args) => JSON.parse(String(args[0])) as { table: string; key: string });
    expect(skipped).toContainEqual(
      expect.objectContaining({ where: "streaming.present", table: "events", key: "bad-event" }),
    );
    expect(skipped).toContainEqual(expect.objectContaining({ table: "predictions", key: "bad-json" }));
    expect(skipped).toContainEqual(expect.objectContaining({ table: "alerts", key: "bad-alert" }));
    expect(skipped).toContainEqual(expect.objectContaining({ table: "metrics", key: "m1" }));
    expect(skipped).toContainEqual(expect.objectContaining({ table: "sources", key: "bad-source" }));

    // Writes keep working, and a new point replaces the catalogue entry the old one hid.
    expect((await c.post(`${P}/metrics`, { name: "m1", value: 2 })).status).toBe(202);
    const after = (await (await c.get(`${P}/metrics`)).json()) as { items: { name: string; latest: number }[] };
    expect(after.items.map((m) => [m.name, m.latest])).toEqual([
      ["good", 1],
      ["m1", 2],
    ]);
  });
});
