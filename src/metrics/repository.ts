/**
 * Metric definitions in D1; every statement is filtered by organization. Every write goes out as
 * one batch with its audit row (src/audit), and updates and deletes are guarded in SQL, so a lost
 * race changes nothing and records nothing.
 */
import { and, desc, eq, lt, or, type SQL, sql } from "drizzle-orm";
import { type AuditEntry, auditStatement } from "../audit/repository";
import type { Db } from "../db/client";
import { guardUnique } from "../db/errors";
import { type MetricDefinitionRow, metricDefinitions } from "../db/schema";
import { batch, changesOf, statementOf } from "../db/d1";
import type { Position } from "../http/cursor";
import { keyTaken } from "../http/problem";

const DUPLICATE_KEY = /UNIQUE constraint failed: metric_definitions\.org_id, metric_definitions\.key/;

/** `key`: the key the write stores (none: it keeps its key, which cannot collide). */
const guardDuplicate = <T>(work: Promise<T>, key: string | undefined) =>
  guardUnique(work, [DUPLICATE_KEY, key, (k) => keyTaken("a metric", k, "/api/v1/ab-testing/metrics")]);

export async function insertMetric(db: Db, row: MetricDefinitionRow, audit: AuditEntry): Promise<void> {
  await guardDuplicate(
    batch(db, [statementOf(db, db.insert(metricDefinitions).values(row)), auditStatement(db, audit)]),
    row.key,
  );
}

export async function getMetric(db: Db, orgId: string, id: string): Promise<MetricDefinitionRow | null> {
  const [row] = await db
    .select()
    .from(metricDefinitions)
    .where(and(eq(metricDefinitions.orgId, orgId), eq(metricDefinitions.id, id)));
  return row ?? null;
}

/** Newest first, keyset-paginated on (created_at, id); one row more than asked tells if a page follows. */
export async function listMetrics(db: Db, orgId: string, limit: number, after?: Position, key?: string) {
  const conds: (SQL | undefined)[] = [eq(metricDefinitions.orgId, orgId)];
  if (key) conds.push(eq(metricDefinitions.key, key));
  if (after) {
    conds.push(
      or(
        lt(metricDefinitions.createdAt, after.createdAt),
        and(eq(metricDefinitions.createdAt, after.createdAt), lt(metricDefinitions.id, after.id)),
      ),
    );
  }
  return db
    .select()
    .from(metricDefinitions)
    .where(and(...conds))
    .orderBy(desc(metricDefinitions.createdAt), desc(metricDefinitions.id))
    .limit(limit + 1);
}

export type MetricFields = Partial<Omit<MetricDefinitionRow, "id" | "orgId" | "createdAt">>;

/**
 * Applies the fields only if the metric is unchanged since it was read (`expectedUpdatedAt`), so a
 * check made on the read row (currency against format) still holds and the audit's `from` values
 * are exactly what was replaced. False when another write came first (nothing changed, no history).
 */
export async function updateMetric(
  db: Db,
  orgId: string,
  id: string,
  expectedUpdatedAt: number,
  fields: MetricFields,
  audit: AuditEntry,
  /**
   * The key a rename moves away from: the update then applies only while no running or paused
   * experiment reads it, checked in the same statement, so an experiment started between the
   * service's check and this write cannot be left reading a key that no longer exists.
   */
  renamedFrom?: string,
): Promise<boolean> {
  const update = db
    .update(metricDefinitions)
    .set(fields)
    .where(
      and(
        eq(metricDefinitions.orgId, orgId),
        eq(metricDefinitions.id, id),
        eq(metricDefinitions.updatedAt, expectedUpdatedAt),
        renamedFrom === undefined ? undefined : sql`NOT EXISTS (${liveReaders(orgId, renamedFrom)})`,
      ),
    );
  const [result] = await guardDuplicate(
    batch(db, [statementOf(db, update), auditStatement(db, audit, { afterGuard: true })]),
    fields.key,
  );
  return changesOf(result) === 1;
}

/**
 * Keys of the running or paused experiments that read this metric key, in any role (at most
 * `limit`): a rename would move their reading to an undefined metric under their feet.
 */
export async function liveExperimentsReading(db: Db, orgId: string, key: string, limit = 6): Promise<string[]> {
  const rows = await db.all<{ key: string }>(sql`${liveReaders(orgId, key)} ORDER BY key LIMIT ${limit}`);
  return rows.map((r) => r.key);
}

/** The running or paused experiments of the org that read metric `key` in any role. */
const liveReaders = (orgId: string, key: string) => sql`SELECT key FROM experiments
  WHERE org_id = ${orgId} AND status IN ('running', 'paused')
    AND (primary_metric = ${key}
         OR EXISTS (SELECT 1 FROM json_each(secondary_metrics) WHERE value = ${key})
         OR EXISTS (SELECT 1 FROM json_each(guardrail_metrics) WHERE value = ${key}))`;

export async function deleteMetric(db: Db, orgId: string, id: string, audit: AuditEntry): Promise<boolean> {
  const remove = db
    .delete(metricDefinitions)
    .where(and(eq(metricDefinitions.orgId, orgId), eq(metricDefinitions.id, id)));
  const [result] = await batch(db, [statementOf(db, remove), auditStatement(db, audit, { afterGuard: true })]);
  return changesOf(result) === 1;
}
