import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { OrgObject } from "../../src/streaming/org-object";
import { RETENTION_INTERVAL_MS, RULE_INTERVAL_MS } from "../../src/streaming/service-alarm";
import { applyRetention } from "../../src/streaming/store/retention";
import { as } from "../helpers";
import { pinClock, stub } from "../org-object";

const P = "/api/v1/streaming-analytics";
const DAY = 86_400_000;

const count = (org: string, sql: string) =>
  runInDurableObject(stub(org), (_i: OrgObject, state) => state.storage.sql.exec<{ n: number }>(sql).one().n);

describe("retention on the alarm", () => {
  it("deletes old events and predictions, old resolved alerts, and expired rollups; keeps the rest", async () => {
    const org = "ret-org";
    const c = await as(org);
    const now = Date.now();
    await pinClock(org, now);
    const old = now - 8 * DAY; // EVENT_RETENTION_DAYS is 7
    await c.post(`${P}/events`, {
      events: [
        ...Array.from({ length: 30 }, (_, i) => ({ event_type: "old", timestamp: old + i })),
        ...Array.from({ length: 5 }, () => ({ event_type: "new", timestamp: now })),
      ],
    });
    await c.post(`${P}/predictions`, {
      predictions: [old, old, now].map((timestamp) => ({ model_name: "m", prediction: 1, confidence: 0.5, timestamp })),
    });
    const resolved = (await (await c.post(`${P}/alerts`, { severity: "info", title: "done" })).json()) as {
      id: string;
    };
    await c.post(`${P}/alerts/${resolved.id}/resolve`, {});
    await c.post(`${P}/alerts`, { severity: "critical", title: "still open" });
    await c.post(`${P}/metrics`, { name: "cpu", value: 1, timestamp: now });
    expect(await count(org, "SELECT count(*) AS n FROM metric_rollups")).toBe(3); // 10 s, 5 min, 1 h

    expect(await runDurableObjectAlarm(stub(org))).toBe(true);
    expect(await count(org, "SELECT count(*) AS n FROM events")).toBe(5);
    expect(await count(org, "SELECT count(*) AS n FROM predictions")).toBe(1);
    expect(await count(org, "SELECT count(*) AS n FROM alerts")).toBe(2);
    expect(await count(org, "SELECT count(*) AS n FROM metric_rollups")).toBe(3);

    // 91 days on: ALERT_RETENTION_DAYS (90) passed for the resolved alert; the open one stays.
    // Rollups: 10 s (1 day) and 5 min (30 days) buckets are gone, the hourly one stays (365 days).
    await pinClock(org, now + 91 * DAY);
    expect(await runDurableObjectAlarm(stub(org))).toBe(true);
    expect(await count(org, "SELECT count(*) AS n FROM events")).toBe(0);
    const alerts = (await (await c.get(`${P}/alerts`)).json()) as { items: { title: string }[] };
    expect(alerts.items.map((a) => a.title)).toEqual(["still open"]);
    expect(await count(org, "SELECT count(*) AS n FROM metric_rollups")).toBe(1);
    expect(((await (await c.get(`${P}/metrics`)).json()) as { items: unknown[] }).items).toHaveLength(1);

    // Past METRIC_RETENTION_DAYS the metric leaves the catalogue too.
    await pinClock(org, now + 366 * DAY);
    expect(await runDurableObjectAlarm(stub(org))).toBe(true);
    expect(await count(org, "SELECT count(*) AS n FROM metric_rollups")).toBe(0);
    expect(((await (await c.get(`${P}/metrics`)).json()) as { items: unknown[] }).items).toHaveLength(0);

    // The alarm re-arms itself: hourly without rules.
    const next = await runInDurableObject(stub(org), (_i: OrgObject, state) => state.storage.getAlarm());
    expect(next).toBe(now + 366 * DAY + RETENTION_INTERVAL_MS);
  });

  it("an item older than the retention brings the pass forward, and an ancient point is no metric's latest", async () => {
    // An outside walk: with no rules the pass was an hour away, so a backfilled event stayed listed
    // and deduplicated that long, and a point from 2001 showed as a metric's latest value.
    const org = "ret-soon";
    const c = await as(org);
    const now = Date.now();
    await pinClock(org, now);
    const alarm = () => runInDurableObject(stub(org), (_i: OrgObject, state) => state.storage.getAlarm());

    expect((await c.post(`${P}/events`, { events: [{ event_id: "new1", event_type: "o" }] })).status).toBe(202);
    expect(await alarm()).toBe(now + RETENTION_INTERVAL_MS); // current data: the hourly pass

    const old = { event_id: "old1", event_type: "o", timestamp: new Date(now - 8 * DAY).toISOString() };
    expect((await c.post(`${P}/events`, { events: [old] })).status).toBe(202);
    expect(await alarm()).toBe(now + RULE_INTERVAL_MS); // within 15 s
    expect(await runDurableObjectAlarm(stub(org))).toBe(true);
    const ids = ((await (await c.get(`${P}/events`)).json()) as { items: { event_id: string }[] }).items;
    expect(ids.map((e) => e.event_id)).toEqual(["new1"]);
    const again = (await (await c.post(`${P}/events`, { events: [old] })).json()) as { accepted: number };
    expect(again.accepted).toBe(1); // a new event after the pass, as docs/streaming.md says

    const ancient = { name: "ancient", value: 3, timestamp: "2001-01-01T00:00:00Z" };
    expect((await c.post(`${P}/metrics`, ancient)).status).toBe(202);
    const metrics = ((await (await c.get(`${P}/metrics`)).json()) as { items: { name: string }[] }).items;
    expect(metrics.map((m) => m.name)).not.toContain("ancient");
    // A kept point of the same batch still counts.
    expect((await c.post(`${P}/metrics`, { metrics: [ancient, { name: "ancient", value: 4 }] })).status).toBe(202);
    const after = ((await (await c.get(`${P}/metrics`)).json()) as { items: { name: string; latest: number }[] }).items;
    expect(after.find((m) => m.name === "ancient")?.latest).toBe(4);
  });

  it("keeps an ended silence listed for the alert retention after it ends, then deletes it", async () => {
    const org = "ret-silences";
    const c = await as(org);
    const now = Date.now();
    await pinClock(org, now);
    const post = async (ends_at: number) => {
      const res = await c.post(`${P}/silences`, { matchers: { severity: "info" }, ends_at, comment: "x" });
      expect(res.status).toBe(201);
      return ((await res.json()) as { id: string }).id;
    };
    const ended = await post(now + DAY);
    expect((await c.delete(`${P}/silences/${ended}`)).status).toBe(204);
    const late = await post(now + 30 * DAY); // ends on its own, 30 days on
    const long = await post(now + 200 * DAY); // still active at every step below
    const listed = async () =>
      ((await (await c.get(`${P}/silences`)).json()) as { items: { id: string; active: boolean }[] }).items
        .map((s) => `${s.id === ended ? "ended" : s.id === late ? "late" : s.id === long ? "long" : s.id}:${s.active}`)
        .sort();

    // 89 days after the DELETE: ALERT_RETENTION_DAYS (90) not yet passed for any of them.
    await pinClock(org, now + 89 * DAY);
    expect(await runDurableObjectAlarm(stub(org))).toBe(true);
    expect(await listed()).toEqual(["ended:false", "late:false", "long:true"]);

    // 91 days on: the one ended by DELETE at `now` goes; the one that ended at day 30 stays until day 120.
    await pinClock(org, now + 91 * DAY);
    expect(await runDurableObjectAlarm(stub(org))).toBe(true);
    expect(await listed()).toEqual(["late:false", "long:true"]);

    await pinClock(org, now + 121 * DAY);
    expect(await runDurableObjectAlarm(stub(org))).toBe(true);
    expect(await listed()).toEqual(["long:true"]);
    expect(await count(org, "SELECT count(*) AS n FROM silences")).toBe(1);
  });

  it("deletes in bounded chunks and reports a backlog", async () => {
    const org = "ret-chunks";
    const c = await as(org);
    const old = Date.now() - 30 * DAY;
    await c.post(`${P}/events`, {
      events: Array.from({ length: 30 }, (_, i) => ({ event_type: "old", timestamp: old + i })),
    });
    const policy = { eventDays: 7, alertDays: 90, metricDays: 365 };
    const runs = await runInDurableObject(stub(org), (_i: OrgObject, state) => {
      const reports = [];
      for (let i = 0; i < 5; i++)
        reports.push(applyRetention(state.storage.sql, policy, Date.now(), { chunk: 7, maxChunks: 2 }));
      return reports.map((r) => ({ events: r.events, done: r.done }));
    });
    expect(runs.slice(0, 3)).toEqual([
      { events: 14, done: false },
      { events: 14, done: false },
      { events: 2, done: true },
    ]);
    expect(await count(org, "SELECT count(*) AS n FROM events")).toBe(0);
  });

  it("with rules, the alarm comes back every RULE_INTERVAL_MS", async () => {
    const org = "ret-rules";
    const c = await as(org);
    const now = Date.now();
    await pinClock(org, now);
    await c.post(`${P}/alert-rules`, {
      name: "r",
      metric_name: "x",
      aggregation: "count",
      window_seconds: 60,
      operator: "lt",
      threshold: 1,
      severity: "warning",
    });
    const armed = await runInDurableObject(stub(org), (_i: OrgObject, state) => state.storage.getAlarm());
    expect(armed).toBe(now + RULE_INTERVAL_MS);
    await pinClock(org, now + 20_000);
    expect(await runDurableObjectAlarm(stub(org))).toBe(true);
    const next = await runInDurableObject(stub(org), (_i: OrgObject, state) => state.storage.getAlarm());
    expect(next).toBe(now + 20_000 + RULE_INTERVAL_MS);
    // count < 1 over an empty window holds: a silence rule fires.
    const alerts = (await (await c.get(`${P}/alerts`)).json()) as { items: { fingerprint: string }[] };
    expect(alerts.items).toHaveLength(1);
  });
});
