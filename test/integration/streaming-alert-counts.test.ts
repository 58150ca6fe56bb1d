// The dashboard's alert counts read unresolved alerts through the status index and take the
// resolved count from a counter the schema's triggers keep (store/schema.ts, V3). A counter can
// drift where a recount cannot, so every path that changes it is walked here and compared with a
// recount: resolving by hand (open and acknowledged), a rule resolving its alert, a fingerprint
// reopening as a new alert after resolution, retention deleting old resolved alerts, and erasure.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { OrgObject } from "../../src/streaming/org-object";
import { countAlerts } from "../../src/streaming/store/alerts";
import { api, as, tokenFor } from "../helpers";
import { pinClock, stub } from "../org-object";

const P = "/api/v1/streaming-analytics";
const DAY = 86_400_000;

const recount = (org: string) =>
  runInDurableObject(stub(org), (_i: OrgObject, state) => {
    const rows = state.storage.sql
      .exec<{ status: string; n: number }>("SELECT status, count(*) AS n FROM alerts GROUP BY status")
      .toArray();
    const by = Object.fromEntries(rows.map((r) => [r.status, r.n]));
    return { open: by.open ?? 0, acknowledged: by.acknowledged ?? 0, resolved: by.resolved ?? 0 };
  });

describe("the dashboard's alert counts", () => {
  it("stay equal to a recount through resolution, rules, reopening, retention and erasure", async () => {
    const org = "alert-counts";
    const c = await as(org);
    const now = Date.now();
    await pinClock(org, now);
    const counts = async () =>
      ((await (await c.get(`${P}/dashboard`)).json()) as { alerts: { by_status: Record<string, number> } }).alerts
        .by_status;
    const check = async (want: { open: number; acknowledged: number; resolved: number }) => {
      expect(await recount(org)).toEqual(want);
      expect(await counts()).toEqual(want);
    };

    const alert = async (title: string, fingerprint?: string) =>
      (
        (await (
          await c.post(`${P}/alerts`, { severity: "warning", title, ...(fingerprint ? { fingerprint } : {}) })
        ).json()) as {
          id: string;
        }
      ).id;
    const a = await alert("a", "fp-a");
    const b = await alert("b");
    const d = await alert("d");
    await check({ open: 3, acknowledged: 0, resolved: 0 });
    await c.post(`${P}/alerts/${b}/acknowledge`, {});
    await c.post(`${P}/alerts/${a}/resolve`, {});
    await c.post(`${P}/alerts/${b}/resolve`, { note: "done" });
    await check({ open: 1, acknowledged: 0, resolved: 2 });
    // Resolving twice is refused and counts once.
    expect((await c.post(`${P}/alerts/${a}/resolve`, {})).status).toBe(409);
    // The same fingerprint after resolution opens a new alert; the resolved one stays resolved.
    await alert("a again", "fp-a");
    await check({ open: 2, acknowledged: 0, resolved: 2 });

    // A rule opens an alert on a breach and resolves it when the metric recovers.
    await c.post(`${P}/alert-rules`, {
      name: "latency",
      metric_name: "lat",
      aggregation: "max",
      window_seconds: 60,
      operator: "gt",
      threshold: 500,
      severity: "critical",
    });
    await c.post(`${P}/metrics`, { name: "lat", value: 900, timestamp: now });
    await check({ open: 3, acknowledged: 0, resolved: 2 });
    await pinClock(org, now + 5 * 60_000);
    await c.post(`${P}/metrics`, { name: "lat", value: 100, timestamp: now + 5 * 60_000 });
    await check({ open: 2, acknowledged: 0, resolved: 3 });

    // Retention (ALERT_RETENTION_DAYS is 90) deletes the resolved ones and keeps the open ones.
    await c.post(`${P}/alerts/${d}/resolve`, {});
    await check({ open: 1, acknowledged: 0, resolved: 4 });
    await pinClock(org, now + 91 * DAY);
    expect(await runDurableObjectAlarm(stub(org))).toBe(true);
    await check({ open: 1, acknowledged: 0, resolved: 0 });

    // The counts never scan every alert: each statement countAlerts itself runs (recorded, with its
    // own arguments, so a changed query is checked as it now reads) is planned without a SCAN of
    // alerts, and the unresolved ones are read through the status index.
    const plans = await runInDurableObject(stub(org), (_i: OrgObject, state) => {
      const sql = state.storage.sql;
      const recorded: { query: string; params: unknown[] }[] = [];
      const recorder = {
        exec: (query: string, ...params: unknown[]) => {
          recorded.push({ query, params });
          return sql.exec(query, ...params);
        },
      } as unknown as SqlStorage;
      countAlerts(recorder);
      return recorded.map(({ query, params }) =>
        sql
          .exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${query}`, ...params)
          .toArray()
          .map((r) => r.detail),
      );
    });
    expect(plans.length).toBeGreaterThanOrEqual(2);
    for (const plan of plans) expect(plan.filter((line) => /^SCAN alerts\b/.test(line))).toEqual([]);
    expect(plans.flat().some((line) => /^SEARCH alerts USING (COVERING )?INDEX alerts_status/.test(line))).toBe(true);

    // Erasure empties the store and the counter with it.
    const admin = await tokenFor(org, "admin");
    expect((await api(`/api/v1/orgs/${org}/data`, { method: "DELETE", token: admin })).status).toBe(204);
    await check({ open: 0, acknowledged: 0, resolved: 0 });
  });
});
