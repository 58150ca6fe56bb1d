import { base64url } from "jose";
import { describe, expect, it } from "vitest";
import { decodeCursor, toBoundedPage } from "../../src/streaming/store/sql";

/** Rows as the store reads them, newest first: `seq` is the key, `size` the JSON they carry. */
const rows = (sizes: number[]) => sizes.map((size, i) => ({ seq: sizes.length - i, size }));
const page = (sizes: number[], limit: number, max: number) => {
  const read = rows(sizes);
  let consumed = 0;
  // A lazy cursor, as sql.exec gives: counts what the page actually read.
  const cursor = (function* () {
    for (const r of read) {
      consumed++;
      yield r;
    }
  })();
  const result = toBoundedPage(
    cursor,
    limit,
    "events",
    (r) => [r.seq],
    (r) => r.size,
    max,
  );
  return {
    seqs: result.items.map((r) => r.seq),
    next: result.next_cursor === null ? null : decodeCursor(result.next_cursor, "events", ["int"]),
    consumed,
  };
};

describe("toBoundedPage: a page of at most `limit` rows, cut early once their JSON passes the budget", () => {
  it.each([
    // sizes (limit + 1 rows read upstream when there are more), limit, budget → rows, next cursor
    { sizes: [1, 1, 1], limit: 5, max: 100, seqs: [3, 2, 1], next: null },
    { sizes: [1, 1, 1, 1], limit: 3, max: 100, seqs: [4, 3, 2], next: [2] },
    { sizes: [60, 60, 60], limit: 5, max: 100, seqs: [3, 2], next: [2] },
    { sizes: [50, 50, 1], limit: 5, max: 100, seqs: [3, 2], next: [2] },
    { sizes: [50, 49, 1], limit: 5, max: 100, seqs: [3, 2, 1], next: null },
    // One row over the budget still makes a page: paging always advances.
    { sizes: [500, 1], limit: 5, max: 100, seqs: [2], next: [2] },
    { sizes: [500], limit: 5, max: 100, seqs: [1], next: null },
    { sizes: [], limit: 5, max: 100, seqs: [], next: null },
  ])("$sizes, limit $limit, budget $max", ({ sizes, limit, max, seqs, next }) => {
    const got = page(sizes, limit, max);
    expect(got.seqs).toEqual(seqs);
    expect(got.next).toEqual(next);
  });

  it("reads no further than the row that proves there is a next page", () => {
    expect(page([60, 60, 60, 60, 60], 500, 100).consumed).toBe(3);
    expect(page([1, 1, 1, 1, 1], 2, 100).consumed).toBe(3);
  });
});

describe("decodeCursor: the key of a cursor its own list gave, null for any other", () => {
  const spelled = (json: unknown) => base64url.encode(JSON.stringify(json));
  const issued = (key: (number | string)[]) =>
    toBoundedPage(
      [{ key }, { key }],
      1,
      "metrics",
      (r) => r.key,
      () => 0,
    ).next_cursor as string;
  it.each([
    { cursor: issued(["cpu"]), shape: ["text"] as const, key: ["cpu"] },
    { cursor: issued([7, 3]), shape: ["int", "int"] as const, key: [7, 3] },
    { cursor: spelled(["metrics", "a/b:c"]), shape: ["text"] as const, key: ["a/b:c"] },
    // Another list's cursor, even one of the same shape.
    { cursor: spelled(["channels", 5]), shape: ["int"] as const, key: null },
    { cursor: spelled(["alert_rules", "cpu"]), shape: ["text"] as const, key: null },
    // From before cursors named their list: [seq] and [ts, seq].
    { cursor: spelled([5]), shape: ["int"] as const, key: null },
    { cursor: spelled([5, 6]), shape: ["int"] as const, key: null },
    // The right list with a key of the wrong shape.
    { cursor: spelled(["metrics", 5]), shape: ["text"] as const, key: null },
    { cursor: spelled(["metrics", "5"]), shape: ["int"] as const, key: null },
    { cursor: spelled(["metrics", 1.5]), shape: ["int"] as const, key: null },
    { cursor: spelled(["metrics", 2 ** 60]), shape: ["int"] as const, key: null },
    { cursor: spelled(["metrics"]), shape: ["text"] as const, key: null },
    { cursor: spelled(["metrics", "a", "b"]), shape: ["text"] as const, key: null },
    { cursor: spelled({ metrics: "a" }), shape: ["text"] as const, key: null },
    // Not a cursor at all.
    { cursor: "garbage!", shape: ["text"] as const, key: null },
    { cursor: base64url.encode('["metrics",'), shape: ["text"] as const, key: null },
  ])("$cursor as $shape → $key", ({ cursor, shape, key }) => {
    expect(decodeCursor(cursor, "metrics", shape)).toEqual(key);
  });
});
