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

/** Counts settled requests and lets a test wait until a number of them have settled (no timers). */
function progress() {
  let settled = 0;
  const waiters: { n: number; wake: () => void }[] = [];
  return {
    get settled() {
      return settled;
    },
    settle(): void {
      settled += 1;
      for (const w of waiters.filter((x) => x.n <= settled)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.wake();
      }
    },
    atLeast(n: number): Promise<void> {
      return n <= settled ? Promise.resolve() : new Promise((wake) => waiters.push({ n, wake }));
    },
  };
}

describe("the organization's object restarts during ingestion", () => {
  for (const fault of ["abort", "evict"] as const) {
    it(`${fault}: every acknowledged event survives exactly once and a retry stores nothing twice`, async () => {
      const org = `fault-${fault}`;
      const client = await as(org);
      const BATCHES = 40;
      const SIZE = 1000;
      const FAULTS = 8;
      const statuses: number[] = new Array(BATCHES).fill(0);
      const bodies: string[] = new Array(BATCHES).fill("");
      const done = progress();
      // All batches are sent at once: the object takes them one after the other, so while some are
      // answered the rest are queued or inside it.
      const sends = Array.from({ length: BATCHES }, async (_, b) => {
        const res = await api(EVENTS, { token: client.token, method: "POST", body: batch(`${fault}-b${b}`, SIZE) });
        statuses[b] = res.status;
        if (res.status === 503) expect(res.headers.get("Retry-After")).toBe("1");
        bodies[b] = await res.text();
        done.settle();
      });
      // Fault each time a few more batches have been answered, so each fault lands while others are
      // still in flight: progress, not a timer, paces it.
      let faultedInFlight = 0;
      for (let k = 1; k <= FAULTS; k++) {
        await done.atLeast(k * 3);
        if (done.settled < BATCHES) faultedInFlight += 1;
        if (fault === "abort") await abortAllDurableObjects();
        else await evictDurableObject(env.ORG.getByName(org)).catch(() => undefined); // not running right now
      }
      await Promise.all(sends);
      expect(faultedInFlight).toBeGreaterThan(0);

      // Only two answers are honest here: stored (202) or not stored and retryable (503).
      const dishonest = statuses.map((s, b) => ({ b, s, body: bodies[b] })).filter(({ s }) => s !== 202 && s !== 503);
      expect(dishonest, JSON.stringify(dishonest).slice(0, 2000)).toEqual([]);
      for (const [b, s] of statuses.entries()) {
        if (s === 503) expect(JSON.parse(bodies[b] ?? "{}").type).toBe("urn:edge-experiments:problem:unavailable");
      }
      const acknowledged = statuses.map((s, b) => (s === 202 ? b : -1)).filter((b) => b >= 0);
      const refused = statuses.map((s, b) => (s === 503 ? b : -1)).filter((b) => b >= 0);
      const stored = await storedIds(org);
      for (const b of acknowledged) {
        for (let i = 0; i < SIZE; i++) expect(stored.get(`${fault}-b${b}-${i}`), `batch ${b} event ${i}`).toBe(1);
      }
      // A refused batch is all or nothing: either none of it is stored, or all of it (the object
      // committed and was cut before it could answer), never a part.
      for (const b of refused) {
        const kept = Array.from({ length: SIZE }, (_, i) => stored.get(`${fault}-b${b}-${i}`) ?? 0);
        const sum = kept.reduce((x, y) => x + y, 0);
        expect([0, SIZE], `batch ${b} half-stored`).toContain(sum);
      }
      console.log(
        `[figure] ${fault} during ingestion: ${faultedInFlight}/${FAULTS} faults with batches in flight, ` +
          `${acknowledged.length}/${BATCHES} batches acknowledged before retry, ${refused.length} refused with 503, ` +
          `${acknowledged.length * SIZE} events acknowledged, all stored once`,
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
