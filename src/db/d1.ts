/**
 * Raw D1 helpers for the set-based statements drizzle's builder cannot express
 * (INSERT ... SELECT FROM json_each(?), conditional multi-statement batches).
 */
import type { Db } from "./client";

export { constraintViolated } from "./errors";

/** A drizzle query as a D1 statement, so it can join a native (atomic) D1 batch. */
export function statementOf(db: Db, query: { toSQL(): { sql: string; params: unknown[] } }): D1PreparedStatement {
  const { sql, params } = query.toSQL();
  return db.$client.prepare(sql).bind(...params);
}

/** Runs statements as one D1 batch: a single transaction, all or nothing. */
export async function batch(db: Db, statements: D1PreparedStatement[]): Promise<D1Result[]> {
  if (statements.length === 0) return [];
  return db.$client.batch(statements);
}

export const changesOf = (r: D1Result | undefined): number => r?.meta.changes ?? 0;

/**
 * The updated_at of a guarded write (experiments, flags, metric definitions): its clock, but always
 * past the stored one, so a concurrent writer's `updated_at = <what it read>` guard sees every
 * change, two in one millisecond too. Writers that do not read the row first write
 * `max(<clock>, updated_at + 1)` in SQL.
 */
export const nextUpdatedAt = (stored: number, now: number): number => Math.max(now, stored + 1);

/** Every value of one statement's JSON parameter, split so no single parameter grows unbounded. */
export function chunks<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
