/**
 * Small helpers shared by the store modules: typed rows, dynamic WHERE clauses (SQLite's planner
 * cannot use an index through `(? IS NULL OR col = ?)`, so filters are added only when present),
 * keyset cursors. Rows become API shapes in ../present.ts, not here.
 */

import { base64url } from "jose";

export type Row = Record<string, SqlStorageValue>;

/** Conditions joined by AND, with their bindings in order. */
export class Where {
  private readonly parts: string[] = [];
  readonly params: SqlStorageValue[] = [];

  add(condition: string, ...params: SqlStorageValue[]): this {
    this.parts.push(condition);
    this.params.push(...params);
    return this;
  }

  toString(): string {
    return this.parts.length === 0 ? "" : `WHERE ${this.parts.join(" AND ")}`;
  }
}

/**
 * Keyset cursor: the sort key of the last item returned, opaque to clients. Keyset (not offset)
 * so that a page stays correct while new rows arrive at the head of the list.
 */
function encodeCursor(key: readonly number[]): string {
  return base64url.encode(JSON.stringify(key));
}

/** Null when the cursor is not one we issued (the route answers 400). */
export function decodeCursor(cursor: string, length: number): number[] | null {
  try {
    const json: unknown = JSON.parse(new TextDecoder().decode(base64url.decode(cursor)));
    if (!Array.isArray(json) || json.length !== length || !json.every((n) => Number.isSafeInteger(n))) return null;
    return json as number[];
  } catch {
    return null;
  }
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/**
 * Free-form JSON (event payloads, predictions and their features) a page or a dashboard list may
 * carry, in characters. Rows may hold up to the 1 MiB request body each, so 500 of them would pass
 * the 32 MiB an RPC answer may carry (a 500 for GET /events) and the object's memory long before.
 */
export const PAGE_JSON_CHARS = 4 * 1024 * 1024;

/**
 * toPage over a lazily read cursor (`sql.exec(...)` with `limit + 1` rows), stopping early once the
 * rows read hold `maxChars` of free-form JSON (`chars` of a row): the page is then shorter than
 * `limit` and its cursor continues after its last row, so nothing is skipped. At least one row is
 * always returned, however large, so paging always advances.
 */
export function toBoundedPage<R>(
  rows: Iterable<R>,
  limit: number,
  key: (row: R) => number[],
  chars: (row: R) => number,
  maxChars = PAGE_JSON_CHARS,
): Page<R> {
  const items: R[] = [];
  let total = 0;
  let more = false;
  for (const row of rows) {
    if (items.length === limit || (items.length > 0 && total >= maxChars)) {
      more = true;
      break;
    }
    items.push(row);
    total += chars(row);
  }
  const last = items[items.length - 1];
  return { items, next_cursor: more && last !== undefined ? encodeCursor(key(last)) : null };
}

/** Reads `limit + 1` rows upstream so that the cursor is only issued when there is a next page. */
export function toPage<R>(rows: R[], limit: number, key: (row: R) => number[]): Page<R> {
  return toBoundedPage(rows, limit, key, () => 0);
}

/** `limit` (1-500, checked by the route's ListQuery) and the `cursor` of the previous page. */
export interface PageFilter {
  limit: number;
  cursor?: string | undefined;
}

/**
 * One page of a table numbered by `seq` (its INTEGER PRIMARY KEY, so in creation order), newest
 * first, after the cursor's row, among the rows `where` keeps; null for a cursor we did not issue.
 * Keyset on `seq`: a row created or deleted between two pages neither repeats nor hides another.
 * `table` is a name from the code, never from a request.
 */
export function pageBySeq<R extends Row & { seq: number }>(
  sql: SqlStorage,
  table: "channels" | "silences" | "alert_rules" | "deliveries" | "sources",
  filter: PageFilter,
  where = new Where(),
): Page<R> | null {
  if (filter.cursor !== undefined) {
    const key = decodeCursor(filter.cursor, 1);
    if (key === null) return null;
    where.add("seq < ?", key[0] ?? 0);
  }
  const rows = sql
    .exec<R>(`SELECT * FROM ${table} ${where} ORDER BY seq DESC LIMIT ?`, ...where.params, filter.limit + 1)
    .toArray();
  return toPage(rows, filter.limit, (r) => [r.seq]);
}
