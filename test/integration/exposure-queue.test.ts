import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type ConsumerHooks, consumeExposures, sendExposures } from "../../src/assignment/exposure-queue";
import { type Exposure, MAX_MESSAGE_BYTES, toWire } from "../../src/assignment/exposure-messages";
import { insertExposures } from "../../src/assignment/read-model";
import { createDb } from "../../src/db/client";
import type { Env } from "../../src/env";
import worker from "../../src/index";
import { exposureRows, seedExperiment } from "./assignment-fixtures";
import { captureExposures } from "./exposure-capture";

afterEach(() => vi.restoreAllMocks());

/** A delivered message as the queue hands it over: id, attempt number, a version-1 body. */
const message = (id: string, rows: readonly Exposure[], attempts = 1) => ({
  id,
  timestamp: Date.now(),
  attempts,
  body: { v: 1 as const, rows: rows.map(toWire) },
});

type Delivered = ReturnType<typeof message>;

/**
 * Runs the consumer over one delivery, as the queue would: a throw stands for the consumer being
 * killed. Returns what the queue learnt (acks, retries) and whether the run died.
 */
async function deliver(
  messages: Delivered[],
  store: (rows: readonly Exposure[]) => Promise<number>,
  hooks: ConsumerHooks = {},
) {
  const batch = createMessageBatch("edge-experiments-exposures", messages);
  const ctx = createExecutionContext();
  const died = await consumeExposures(batch, store, hooks).then(
    () => false,
    () => true,
  );
  return { died, result: await getQueueResult(batch, ctx) };
}

/** What the queue delivers next: every message neither acknowledged nor retried is redelivered, attempts + 1. */
const redelivery = (
  messages: Delivered[],
  result: { explicitAcks: string[]; ackAll: boolean; retryMessages: { msgId: string }[] },
) =>
  result.ackAll
    ? []
    : messages.filter((m) => !result.explicitAcks.includes(m.id)).map((m) => ({ ...m, attempts: m.attempts + 1 }));

async function seeded(org: string) {
  const e = await seedExperiment({ org, key: "q" });
  const variant = e.variantIds.control ?? "";
  const row = (userId: string, exposedAt: number): Exposure => ({
    orgId: org,
    experimentId: e.id,
    userId,
    variantId: variant,
    exposedAt,
  });
  return { e, variant, row };
}

const db = () => createDb(env.DB);

