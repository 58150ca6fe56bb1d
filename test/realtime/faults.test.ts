// Faults: the organization's object aborted or evicted while it ingests and broadcasts, and retention
// running while events arrive. Each test states its figure: what was acknowledged, what survived.
import {
  abortAllDurableObjects,
  env,
  evictDurableObject,
  runDurableObjectAlarm,
  runInDurableObject,
} from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, as } from "../helpers";
import { connectWithToken } from "./live-client";

const EVENTS = "/api/v1/streaming-analytics/events";

function batch(prefix: string, size: number, timestamp?: number) {
  return {
    events: Array.from({ length: size }, (_, i) => ({
      event_id: `${prefix}-${i}`,
      event_type: "fault_test",
      ...(timestamp === undefined ? {} : { timestamp }),
    })),
  };
}

async function storedIds(org: string): Promise<Map<string, number>> {
  return runInDurableObject(env.ORG.getByName(org), (_instance, state) => {
    const counts = new Map<string, number>();
    for (const row of state.storage.sql.exec<{ event_id: string; n: number }>(
      "SELECT event_id, COUNT(*) AS n FROM events GROUP BY event_id",
    )) {
      counts.set(row.event_id, row.n);
    }
    return counts;
  });
}

describe("the organization's object restarts during ingestion", () => {
  for (const fault of ["abort", "evict"] as const) {
    it(`${fault}: every acknowledged event survives exactly once and a retry stores nothing twice`, async () => {
      const org = `fault-${fault}`;
      const client = await as(org);
      const BATCHES = 40;
      const SIZE = 1000;
      const statuses: number[] = new Array(BATCHES).fill(0);
      const sends = Array.from({ length: BATCHES }, async (_, b) => {
        // Stagger so some batches are in flight when the fault hits.
        await new Promise((r) => setTimeout(r, b * 2));
        const res = await api(EVENTS, { token: client.token, method: "POST", body: batch(`${fault}-b${b}`, SIZE) });
        statuses[b] = res.status;
        if (res.status === 503) expect(res.headers.get("Retry-After")).toBe("1");
        await res.text();
      });
      // Fault repeatedly while batches are inside the object, so some calls are cut mid-way.
      for (let k = 0; k < 8; k++) {
        await new Promise((r) => setTimeout(r, 15));
        if (fault === "abort") await abortAllDurableObjects();
        else await evictDurableObject(env.ORG.getByName(org)).catch(() => undefined); // not running right now
      }
      await Promise.all(sends);

      // Only two answers are honest here: stored (202) or not stored and retryable (503).
      expect(
        statuses.every((s) => s === 202 || s === 503),
        JSON.stringify(statuses),
      ).toBe(true);
      const acknowledged = statuses.map((s, b) => (s === 202 ? b : -1)).filter((b) => b >= 0);
      const stored = await storedIds(org);
      for (const b of acknowledged) {
        for (let i = 0; i < SIZE; i++) expect(stored.get(`${fault}-b${b}-${i}`), `batch ${b} event ${i}`).toBe(1);
      }
      console.log(
        `[figure] ${fault} during ingestion: ${acknowledged.length}/${BATCHES} batches acknowledged before retry, ` +
          `${acknowledged.length * SIZE} events acknowledged, all ${acknowledged.length * SIZE} stored once`,
      );

      // The client's retry of the refused batches is idempotent: no event twice, none missing.
      for (let b = 0; b < BATCHES; b++) {
        if (statuses[b] !== 202) {
          const res = await api(EVENTS, { token: client.token, method: "POST", body: batch(`${fault}-b${b}`, SIZE) });
          expect(res.status).toBe(202);
        }
      }
      const after = await storedIds(org);
      expect(after.size).toBe(BATCHES * SIZE);
      expect([...after.values()].every((n) => n === 1)).toBe(true);
    }, 60_000);
  }
});

describe("the organization's object restarts while broadcasting", () => {
  it("acknowledged events are all in the snapshot a reconnecting socket receives", async () => {
    const org = "fault-broadcast";
    const client = await as(org);
    const sockets = await Promise.all([1, 2, 3].map(() => connectWithToken(client.token)));
    for (const s of sockets) await s.next("snapshot");
    let acknowledged = 0;
    for (let b = 0; b < 10; b++) {
      const res = await api(EVENTS, { token: client.token, method: "POST", body: batch(`bc-${b}`, 50) });
      if (res.status === 202) acknowledged += 50;
      if (b === 4) await abortAllDurableObjects();
    }
    // Aborting the object drops its sockets; a client reconnects and resyncs from the snapshot.
    const fresh = await connectWithToken(client.token);
    const snapshot = await fresh.next("snapshot");
    expect(snapshot.data.events.total).toBe(acknowledged);
    expect(acknowledged).toBeGreaterThanOrEqual(450);
    console.log(
      `[figure] abort while broadcasting: ${acknowledged}/500 events acknowledged, snapshot total ${snapshot.data.events.total}`,
    );
    for (const s of [...sockets, fresh]) s.close();
  });
});

describe("retention runs while events arrive", () => {
  it("expires only what is past retention and never an event acknowledged during the run", async () => {
    const org = "fault-retention";
    const client = await as(org);
    const DAY = 86_400_000;
    const old = Date.now() - 30 * DAY; // past the 7-day event retention
    const res = await api(EVENTS, { token: client.token, method: "POST", body: batch("old", 200, old) });
    expect(res.status).toBe(202);
    const stub = env.ORG.getByName(org);

    const fresh = Array.from({ length: 20 }, async (_, b) => {
      const r = await api(EVENTS, { token: client.token, method: "POST", body: batch(`new-${b}`, 50) });
      return r.status;
    });
    const alarm = runDurableObjectAlarm(stub);
    const statuses = await Promise.all(fresh);
    await alarm;
    await runDurableObjectAlarm(stub);

    expect(statuses.every((s) => s === 202)).toBe(true);
    const stored = await storedIds(org);
    const oldLeft = [...stored.keys()].filter((k) => k.startsWith("old-")).length;
    const freshKept = [...stored.keys()].filter((k) => k.startsWith("new-")).length;
    expect(oldLeft).toBe(0);
    expect(freshKept).toBe(1000);
    console.log(
      `[figure] retention during ingestion: 1000/1000 fresh events acknowledged and kept, 200/200 expired events removed`,
    );
  });
});
