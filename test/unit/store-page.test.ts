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
    (r) => [r.seq],
    (r) => r.size,
    max,
  );
  return {
    seqs: result.items.map((r) => r.seq),
    next: result.next_cursor === null ? null : decodeCursor(result.next_cursor, 1),
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
