/**
 * A filtered percentile series (GET /metrics/:name?tag.…&aggregation=p95) is read from buckets
 * merged over its tag sets, which the object keeps for the charts read most recently
 * (merged-buckets.ts, baseline-cache.ts). It must never change an answer: after every step of a
 * seeded run (the clock moving, points now, back-dated and ahead), each read through the cache
 * equals a fresh read of the rows. And a refetch reads only the buckets written since.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { OrgObject } from "../../src/streaming/org-object";
import { metricSeries, type SeriesQuery } from "../../src/streaming/service-read";
import type { OrgContext } from "../../src/streaming/service-types";
import { as } from "../helpers";
import { pinClock, recordStatements, rowsAnswered, stub } from "../org-object";
import { seededRun, seededStep } from "../seeded-steps";

const P = "/api/v1/streaming-analytics";
const context = (o: OrgObject) => (o as unknown as { context(): OrgContext }).context();

const QUERIES: SeriesQuery[] = [
  { window: 3600, aggregation: "p95", tags: { env: "prod" } },
  { window: 3600, aggregation: "p50", step: 60, tags: { env: "prod" } },
  { window: 21_600, aggregation: "p99", tags: { host: "h2" } },
  { window: 600, aggregation: "p90", tags: { env: "prod", host: "h1" } },
  // Grouped by a tag of a few values: each group reads its own merged buckets.
  { window: 3600, aggregation: "p95", group_by: "host" },
  { window: 7200, aggregation: "p99", group_by: "env", tags: { host: "h3" } },
];

/** Each query through the object's cache, then without it. */
const compare = (org: string) =>
  runInDurableObject(stub(org), (o: OrgObject) => {
    const ctx = context(o);
    return QUERIES.map((q) => ({
      query: JSON.stringify(q),
      cached: metricSeries(ctx, "lat", q),
      fresh: metricSeries({ ...ctx, baselines: undefined }, "lat", q),
    }));
  });

/** One GET of the series: the statements reading tagged rollups, and the rows they answered. */
async function chartReads(org: string, c: Awaited<ReturnType<typeof as>>, query: string) {
  const recorded = await recordStatements(
    org,
    async () => {
      const res = await c.get(`${P}/metrics/lat?${query}`);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    },
    (q) => q.startsWith("SELECT") && q.includes("FROM tagged_rollups"),
  );
  return rowsAnswered(org, recorded);
}

describe("filtered percentile series read from merged buckets", () => {
  it("answer what a fresh read of the rows answers, step after step", async () => {
    const org = "chart-merged";
    const { c, rng, point, history, ...start } = await seededRun(org, 6 * 3_600_000, 30_000);
    let now = start.now;
    for (let i = 0; i < history.length; i += 1_000)
      expect((await c.post(`${P}/metrics`, { metrics: history.slice(i, i + 1_000) })).status).toBe(202);
    for (let step = 0; step < 30; step++) {
      const next = seededStep(rng, now, step, 6 * 3_600_000, point);
      now = next.now;
      await pinClock(org, now);
      const batch = next.batch;
      if (step % 5 !== 4) expect((await c.post(`${P}/metrics`, { metrics: batch })).status).toBe(202);
      for (const { query, cached, fresh } of await compare(org)) {
        expect(fresh.ok, query).toBe(true);
        expect(cached, `${query} at step ${step}`).toEqual(fresh);
      }
    }
    const held = await runInDurableObject(stub(org), (o: OrgObject) => context(o).baselines?.mergedSize);
    // The first two read the same buckets (same filter, window and bucket size; only their steps
    // differ), so they share one reader; a grouped read has one per group (4 hosts; 2 envs and the
    // filtered headline).
    expect(held?.charts).toBe(3 + 4 + 3);
    expect(held?.buckets).toBeGreaterThan(100);
  });

  it("a refetch reads only the buckets written since; avg and many-group reads are read whole", async () => {
    const org = "chart-merged-reads";
    const c = await as(org);
    const now = Date.UTC(2026, 11, 5, 10, 41, 7, 250);
    await pinClock(org, now);
    const history = [];
    for (let ts = now - 3_600_000; ts <= now; ts += 60_000)
      for (let h = 0; h < 20; h++)
        history.push({
          name: "lat",
          value: h * 10 + (ts % 7),
          timestamp: new Date(ts).toISOString(),
          tags: { env: "prod", host: `h${h}`, zone: h % 2 === 0 ? "a" : "b" },
        });
    for (let k = 0; k < history.length; k += 1_000)
      expect((await c.post(`${P}/metrics`, { metrics: history.slice(k, k + 1_000) })).status).toBe(202);
    const p95 = "window=3600&aggregation=p95&tag.env=prod";
    const first = await chartReads(org, c, p95);
    expect(first).toBe(history.length); // every row once, merged per bucket and kept
    expect(await chartReads(org, c, p95)).toBe(0);
    const one = {
      name: "lat",
      value: 5_000,
      timestamp: new Date(now).toISOString(),
      tags: { env: "prod", host: "h1", zone: "b" },
    };
    expect((await c.post(`${P}/metrics`, { metrics: [one] })).status).toBe(202);
    // Only the 10 s bucket holding `now` is read again: one row per host, the new point in h1's.
    expect(await chartReads(org, c, p95)).toBe(20);
    expect(await chartReads(org, c, p95)).toBe(0);
    // A percentile grouped by a tag of few values reads each group's merged buckets: once.
    const byZone = "window=3600&aggregation=p95&group_by=zone";
    expect(await chartReads(org, c, byZone)).toBe(first);
    expect(await chartReads(org, c, byZone)).toBe(0);
    // A group that selects the same tag sets as a filter shares its buckets (env=prod is all 20).
    expect(await chartReads(org, c, "window=3600&aggregation=p95&group_by=env")).toBe(0);
    // Read whole each time: every aggregation but a percentile (totals are cheap to read), and a
    // grouped read of more than 16 groups (20 hosts).
    for (const query of ["window=3600&aggregation=avg&tag.env=prod", "window=3600&aggregation=p95&group_by=host"]) {
      expect(await chartReads(org, c, query)).toBe(first);
      expect(await chartReads(org, c, query)).toBe(first);
    }
  });
});
