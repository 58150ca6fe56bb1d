import { afterEach, describe, expect, it, vi } from "vitest";
import { ExposureBuffer, MAX_BATCH_ROWS } from "../../src/assignment/exposures";
import type { ExposureRow } from "../../src/db/schema";

const row = (userId: string, exposedAt = 1, experimentId = "e1"): ExposureRow => ({
  orgId: "o",
  experimentId,
  userId,
  variantId: "v",
  exposedAt,
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe("ExposureBuffer", () => {
  it("coalesces concurrent adds into one write, first row per pair", async () => {
    const writes: ExposureRow[][] = [];
    const buffer = new ExposureBuffer(async (rows) => void writes.push([...rows]), { delayMs: 5 });
    await Promise.all([
      buffer.add([row("u1", 10)]),
      buffer.add([row("u2", 20), row("u1", 30)]),
      buffer.add([row("u1", 40, "e2")]),
    ]);
    expect(writes).toEqual([[row("u1", 10), row("u2", 20), row("u1", 40, "e2")]]);
  });

  it("does not send a pair it has already stored", async () => {
    const write = vi.fn(async (_rows: readonly ExposureRow[]) => {});
    const buffer = new ExposureBuffer(write, { delayMs: 1 });
    await buffer.add([row("u1")]);
    await buffer.add([row("u1"), row("u2")]);
    expect(write.mock.calls.map(([rows]) => rows.map((r) => r.userId))).toEqual([["u1"], ["u2"]]);
    expect(buffer.stats).toMatchObject({ enqueued: 3, sent: 2, skippedKnown: 1, sends: 2 });
  });

  it("remembers the most recent pairs across its bound (two generations), forgetting only the oldest", async () => {
    let sent = 0;
    const buffer = new ExposureBuffer(
      async (rows) => {
        sent += rows.length;
      },
      { delayMs: 60_000 },
    );
    const users = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => row(`u${from + i}`));
    // Full batches flush at once: 55,000 distinct pairs, over the 50,000 the buffer may hold.
    for (let i = 0; i < 55_000; i += MAX_BATCH_ROWS) await buffer.add(users(i, i + MAX_BATCH_ROWS));
    expect(sent).toBe(55_000);
    // The newest 25,000 (and more) are still known: re-adding them sends nothing.
    for (let i = 30_000; i < 55_000; i += MAX_BATCH_ROWS) buffer.add(users(i, i + MAX_BATCH_ROWS));
    expect(sent).toBe(55_000);
    expect(buffer.stats.skippedKnown).toBe(25_000);
    // The oldest generation was dropped: bounded memory, so these go out again.
    await buffer.add(users(0, MAX_BATCH_ROWS));
    expect(sent).toBe(55_000 + MAX_BATCH_ROWS);
  });

  it("a batch whose flush never runs (its request was torn down) is taken over by the next add after 1 s", async () => {
    vi.useFakeTimers();
    let now = 0;
    const writes: string[][] = [];
    const buffer = new ExposureBuffer(async (rows) => void writes.push(rows.map((r) => r.userId)), {
      delayMs: 25,
      now: () => now,
    });
    // The opener's timer is lost with its request: cancel it the way workerd would.
    expect(buffer.add([row("u1")])).toBeInstanceOf(Promise);
    vi.clearAllTimers();
    now += 999;
    expect(buffer.add([row("u2")])).toBeUndefined(); // still young: the opener covers it
    now += 1;
    const takeover = buffer.add([row("u3")]);
    expect(takeover).toBeInstanceOf(Promise);
    await vi.advanceTimersByTimeAsync(25);
    await takeover;
    expect(writes).toEqual([["u1", "u2", "u3"]]);
  });

  it("a batch taken over is sent once even if its first timer fires after all", async () => {
    vi.useFakeTimers();
    let now = 0;
    const writes: string[][] = [];
    const buffer = new ExposureBuffer(async (rows) => void writes.push(rows.map((r) => r.userId)), {
      delayMs: 5_000, // a timer that runs very late, as on an isolate stalled for seconds
      now: () => now,
    });
    const first = buffer.add([row("u1")]);
    now += 1_000;
    const second = buffer.add([row("u2")]);
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all([first, second]);
    expect(writes).toEqual([["u1", "u2"]]);
  });

  it("flushes at once when a batch is full", async () => {
    const sizes: number[] = [];
    const buffer = new ExposureBuffer(async (rows) => void sizes.push(rows.length), { delayMs: 60_000 });
    const rows = Array.from({ length: MAX_BATCH_ROWS }, (_, i) => row(`u${i}`));
    await buffer.add(rows);
    expect(sizes).toEqual([MAX_BATCH_ROWS]);
  });

  it("retries a failed write, then succeeds without reporting a drop", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    let calls = 0;
    const buffer = new ExposureBuffer(
      async () => {
        if (++calls < 3) throw new Error("D1 busy");
      },
      { delayMs: 1, retryDelaysMs: [1, 1, 1] },
    );
    await buffer.add([row("u1")]);
    expect(calls).toBe(3);
    expect(buffer.stats).toMatchObject({ failedAttempts: 2, sent: 1, dropped: 0 });
    expect(errors).not.toHaveBeenCalled();
  });

  it("after the last retry, drops the batch with a structured error naming the count; add never rejects", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const write = vi.fn(async (): Promise<void> => {
      throw new Error("D1 down");
    });
    const buffer = new ExposureBuffer(write, { delayMs: 1, retryDelaysMs: [1, 1] });
    await expect(buffer.add([row("u1"), row("u2")])).resolves.toBeUndefined();
    expect(write).toHaveBeenCalledTimes(3);
    expect(buffer.stats.dropped).toBe(2);
    const logged = JSON.parse(String(errors.mock.calls[0]?.[0]));
    expect(logged).toMatchObject({ level: "error", event: "exposures_dropped", dropped: 2, attempts: 3 });
    // Not remembered as stored: the next answer for these users tries again.
    write.mockImplementation(async () => {});
    await buffer.add([row("u1")]);
    expect(buffer.stats.sent).toBe(1);
  });
});
