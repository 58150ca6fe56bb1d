/**
 * What a tagged rule reads: its windows as whole coarser buckets where they fit (rule-windows.ts),
 * so a rule over an hour with a filter that selects many tag sets reads a ninth of the rows it did,
 * and still counts every point of its window.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { OrgObject } from "../../src/streaming/org-object";
import { as } from "../helpers";
import { pinClock, recordStatements, stub } from "../org-object";

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
    // At 10 s buckets alone the hour is 361 buckets per tag set (7,220 rows); as runs at most 42.
    expect(rows).toBeLessThanOrEqual(SETS * 42);
    expect(rows).toBeGreaterThan(0);

    const alerts = (await (await c.get(`${P}/alerts?status=open`)).json()) as { items: { message: string }[] };
    expect(alerts.items).toHaveLength(1);
    expect(alerts.items[0]?.message).toContain(`count of lat{env="prod"} over the last 3600 s is ${inWindow}`);
  });
});
