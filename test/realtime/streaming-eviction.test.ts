import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { OrgObject } from "../../src/streaming/org-object";
import { as } from "../helpers";
import { pinClock } from "../org-object";

const P = "/api/v1/streaming-analytics";
const stub = (org: string) => env.ORG.getByName(org);

describe("the organization object may be evicted between any two requests", () => {
  it("evictions during a stream of batches lose no acknowledged event and store none twice", async () => {
    const org = "evict-stream";
    const c = await as(org);
    const CLIENTS = 5;
    const BATCHES = 30;
    const SIZE = 50;
    // Evictions are driven by progress, not by a wall clock: every 10th acknowledged batch evicts the
    // object while the other clients' batches are in flight.
    let evictions = 0;
    let acked = 0;
    const evicting: Promise<unknown>[] = [];
    const onAck = () => {
      acked++;
      if (acked % 10 === 0) {
        // Rejects when the object is not running at that instant; that is fine, the next one tries again.
        evicting.push(
          evictDurableObject(stub(org)).then(
            () => evictions++,
            () => undefined,
          ),
        );
      }
    };
    const acknowledged = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        const ids: string[] = [];
        for (let b = 0; b < BATCHES; b++) {
          const events = Array.from({ length: SIZE }, (_, i) => ({
            event_id: `c${client}-${b}-${i}`,
            event_type: "e",
          }));
          // A client re-sends until acknowledged; idempotency makes that safe.
          for (let attempt = 0; attempt < 5; attempt++) {
            const res = await c.post(`${P}/events`, { events });
            if (res.status === 202) {
              ids.push(...events.map((e) => e.event_id));
              onAck();
              break;
            }
            await res.body?.cancel();
          }
        }
        return ids;
      }),
    );
    await Promise.all(evicting);
    expect(evictions).toBeGreaterThan(0);
    const all = acknowledged.flat();
    expect(all).toHaveLength(CLIENTS * BATCHES * SIZE);
    const stored = await runInDurableObject(stub(org), (_i: OrgObject, state) =>
      state.storage.sql
        .exec<{ rows: number; uniq: number }>("SELECT count(*) AS rows, count(DISTINCT event_id) AS uniq FROM events")
        .one(),
    );
    expect(stored).toEqual({ rows: all.length, uniq: all.length });
  }, 120_000);

  it("rule state, alerts, rollups and sources survive eviction", async () => {
    const org = "evict-state";
    const c = await as(org);
    const t0 = Date.now();
    const pin = (at: number) => pinClock(org, at);
    await pin(t0);
    const src = (await (await c.post(`${P}/sources`, { name: "s", source_type: "kafka" })).json()) as { id: string };
    await c.post(`${P}/events`, { events: [{ event_type: "x", source_id: src.id }] });
    const rule = (await (
      await c.post(`${P}/alert-rules`, {
        name: "slow",
        metric_name: "lat",
        aggregation: "p90",
        window_seconds: 120,
        operator: "gt",
        threshold: 100,
        severity: "error",
        for_seconds: 30,
      })
    ).json()) as { id: string };
    await c.post(`${P}/metrics`, {
      metrics: [150, 160, 170, 180].map((value) => ({ name: "lat", value, timestamp: t0 })),
    });
    const p50 = async () =>
      ((await (await c.get(`${P}/metrics/lat?window=600&aggregation=p50`)).json()) as { value: number }).value;
    const before = await p50();
    const dashboardBefore = await (await c.get(`${P}/dashboard`)).json();

    await evictDurableObject(stub(org));

    // A new instance: the pinned clock is gone with the old one, state must come from SQLite.
    const rules = (await (await c.get(`${P}/alert-rules`)).json()) as { items: { state: { status: string } }[] };
    expect(rules.items[0]?.state.status).toBe("pending");
    expect(await p50()).toBe(before);
    const source = (await (await c.get(`${P}/sources/${src.id}`)).json()) as { health: { events_last_5m: number } };
    expect(source.health.events_last_5m).toBe(1);
    const dashboardAfter = (await (await c.get(`${P}/dashboard`)).json()) as typeof dashboardBefore;
    expect((dashboardAfter as { events: unknown }).events).toEqual((dashboardBefore as { events: unknown }).events);

    // The pending rule picks up where it was: for_seconds later it fires.
    await pin(t0 + 31_000);
    await c.post(`${P}/metrics`, { name: "lat", value: 190, timestamp: t0 + 31_000 });
    const alerts = (await (await c.get(`${P}/alerts`)).json()) as { items: { fingerprint: string; status: string }[] };
    expect(alerts.items).toEqual([expect.objectContaining({ fingerprint: `rule:${rule.id}`, status: "open" })]);
  });
});
