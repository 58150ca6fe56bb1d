/** Metric definitions in D1; every statement is filtered by organization. */
import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { constraintViolated } from "../db/errors";
import { type MetricDefinitionRow, metricDefinitions } from "../db/schema";
import type { Position } from "../http/cursor";
import { conflict } from "../http/problem";

const DUPLICATE_KEY = /UNIQUE constraint failed: metric_definitions\.org_id, metric_definitions\.key/;

async function guardDuplicate<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (constraintViolated(err, DUPLICATE_KEY)) throw conflict("a metric with this key already exists");
    throw err;
  }
}

export async function insertMetric(db: Db, row: MetricDefinitionRow): Promise<void> {
  await guardDuplicate(db.insert(metricDefinitions).values(row));
}

export async function getMetric(db: Db, orgId: string, id: string): Promise<MetricDefinitionRow | null> {
  const [row] = await db
    .select()
    .from(metricDefinitions)
    .where(and(eq(metricDefinitions.orgId, orgId), eq(metricDefinitions.id, id)));
  return row ?? null;
}

/** Newest first, keyset-paginated on (created_at, id); one row more than asked tells if a page follows. */
export async function listMetrics(db: Db, orgId: string, limit: number, after?: Position) {
  const conds: (SQL | undefined)[] = [eq(metricDefinitions.orgId, orgId)];
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
 * check made on the read row (currency against format) still holds; the stored row, or null.
 */
export async function updateMetric(db: Db, orgId: string, id: string, expectedUpdatedAt: number, fields: MetricFields) {
  const [row] = await guardDuplicate(
    db
      .update(metricDefinitions)
      .set(fields)
      .where(
        and(
          eq(metricDefinitions.orgId, orgId),
          eq(metricDefinitions.id, id),
          eq(metricDefinitions.updatedAt, expectedUpdatedAt),
        ),
      )
      .returning(),
  );
  return row ?? null;
}

export async function deleteMetric(db: Db, orgId: string, id: string): Promise<boolean> {
  const deleted = await db
    .delete(metricDefinitions)
    .where(and(eq(metricDefinitions.orgId, orgId), eq(metricDefinitions.id, id)))
    .returning({ id: metricDefinitions.id });
  return deleted.length === 1;
}
