import { getTableName, is } from "drizzle-orm";
import { getTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import * as schema from "../db/schema";
import { deletionOrder, type TableInfo } from "./deletion-order";

/** Rows per DELETE statement: small enough to keep each D1 write short. */
const DELETE_BATCH_ROWS = 1_000;
/** Statements per request, far below the Workers subrequest limit; the caller repeats for the rest. */
const DELETE_BATCHES_PER_CALL = 40;

/**
 * Every table of src/db/schema.ts, described for deletionOrder. Derived, not listed: a table another
 * feature adds later with an `org_id` column is covered without touching this file.
 */
function schemaTables(): TableInfo[] {
  return (Object.values(schema) as unknown[])
    .filter((value): value is SQLiteTable => is(value, SQLiteTable))
    .map((table) => {
      const config = getTableConfig(table);
      return {
        name: config.name,
        hasOrgId: config.columns.some((c) => c.name === "org_id"),
        parents: config.foreignKeys.map((fk) => getTableName(fk.reference().foreignTable)),
      };
    });
}

export const ORG_TABLES: readonly string[] = deletionOrder(schemaTables());

export interface D1Progress {
  rows: number;
  done: boolean;
}

/** Deletes up to DELETE_BATCHES_PER_CALL batches of the organization's rows; `done` once none are left. */
export async function deleteOrgRows(db: D1Database, org: string): Promise<D1Progress> {
  let rows = 0;
  let batches = 0;
  for (const table of ORG_TABLES) {
    for (;;) {
      if (batches >= DELETE_BATCHES_PER_CALL) return { rows, done: false };
      batches++;
      // Table names come from the schema, never from input.
      const result = await db
        .prepare(
          `DELETE FROM "${table}" WHERE rowid IN (SELECT rowid FROM "${table}" WHERE org_id = ? LIMIT ${DELETE_BATCH_ROWS})`,
        )
        .bind(org)
        .run();
      const changed = result.meta.changes ?? 0;
      rows += changed;
      if (changed < DELETE_BATCH_ROWS) break;
    }
  }
  return { rows, done: true };
}
