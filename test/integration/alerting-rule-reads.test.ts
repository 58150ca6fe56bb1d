/**
 * What a tagged rule reads: its windows as whole coarser buckets where they fit (rule-windows.ts),
 * added up by SQLite unless the aggregation is a percentile (service-rules.ts windowValues), so a
 * rule with a filter that selects many tag sets gets one row per run instead of one per bucket and
 * tag set, and still counts every point of its window.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { OrgObject } from "../../src/streaming/org-object";
import { as } from "../helpers";
import { pinClock, recordStatements, stub } from "../org-object";
import { formatNumber } from "../../src/streaming/rules";

const P = "/api/v1/streaming-analytics";
const SETS = 20;

describe("a tagged rule over an hour", () => {
  it("reads coarser buckets where whole ones fit, and counts exactly the points of its window", async () => {
    const org = "rule-reads";
    const c = await as(org);
    const now = Date.UTC(2026, 11, 5, 12, 3, 17, 250); // off every bucket grid
    await pinClock(org, now);
    // 20 tag sets, a point every 10 s for an hour and a half: 10,800 points.
    const points = [];
    for (let t = now - 5_400_000; t <= now; t += 10_000) {
      for (let s = 0; s < SETS; s++)
        points.push({
          name: "lat",
          value: 100 + s,
          timestamp: new Date(t).toISOString(),
          tags: { env: "prod", host: `h${s}` },
        });
    }
    for (let i = 0; i < points.length; i += 1_000)
      expect((await c.post(`${P}/metrics`, { metrics: points.slice(i, i + 1_000) })).status).toBe(202);
    // The window the rule reads: from the 10 s bucket holding now − 1 h, up to now.
    const from = now - 3_600_000 - ((now - 3_600_000) % 10_000);
    const inWindow = points.filter((p) => Date.parse(p.timestamp) >= from).length;
    const created = await c.post(`${P}/alert-rules`, {
      name: "prod points",
      metric_name: "lat",
      aggregation: "count",
      window_seconds: 3600,
      operator: "gt",
      threshold: 1,
      severity: "warning",
      tags: { env: "prod" },
    });
    expect(created.status).toBe(201);

    const recorded = await recordStatements(
      org,
      () => runDurableObjectAlarm(stub(org)).then(() => undefined),
      (q) => q.startsWith("SELECT") && q.includes("FROM tagged_rollups") && !q.includes("EXISTS"),
    );
    expect(recorded.length).toBeGreaterThan(0);
    const rows = await runInDurableObject(stub(org), (_o: OrgObject, state) =>
      recorded.reduce(
        (n, r) => n + state.storage.sql.exec(r.query, ...(r.params as SqlStorageValue[])).toArray().length,
        0,
      ),
    );
    // At 10 s buckets alone the hour is 361 buckets per tag set (7,220 rows); as runs at most 42 per
    // tag set (840); summed by SQLite, one row per run, and at most five runs.
    expect(rows).toBe(recorded.length);
    expect(recorded.length).toBeLessThanOrEqual(5);
    // Summed without GROUP BY: a sort of every row read (3 to 4 s at 745,000 rows) is what that avoids.
    const plans = await runInDurableObject(stub(org), (_o: OrgObject, state) =>
      recorded.map((r) =>
        state.storage.sql
          .exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${r.query}`, ...(r.params as SqlStorageValue[]))
          .toArray()
          .map((p) => p.detail)
          .join("; "),
      ),
    );
    for (const plan of plans) expect(plan).not.toMatch(/TEMP B-TREE/);

    const alerts = (await (await c.get(`${P}/alerts?status=open`)).json()) as { items: { message: string }[] };
    expect(alerts.items).toHaveLength(1);
    expect(alerts.items[0]?.message).toContain(`count of lat{env="prod"} over the last 3600 s is ${inWindow}`);
  });

  it("every aggregation of a tagged rule is the exact value of its window's points", async () => {
    const org = "rule-reads-values";
    const c = await as(org);
    const now = Date.UTC(2026, 11, 5, 9, 41, 3, 500);
    await pinClock(org, now);
    // 20 tag sets, uneven values, a point every 10 s for 80 minutes; 2 sets outside the filter.
    const points = [];
    for (let t = now - 4_800_000, i = 0; t <= now; t += 10_000, i++) {
      for (let s = 0; s < SETS + 2; s++)
        points.push({
          name: "lat",
          value: ((i * 37 + s * 11) % 500) / 4 - 20,
          timestamp: new Date(t).toISOString(),
          tags: { env: s < SETS ? "prod" : "dev", host: `h${s}` },
        });
    }
    for (let i = 0; i < points.length; i += 1_000)
      expect((await c.post(`${P}/metrics`, { metrics: points.slice(i, i + 1_000) })).status).toBe(202);
    const from = now - 3_600_000 - ((now - 3_600_000) % 10_000);
    const values = points
      .filter((p) => p.tags.env === "prod" && Date.parse(p.timestamp) >= from)
      .map((p) => p.value)
      .sort((a, b) => a - b);
    const sum = values.reduce((a, b) => a + b, 0);
    const exact: Record<string, number> = {
      count: values.length,
      sum,
      avg: sum / values.length,
      min: values[0] as number,
      max: values[values.length - 1] as number,
    };
    const rule = (aggregation: string) => ({
      name: `prod ${aggregation}`,
      metric_name: "lat",
      aggregation,
      window_seconds: 3600,
      operator: "gt",
      threshold: -1e9,
      severity: "warning",
      tags: { env: "prod" },
    });
    for (const aggregation of [...Object.keys(exact), "p95"])
      expect((await c.post(`${P}/alert-rules`, rule(aggregation))).status).toBe(201);
    const open = (await (await c.get(`${P}/alerts?status=open&limit=50`)).json()) as { items: { message: string }[] };
    const observed = (aggregation: string) => {
      const alert = open.items.find((a) => a.message.startsWith(`Rule "prod ${aggregation}"`));
      const match = alert?.message.match(/ over the last 3600 s is (-?[0-9.e+-]+),/);
      return Number(match?.[1]);
    };
    for (const [aggregation, value] of Object.entries(exact))
      expect(observed(aggregation), aggregation).toBe(Number(formatNumber(value)));
    // The percentile still merges the sketches (1% relative accuracy), read as a stream.
    const p95 = values[Math.ceil(0.95 * values.length) - 1] as number;
    expect(Math.abs(observed("p95") - p95)).toBeLessThanOrEqual(0.011 * Math.abs(p95));
  });
});
