// The write path must cost what the batch costs, not what the organization has stored. A statement
// that walks a whole table or index on every batch passes every functional test on a small store
// and slows ingestion linearly as the store grows: the per-source count of an events batch did,
// by walking events_source_ts (14 ms per batch at 450,000 events; bench/RESULTS.md).
//
// So: record every statement the organization object runs while it ingests events, predictions
// and metrics (rules watching them, a source, tags) and runs its alarm, then ask SQLite for each one's plan with the
// same arguments. No plan may SCAN a table that grows with the data.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { OrgObject } from "../../src/streaming/org-object";
import { as } from "../helpers";
import { recordStatements } from "../org-object";

const P = "/api/v1/streaming-analytics";

/** Tables whose size follows the data an organization sends (not its configuration). */
const GROWING = [
  "events",
  "event_rate",
  "predictions",
  "alerts",
  "alert_history",
  "metric_rollups",
  "tagged_rollups",
  "deliveries",
];

/**
 * Plans that name a SCAN but read one row: the alarm's "is anything stored at all" probe is
 * EXISTS over each table, which stops at the first row.
 */
const FIRST_ROW_ONLY = /^SELECT \(EXISTS \(SELECT 1 FROM \w+\)( OR EXISTS \(SELECT 1 FROM \w+\))*\)/;

describe("the ingestion write path and the alarm", () => {
  it("never scan a table that grows with the data", async () => {
    const org = "write-plans";
    const c = await as(org);
    const stub = env.ORG.getByName(org);
    const source = (await (await c.post(`${P}/sources`, { name: "web", source_type: "http" })).json()) as {
      id: string;
    };
    await c.post(`${P}/alert-rules`, {
      name: "latency",
      metric_name: "lat",
      aggregation: "p95",
      window_seconds: 60,
      operator: "gt",
      threshold: 500,
      severity: "critical",
    });
    // Some stored data first, so that the planner has tables (and indexes) to choose between.
    const events = (n: number, from: number) =>
      Array.from({ length: n }, (_, i) => ({
        event_id: `e-${from + i}`,
        event_type: i % 3 === 0 ? "click" : "view",
        ...(i % 2 === 0 ? { source_id: source.id } : {}),
        payload: { i },
      }));
    for (let b = 0; b < 4; b++)
      expect((await c.post(`${P}/events`, { events: events(250, b * 250) })).status).toBe(202);

    const recorded = await recordStatements(org, async () => {
      expect((await c.post(`${P}/events`, { events: events(100, 5_000) })).status).toBe(202);
      expect((await c.post(`${P}/events`, { events: events(10, 5_000) })).status).toBe(202); // all duplicates
      expect(
        (await c.post(`${P}/predictions`, { model_name: "m", prediction: 1, confidence: 0.5 })).status,
      ).toBeLessThan(300);
      const points = Array.from({ length: 50 }, (_, i) => ({
        name: i % 2 === 0 ? "lat" : "rps",
        value: 400 + i * 10,
        tags: { region: i % 3 === 0 ? "eu" : "us" },
      }));
      expect((await c.post(`${P}/metrics`, { metrics: points })).status).toBe(202);
      // The alarm (rule evaluation, retention, delivery) runs beside ingestion all day long.
      await runDurableObjectAlarm(stub);
    });

    const statements = new Map(recorded.map((r) => [r.query, r]));
    // The recorder saw the ingestion itself (not only a cache or an empty path).
    const seen = [...statements.keys()].map((q) => q.replace(/\s+/g, " ").trim());
    for (const write of [
      /^INSERT INTO events /,
      /^INSERT INTO predictions /,
      /INTO metric_rollups /,
      /INTO tagged_rollups /,
    ]) {
      expect(seen.filter((q) => write.test(q))).toHaveLength(1);
    }

    const scans = await runInDurableObject(stub, (_instance: OrgObject, state) =>
      [...statements.values()].flatMap(({ query, params }) => {
        if (!/^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)/i.test(query)) return [];
        if (FIRST_ROW_ONLY.test(query.replace(/\s+/g, " ").trim())) return [];
        const plan = state.storage.sql
          .exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${query}`, ...(params as SqlStorageValue[]))
          .toArray()
          .map((r) => r.detail);
        const full = plan.filter((line) => GROWING.some((table) => new RegExp(`^SCAN ${table}\\b`).test(line)));
        return full.length === 0 ? [] : [{ query: query.replace(/\s+/g, " ").slice(0, 160), plan: full }];
      }),
    );
    expect(scans).toEqual([]);
  });
});
