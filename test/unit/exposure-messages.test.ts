import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Exposure,
  fromMessage,
  jsonBytes,
  MAX_MESSAGE_BYTES,
  MAX_SEND_BATCH_BYTES,
  MAX_SEND_BATCH_MESSAGES,
  retryDelaySeconds,
  toMessages,
  toSendBatches,
  toWire,
} from "../../src/assignment/exposure-messages";

const row = (userId: string, exposedAt = 1): Exposure => ({
  orgId: "org",
  experimentId: "exp_1",
  userId,
  variantId: "var_1",
  exposedAt,
});

describe("toMessages", () => {
  it("keeps a typical flush (500 rows of short ids) in one message", () => {
    const rows = Array.from({ length: 500 }, (_, i) => row(`user-${i}`, i));
    const messages = toMessages(rows);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.body).toEqual({ v: 1, rows: rows.map(toWire) });
    // Far under a message's size, so it took the bound without serializing: never an under-count.
    expect(messages[0]?.bytes ?? 0).toBeGreaterThanOrEqual(jsonBytes(messages[0]?.body));
  });

  it("measures exactly once the bound exceeds a message: the size is the body's real JSON size", () => {
    const rows = Array.from({ length: 500 }, (_, i) => row(`user-${i}`, i));
    const messages = toMessages(rows, 20_000);
    expect(messages.length).toBeGreaterThan(1);
    // Give or take the one over-counted comma.
    for (const m of messages) expect(Math.abs(m.bytes - jsonBytes(m.body))).toBeLessThanOrEqual(1);
  });

  it("counts UTF-8 bytes, not characters: multi-byte ids split sooner", () => {
    const ascii = Array.from({ length: 40 }, (_, i) => row(`${i}-${"a".repeat(200)}`));
    const wide = Array.from({ length: 40 }, (_, i) => row(`${i}-${"é".repeat(200)}`));
    expect(toMessages(ascii, 5_000).length).toBeLessThan(toMessages(wide, 5_000).length);
  });

  it("every message fits, order is kept, nothing is lost or repeated (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 256, unit: "grapheme" }), { maxLength: 300 }),
        fc.integer({ min: 2_000, max: 20_000 }),
        (ids, maxBytes) => {
          const rows = ids.map((id, i) => row(id, i));
          const messages = toMessages(rows, maxBytes);
          for (const m of messages) {
            expect(m.body.rows.length).toBeGreaterThan(0);
            expect(jsonBytes(m.body)).toBeLessThanOrEqual(maxBytes);
            // sendBatch grouping adds these up: an under-count could overfill a call.
            expect(m.bytes).toBeGreaterThanOrEqual(jsonBytes(m.body) - 1);
          }
          expect(messages.flatMap((m) => fromMessage(m.body) ?? [])).toEqual(rows);
        },
      ),
    );
  });
});

describe("toSendBatches", () => {
  const sized = (bytes: number) => ({ body: { v: 1 as const, rows: [] }, bytes });

  it.each([
    { name: "one small message", sizes: [100], groups: [1] },
    { name: "two full messages fit one call", sizes: [120_000, 120_000], groups: [2] },
    { name: "a third full message starts a second call", sizes: [120_000, 120_000, 120_000], groups: [2, 1] },
    { name: "101 tiny messages: the count limit", sizes: Array(101).fill(10), groups: [100, 1] },
    { name: "none", sizes: [], groups: [] },
  ])("$name", ({ sizes, groups }) => {
    const out = toSendBatches(sizes.map(sized));
    expect(out.map((g) => g.length)).toEqual(groups);
    for (const g of out) {
      expect(g.length).toBeLessThanOrEqual(MAX_SEND_BATCH_MESSAGES);
      expect(g.reduce((n, m) => n + m.bytes, 0)).toBeLessThanOrEqual(MAX_SEND_BATCH_BYTES);
    }
  });

  it("the budgets stay under the queue's limits with its ~100 bytes of metadata per message", () => {
    expect(MAX_MESSAGE_BYTES + 100).toBeLessThanOrEqual(128_000);
    expect(MAX_SEND_BATCH_BYTES + MAX_SEND_BATCH_MESSAGES * 100).toBeLessThanOrEqual(256_000);
  });
});

describe("fromMessage", () => {
  it.each([
    ["null", null],
    ["a string", "rows"],
    ["another version", { v: 2, rows: [] }],
    ["rows not an array", { v: 1, rows: {} }],
    ["a row without a user", { v: 1, rows: [{ o: "o", e: "e", v: "v", t: 1 }] }],
    ["an empty id", { v: 1, rows: [{ o: "o", e: "e", u: "", v: "v", t: 1 }] }],
    ["a fractional time", { v: 1, rows: [{ o: "o", e: "e", u: "u", v: "v", t: 1.5 }] }],
  ])("refuses %s", (_, body) => {
    expect(fromMessage(body)).toBeNull();
  });

  it("reads a well-formed message back to rows", () => {
    expect(fromMessage({ v: 1, rows: [toWire(row("u", 7))] })).toEqual([row("u", 7)]);
  });
});

describe("retryDelaySeconds", () => {
  it.each([
    [0, 2],
    [1, 2],
    [2, 4],
    [5, 32],
    [8, 256],
    [9, 300],
    [100, 300],
  ])("attempt %i waits %i s", (attempts, seconds) => {
    expect(retryDelaySeconds(attempts)).toBe(seconds);
  });
});
