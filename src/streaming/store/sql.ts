/**
 * Small helpers shared by the store modules: typed rows, dynamic WHERE clauses (SQLite's planner
 * cannot use an index through `(? IS NULL OR col = ?)`, so filters are added only when present),
 * keyset cursors. Rows become API shapes in ../present.ts, not here.
 */

import { cursorOf, cursorValue } from "../../http/cursor";

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
 * The lists that page with these cursors, each named by the table it reads. A cursor carries its
 * list's name, so another list refuses it: GET /silences read a cursor of GET /channels (both keyed
 * on seq) as a position of its own.
 */
export type CursorList =
  | "events"
  | "predictions"
  | "alerts"
  | "channels"
  | "deliveries"
  | "silences"
  | "alert_rules"
  | "sources"
  | "metrics";

/** A list's sort key, one entry per column: "int" (seq, times) or "text" (names). */
type KeyShape = readonly ("int" | "text")[];
type KeyOf<S extends KeyShape> = { -readonly [I in keyof S]: S[I] extends "int" ? number : string };

/**
 * Keyset cursor: the list's name and the sort key of the last item returned, opaque to clients.
 * Keyset (not offset) so that a page stays correct while new rows arrive at the head of the list.
 */
function encodeCursor(list: CursorList, key: readonly (number | string)[]): string {
  return cursorOf([list, ...key]);
}

/**
 * The key of a cursor that `list` issued, in `shape`; null for any other (the route answers 400):
 * another list's, a forged one, or one from before cursors named their list.
 */
export function decodeCursor<const S extends KeyShape>(cursor: string, list: CursorList, shape: S): KeyOf<S> | null {
  const json = cursorValue(cursor);
  if (!Array.isArray(json) || json.length !== shape.length + 1 || json[0] !== list) return null;
  const key = json.slice(1);
  const fits = shape.every((kind, i) => (kind === "int" ? Number.isSafeInteger(key[i]) : typeof key[i] === "string"));
  return fits ? (key as KeyOf<S>) : null;
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
 * The first `limit` of `rows` (a lazily read `sql.exec(...)`), stopping early once the rows taken
 * hold `maxChars` of free-form JSON (`chars` of a row); `more` when a row was left. At least one row
 * is always taken, however large, so paging always advances.
 */
export function boundedRows<R>(
  rows: Iterable<R>,
  limit: number,
  chars: (row: R) => number,
  maxChars = PAGE_JSON_CHARS,
): { items: R[]; more: boolean } {
  const items: R[] = [];
  let total = 0;
  for (const row of rows) {
    if (items.length === limit || (items.length > 0 && total >= maxChars)) return { items, more: true };
    items.push(row);
    total += chars(row);
  }
  return { items, more: false };
}

/**
 * A page of `list` from `limit + 1` rows read upstream (so that the cursor is only issued when there
 * is a next page), cut early by `boundedRows`: the page is then shorter than `limit` and its cursor
 * continues after its last row, so nothing is skipped.
 */
export function toBoundedPage<R>(
  rows: Iterable<R>,
  limit: number,
  list: CursorList,
  key: (row: R) => readonly (number | string)[],
  chars: (row: R) => number,
  maxChars = PAGE_JSON_CHARS,
): Page<R> {
  const { items, more } = boundedRows(rows, limit, chars, maxChars);
  const last = items[items.length - 1];
  return { items, next_cursor: more && last !== undefined ? encodeCursor(list, key(last)) : null };
}

/** toBoundedPage without a JSON budget. */
export function toPage<R>(rows: R[], limit: number, list: CursorList, key: (row: R) => readonly (number | string)[]) {
  return toBoundedPage(rows, limit, list, key, () => 0);
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
 * `table` is a name from the code, never from a request. `scope` names a list within the table
 * (a channel's deliveries): its cursor carries it, so another channel's log refuses it, as seq
 * numbers every channel's rows.
 */
export function pageBySeq<R extends Row & { seq: number }>(
  sql: SqlStorage,
  table: "channels" | "silences" | "alert_rules" | "deliveries" | "sources",
  filter: PageFilter,
  where = new Where(),
  scope?: string,
): Page<R> | null {
  if (filter.cursor !== undefined) {
    let seq: number;
    if (scope === undefined) {
      const key = decodeCursor(filter.cursor, table, ["int"]);
      if (key === null) return null;
      seq = key[0];
    } else {
      const key = decodeCursor(filter.cursor, table, ["text", "int"]);
      if (key === null || key[0] !== scope) return null;
      seq = key[1];
    }
    where.add("seq < ?", seq);
  }
  const rows = sql
    .exec<R>(`SELECT * FROM ${table} ${where} ORDER BY seq DESC LIMIT ?`, ...where.params, filter.limit + 1)
    .toArray();
  return toPage(rows, filter.limit, table, (r) => (scope === undefined ? [r.seq] : [scope, r.seq]));
}
