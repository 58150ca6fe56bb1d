/**
 * Anomaly rules keep their baseline windows in the object's memory between evaluations
 * (baseline-cache.ts). The cache must never change an answer: after every step of a seeded run
 * (the clock moving across bucket edges, points arriving now, back-dated into the baseline windows,
 * and up to the 5 minutes ahead that are allowed), each rule's observed value and baseline read
 * through the cache equal a fresh read without it. And a second evaluation at the same edges reads
 * only the current window.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { OrgObject } from "../../src/streaming/org-object";
import { observe } from "../../src/streaming/service-rules";
import type { OrgContext } from "../../src/streaming/service-types";
import { listRules } from "../../src/streaming/store/rules";
import { as } from "../helpers";
import { pinClock, recordStatements, rowsAnswered, stub } from "../org-object";
import { seededRun, seededStep } from "../seeded-steps";

const P = "/api/v1/streaming-analytics";
const WINDOW_S = 600;
const context = (o: OrgObject) => (o as unknown as { context(): OrgContext }).context();

/** Every rule observed through the object's cache, then without it. */
const compare = (org: string) =>
  runInDurableObject(stub(org), (o: OrgObject) => {
    const ctx = context(o);
    return listRules(ctx.sql).map((stored) => ({
      name: stored.rule.name,
      cached: observe(ctx, stored),
      fresh: observe({ ...ctx, baselines: undefined }, stored),
    }));
  });

const rules = [
  { name: "count prod", aggregation: "count", tags: { env: "prod" } },
  { name: "avg prod", aggregation: "avg", tags: { env: "prod" } },
  { name: "p95 all", aggregation: "p95" },
  // A tagged percentile reads its buckets merged over the selected tag sets (MergedBucket).
  { name: "p95 prod", aggregation: "p95", tags: { env: "prod" } },
  { name: "p50 h2", aggregation: "p50", tags: { host: "h2" } },
  // A threshold rule has no baseline, but a tagged percentile one reads merged buckets too.
  {
    name: "p90 prod above",
    aggregation: "p90",
    tags: { env: "prod" },
    type: "threshold",
    operator: "gt",
    threshold: 90,
  },
  { name: "max h1", aggregation: "max", tags: { host: "h1" } },
  // Model statistics read the model rollups, which predictions feed.
  { name: "confidence", aggregation: "avg", metric_name: "@models/confidence", tags: { model: "ranker" } },
];

/** Six hours of one point a minute from each of ten hosts (env=prod), up to `now`. */
async function seedHosts(c: Awaited<ReturnType<typeof as>>, now: number, value: (host: number, ts: number) => number) {
  const history = [];
  for (let ts = now - 6 * 3_600_000; ts <= now; ts += 60_000)
    for (let h = 0; h < 10; h++)
      history.push({
        name: "lat",
        value: value(h, ts),
        timestamp: new Date(ts).toISOString(),
        tags: { env: "prod", host: `h${h}` },
      });
  for (let i = 0; i < history.length; i += 1_000)
    expect((await c.post(`${P}/metrics`, { metrics: history.slice(i, i + 1_000) })).status).toBe(202);
  const created = await c.post(`${P}/alert-rules`, {
    name: "p95 prod",
    type: "anomaly",
    metric_name: "lat",
    aggregation: "p95",
    window_seconds: WINDOW_S,
    severity: "info",
    tags: { env: "prod" },
  });
  expect(created.status).toBe(201); // evaluated once on creation: what it read is now kept
}

/** One evaluation (the alarm): the statements reading tagged rollups, and the rows they answered. */
async function tagReads(org: string): Promise<{ rows: number; statements: number }> {
  const recorded = await recordStatements(
    org,
    () => runDurableObjectAlarm(stub(org)).then(() => undefined),
    (q) => q.startsWith("SELECT") && q.includes("FROM tagged_rollups"),
  );
  return { rows: await rowsAnswered(org, recorded), statements: recorded.length };
}

