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

/** Reads `limit + 1` rows upstream so that the cursor is only issued when there is a next page. */
export function toPage<R>(rows: R[], limit: number, key: (row: R) => number[]): Page<R> {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page,
    next_cursor: rows.length > limit && last !== undefined ? encodeCursor(key(last)) : null,
  };
}
