/**
 * Flags in D1. Every write goes out as one batch with its audit row (src/audit), and every
 * update or delete is guarded in SQL so a lost race changes nothing and records nothing.
 */
import { and, desc, eq, lt, or, type SQL, sql } from "drizzle-orm";
import { type AuditEntry, auditStatement } from "../audit/repository";
import type { Db } from "../db/client";
import { type FlagRow, flags } from "../db/schema";
import { batch, changesOf, statementOf } from "../db/d1";
import { guardUnique } from "../db/errors";
import { keyTaken } from "../http/problem";

const DUPLICATE_KEY = /UNIQUE constraint failed: flags\.org_id, flags\.key/;

/** `key`: the key the write stores (none: it keeps its key, which cannot collide). */
const guardDuplicate = <T>(work: Promise<T>, key: string | undefined) =>
  guardUnique(work, [DUPLICATE_KEY, key, (k) => keyTaken("a flag", k, "/api/v1/ab-testing/flags")]);

/**
 * A JSON `null` default (a `json` flag may default to it) as the text `null`: drizzle writes a null
 * value as SQL NULL, which the NOT NULL column refuses, while the text reads back as `null`.
 */
const storedDefault = <T>(value: T) => (value === null ? sql`'null'` : value);

export async function insertFlag(db: Db, row: FlagRow, audit: AuditEntry): Promise<void> {
  const insert = db.insert(flags).values({ ...row, defaultValue: storedDefault(row.defaultValue) });
  await guardDuplicate(batch(db, [statementOf(db, insert), auditStatement(db, audit)]), row.key);
}

export async function getFlag(db: Db, orgId: string, id: string): Promise<FlagRow | null> {
  const [row] = await db
    .select()
    .from(flags)
    .where(and(eq(flags.orgId, orgId), eq(flags.id, id)));
  return row ?? null;
}

export async function listFlags(
  db: Db,
  orgId: string,
  page: { limit: number; key?: string | undefined; after?: { createdAt: number; id: string } | undefined },
): Promise<FlagRow[]> {
  const conds: (SQL | undefined)[] = [eq(flags.orgId, orgId)];
  if (page.key) conds.push(eq(flags.key, page.key));
  if (page.after) {
    const { createdAt, id } = page.after;
    conds.push(or(lt(flags.createdAt, createdAt), and(eq(flags.createdAt, createdAt), lt(flags.id, id))));
  }
  return db
    .select()
    .from(flags)
    .where(and(...conds))
    .orderBy(desc(flags.createdAt), desc(flags.id))
    .limit(page.limit + 1);
}

export type FlagFields = Partial<
  Pick<FlagRow, "key" | "description" | "valueType" | "defaultValue" | "enabled" | "rules">
>;

/**
 * Applies `fields` only if the flag is still as the caller read it (same updated_at): the audit's
 * `from` values are then exactly what was replaced. False when another write came first.
 */
export async function updateFlag(
  db: Db,
  orgId: string,
  id: string,
  expectedUpdatedAt: number,
  fields: FlagFields & { updatedAt: number },
  audit: AuditEntry,
): Promise<boolean> {
  const update = db
    .update(flags)
    .set({ ...fields, defaultValue: storedDefault(fields.defaultValue) })
    .where(and(eq(flags.orgId, orgId), eq(flags.id, id), eq(flags.updatedAt, expectedUpdatedAt)));
  const [result] = await guardDuplicate(
    batch(db, [statementOf(db, update), auditStatement(db, audit, { afterGuard: true })]),
    fields.key,
  );
  return changesOf(result) === 1;
}

export async function deleteFlag(db: Db, orgId: string, id: string, audit: AuditEntry): Promise<boolean> {
  const remove = db.delete(flags).where(and(eq(flags.orgId, orgId), eq(flags.id, id)));
  const [result] = await batch(db, [statementOf(db, remove), auditStatement(db, audit, { afterGuard: true })]);
  return changesOf(result) === 1;
}