describe("anomaly baselines cached between evaluations", () => {
  it("answer what a fresh read answers, step after step", async () => {
    const org = "baseline-cache";
    // Five hours of history, a point a minute: more than the 31 ten-minute windows.
    const { c, rng, point, history, ...start } = await seededRun(org, 5 * 3_600_000, 60_000);
    let now = start.now;
    expect((await c.post(`${P}/metrics`, { metrics: history })).status).toBe(202);
    const predictions = (points: { timestamp: string; value: number }[]) =>
      points.map((p) => ({ model_name: "ranker", prediction: 1, confidence: p.value / 100, timestamp: p.timestamp }));
    for (let i = 0; i < history.length; i += 100)
      expect((await c.post(`${P}/predictions`, { predictions: predictions(history.slice(i, i + 100)) })).status).toBe(
        201,
      );
    for (const r of rules) {
      const res = await c.post(`${P}/alert-rules`, {
        metric_name: "lat",
        type: "anomaly",
        ...r,
        window_seconds: WINDOW_S,
        severity: "info",
      });
      expect(res.status).toBe(201);
    }
    let late = 0;
    for (let step = 0; step < 40; step++) {
      // Small steps keep the edges (the cached baselines are used), large ones cross them.
      const next = seededStep(rng, now, step, 31 * WINDOW_S * 1000, point);
      now = next.now;
      await pinClock(org, now);
      const batch = next.batch;
      if (next.backDated) late++;
      if (step % 5 !== 4) expect((await c.post(`${P}/metrics`, { metrics: batch })).status).toBe(202);
      if (step % 5 !== 3)
        expect((await c.post(`${P}/predictions`, { predictions: predictions(batch) })).status).toBe(201);
      await runDurableObjectAlarm(stub(org));
      for (const { name, cached, fresh } of await compare(org)) {
        expect(cached.baseline.length, `${name} at step ${step}`).toBe(fresh.baseline.length);
        for (const [k, v] of cached.baseline.entries())
          expect(v, `${name} window ${k + 1} at step ${step}`).toBeCloseTo(fresh.baseline[k] as number, 9);
        expect(cached.value, `${name} at step ${step}`).toBe(fresh.value);
      }
    }
    expect(late).toBeGreaterThan(6);
  });

  it("a second evaluation at the same edges reads only the current window", async () => {
    const org = "baseline-cache-reads";
    const c = await as(org);
    const now = Date.UTC(2026, 11, 5, 10, 41, 7, 250);
    await pinClock(org, now);
    await seedHosts(c, now, (h) => h);
    const rowsRead = async () => (await tagReads(org)).rows;
    const cachedRows = await rowsRead();
    // The same evaluation without the cache: all 31 windows.
    await runInDurableObject(stub(org), (o: OrgObject) => context(o).baselines?.clear());
    const freshRows = await rowsRead();
    expect(cachedRows).toBeGreaterThan(0);
    expect(cachedRows * 10).toBeLessThan(freshRows);
  });

  it("a tagged percentile rule whose edges moved reads only the bucket it had not read", async () => {
    const org = "baseline-cache-moved";
    const c = await as(org);
    let now = Date.UTC(2026, 11, 5, 10, 41, 7, 250);
    await pinClock(org, now);
    await seedHosts(c, now, (h, ts) => h * 10 + (ts % 7));
    const evaluation = () => tagReads(org);
    // Ten minutes on: every edge moved past at least one bucket, and the data did not change.
    now += WINDOW_S * 1000;
    await pinClock(org, now);
    const moved = await evaluation();
    const [same] = await compare(org);
    expect(same?.cached).toEqual(same?.fresh);
    expect(same?.fresh.baseline.length).toBeGreaterThan(25);
    // Only buckets it had not read: the ones the move added, and a coarser bucket that now fits a
    // window whole (rule-windows.ts); one row here. Before, every bucket of the 31 windows: 612 rows.
    expect(moved.rows).toBeLessThanOrEqual(10);
    expect(moved.statements).toBeGreaterThan(0);
    // A point now: only its bucket is read again, which holds that one point of one tag set.
    expect(
      (
        await c.post(`${P}/metrics`, {
          metrics: [
            { name: "lat", value: 5_000, timestamp: new Date(now).toISOString(), tags: { env: "prod", host: "h1" } },
          ],
        })
      ).status,
    ).toBe(202);
    const written = await evaluation();
    expect(written.rows).toBe(1);
    const [after] = await compare(org);
    expect(after?.cached).toEqual(after?.fresh);
    expect(after?.fresh.value).not.toEqual(same?.fresh.value);
    // Without the cache the same evaluation reads every bucket of every tag set.
    await runInDurableObject(stub(org), (o: OrgObject) => context(o).baselines?.clear());
    expect((await evaluation()).rows).toBeGreaterThan(600);
  });

  it("a rule edited to stop reading merged buckets lets go of them; other edits keep them", async () => {
    const org = "baseline-cache-edited";
    const c = await as(org);
    await pinClock(org, Date.UTC(2026, 11, 5, 10, 41, 7, 250));
    await seedHosts(c, Date.UTC(2026, 11, 5, 10, 41, 7, 250), (h) => h);
    const held = () => runInDurableObject(stub(org), (o: OrgObject) => context(o).baselines?.mergedSize.buckets ?? 0);
    const [rule] = ((await (await c.get(`${P}/alert-rules`)).json()) as { items: { id: string }[] }).items;
    const edit = async (patch: object) =>
      expect((await c.patch(`${P}/alert-rules/${rule?.id}`, patch)).status).toBe(200);
    const before = await held();
    expect(before).toBeGreaterThan(0);
    await edit({ severity: "warning" }); // reads the same buckets
    await edit({ aggregation: "p50" }); // another percentile of the same sketches
    expect(await held()).toBe(before);
    await edit({ aggregation: "avg" }); // summed by SQLite from now on
    expect(await held()).toBe(0);
  });
});