describe("the exposure queue's consumer", () => {
  it("killed after the write and part of the acks, then redelivered, stores every exposure exactly once", async () => {
    const { e, variant, row } = await seeded("q-kill");
    const messages = [
      message("m1", [row("a", 100), row("b", 110)]),
      message("m2", [row("c", 120), row("d", 130)]),
      message("m3", [row("e", 140), row("a", 150)]), // a second exposure of "a": the first must win
    ];
    const store = (rows: readonly Exposure[]) => insertExposures(db(), rows);

    const first = await deliver(messages, store, {
      afterAck: (i) => {
        if (i === 0) throw new Error("killed mid-batch");
      },
    });
    expect(first.died).toBe(true);
    expect(first.result.explicitAcks).toEqual(["m1"]);
    expect(first.result.retryMessages).toEqual([]);

    const again = redelivery(messages, first.result);
    expect(again.map((m) => [m.id, m.attempts])).toEqual([
      ["m2", 2],
      ["m3", 2],
    ]);
    const second = await deliver(again, store);
    expect(second.died).toBe(false);
    expect(second.result.explicitAcks).toEqual(["m2", "m3"]);
    expect(redelivery(again, second.result)).toEqual([]);

    expect(await exposureRows(e.id)).toEqual([
      { user_id: "a", variant_id: variant, exposed_at: 100 },
      { user_id: "b", variant_id: variant, exposed_at: 110 },
      { user_id: "c", variant_id: variant, exposed_at: 120 },
      { user_id: "d", variant_id: variant, exposed_at: 130 },
      { user_id: "e", variant_id: variant, exposed_at: 140 },
    ]);
  });

  it("killed after the write and before any ack, the whole redelivered batch changes nothing", async () => {
    const { e, row } = await seeded("q-kill-early");
    const messages = [message("m1", [row("a", 1), row("b", 2)]), message("m2", [row("c", 3)])];
    const counts: number[] = [];
    const store = async (rows: readonly Exposure[]) => {
      const n = await insertExposures(db(), rows);
      counts.push(n);
      return n;
    };
    const first = await deliver(messages, store, {
      afterWrite: () => {
        throw new Error("killed before the acks");
      },
    });
    expect(first.died).toBe(true);
    expect(first.result.explicitAcks).toEqual([]);
    const second = await deliver(redelivery(messages, first.result), store);
    expect(second.result.explicitAcks).toEqual(["m1", "m2"]);
    // The first write stored 3 rows; the redelivery's identical write stored none.
    expect(counts).toEqual([3, 0]);
    expect((await exposureRows(e.id)).map((r) => r.user_id)).toEqual(["a", "b", "c"]);
  });

  it("a D1 outage leaves every message for retry, and they are written after recovery", async () => {
    const { e, row } = await seeded("q-outage");
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const messages = [message("m1", [row("a", 1), row("b", 2)]), message("m2", [row("c", 3)])];
    // The failure seam: while D1 is "down" the consumer's database call throws before reaching it,
    // as a D1 outage does; once it is back the very same call goes to the real database.
    let d1Down = true;
    let attempts = 0;
    const store = (rows: readonly Exposure[]) => {
      attempts++;
      if (d1Down) return Promise.reject(new Error("D1_ERROR: Network connection lost."));
      return insertExposures(db(), rows);
    };

    let pending = messages;
    for (let delivery = 1; delivery <= 3; delivery++) {
      const { died, result } = await deliver(pending, store);
      expect(died).toBe(false);
      expect(result.explicitAcks).toEqual([]);
      expect(result.ackAll).toBe(false);
      expect(result.retryMessages.map((m) => m.msgId)).toEqual(["m1", "m2"]);
      pending = pending.map((m) => ({ ...m, attempts: m.attempts + 1 }));
    }
    expect(attempts).toBe(3);
    expect(await exposureRows(e.id)).toEqual([]);
    const logged = warn.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
    expect(logged.at(-1)).toMatchObject({ event: "exposure_write_failed", messages: 2, rows: 3, attempts: 3 });

    d1Down = false;
    const recovered = await deliver(pending, store);
    expect(recovered.result.explicitAcks).toEqual(["m1", "m2"]);
    expect(recovered.result.retryMessages).toEqual([]);
    expect((await exposureRows(e.id)).map((r) => r.user_id)).toEqual(["a", "b", "c"]);
  });

  it("a message not of the format is retried (towards the dead-letter queue), the others are stored", async () => {
    const { e, row } = await seeded("q-malformed");
    vi.spyOn(console, "error").mockImplementation(() => {});
    const bad = { id: "bad", timestamp: Date.now(), attempts: 1, body: { v: 1, rows: [{ o: "x" }] } };
    const batch = createMessageBatch<unknown>("edge-experiments-exposures", [bad, message("good", [row("a", 1)])]);
    const ctx = createExecutionContext();
    const outcome = await consumeExposures(batch, (rows) => insertExposures(db(), rows));
    const result = await getQueueResult(batch, ctx);
    expect(outcome).toMatchObject({ rows: 1, stored: 1, malformed: 1, retried: false });
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["bad"]);
    expect(result.explicitAcks).toEqual(["good"]);
    expect((await exposureRows(e.id)).map((r) => r.user_id)).toEqual(["a"]);
  });

  it("the Worker's queue handler stores a delivered batch and acknowledges each message", async () => {
    const { e, row } = await seeded("q-handler");
    const batch = createMessageBatch("edge-experiments-exposures", [
      message("m1", [row("a", 1)]),
      message("m2", [row("b", 2), row("a", 3)]),
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env as Env);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual(["m1", "m2"]);
    expect(await exposureRows(e.id)).toMatchObject([
      { user_id: "a", exposed_at: 1 },
      { user_id: "b", exposed_at: 2 },
    ]);
  });
});

describe("the exposure queue's producer", () => {
  // The local queue's own transport is exercised end to end by the e2e results step (a real server,
  // exposures awaited through the analysis); here the test delivers what was sent, with no clock.
  it("a batch over one message's size is split, sent with sendBatch, and stored whole by the consumer", async () => {
    const queue = captureExposures();
    const { e, row } = await seeded("q-split");
    // 256-character ids (the route's maximum) make rows of about 300 bytes: 1,000 of them need 3 messages.
    const long = (i: number) => `${String(i).padStart(6, "0")}-${"x".repeat(249)}`;
    const rows = Array.from({ length: 1000 }, (_, i) => row(long(i), 1000 + i));
    expect(JSON.stringify(rows.map(toWire)).length).toBeGreaterThan(2 * MAX_MESSAGE_BYTES);
    await sendExposures(env.EXPOSURES, rows);
    expect(queue.calls()).toBe(2); // 3 messages of ~120 KB: 2 sendBatch calls under 256 KB each
    expect(await queue.deliver()).toBe(3);
    const stored = await exposureRows(e.id);
    expect(stored).toHaveLength(1000);
    expect(stored.map((r) => r.user_id)).toEqual(rows.map((r) => r.userId).sort());
  });
});
