/**
 * Audit rows in D1. Writers never insert history on their own: they add `auditStatement(...)` to
 * the batch that makes the change, so the change and its trace commit (or fail) together.
 */
import { and, desc, eq, lt } from "drizzle-orm";
import type { Db } from "../db/client";
import { type AuditRow, auditLog } from "../db/schema";
import type { AuditAction, AuditEntityType, Changes } from "./model";

export interface AuditEntry {
  orgId: string;
  entityType: AuditEntityType;
  entityId: string;
  at: number;
  actor: string;
  action: AuditAction;
  changes: Changes;
  reason?: string | null;
}

const INSERT = `INSERT INTO audit_log (org_id, entity_type, entity_id, at, actor, action, changes, reason)
  SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8`;

/**
 * The INSERT for one entry. `afterGuard`: only when the batch's previous statement changed a row.
 * Guarded writes (UPDATE ... WHERE status = ?) may lose a race and change nothing; SQLite's
 * changes() reads the row count of the statement just before in the same transaction, so a write
 * that did not happen leaves no history.
 */
export function auditStatement(db: Db, entry: AuditEntry, options: { afterGuard?: boolean } = {}): D1PreparedStatement {
  const where = options.afterGuard ? " WHERE changes() > 0" : "";
  return db.$client
    .prepare(INSERT + where)
    .bind(
      entry.orgId,
      entry.entityType,
      entry.entityId,
      entry.at,
      entry.actor,
      entry.action,
      JSON.stringify(entry.changes),
      entry.reason ?? null,
    );
}

export interface HistoryPage {
  limit: number;
  /** Rows older than this id (the previous page's last). */
  before?: number | undefined;
}

/** One entity's history, newest first; one row more than asked tells whether a page follows. */
export function listHistory(
  db: Db,
  orgId: string,
  entityType: AuditEntityType,
  entityId: string,
  page: HistoryPage,
): Promise<AuditRow[]> {
  const conds = [eq(auditLog.orgId, orgId), eq(auditLog.entityType, entityType), eq(auditLog.entityId, entityId)];
  if (page.before !== undefined) conds.push(lt(auditLog.id, page.before));
  return db
    .select()
    .from(auditLog)
    .where(and(...conds))
    .orderBy(desc(auditLog.id))
    .limit(page.limit + 1);
}
