/**
 * Results in D1: set-based inserts (one JSON parameter per statement) and the SQL aggregates the
 * analysis is computed from (statements in analysis-sql.ts, which explains the org filter).
 */
import type { Db } from "../db/client";
import type { SumAggregates } from "../stats";
import { ANALYSIS_SQL, EXPOSURES_SQL, SHIFTED_SUMS_SQL } from "./analysis-sql";
import { batch, changesOf, chunks, constraintViolated } from "./sql";

export const RESULT_CHUNK = 1000;

export interface NewResult {
  metricName: string;
  metricValue: number;
  userId: string | null;
  /** Explicit variant; null lets the user's exposure decide. */
  variantId: string | null;
  recordedAt: number;
}

// variant_id resolves to NULL for an unknown variant or an unexposed user; the column is NOT NULL,
// so such a row aborts the whole batch (a D1 batch is one transaction): nothing is half-stored.
const INSERT_RESULTS = `
  INSERT INTO results (org_id, experiment_id, variant_id, user_id, metric_name, metric_value, recorded_at)
  SELECT ?2, ?3,
    CASE WHEN j.value ->> '$.v' IS NOT NULL
      THEN (SELECT id FROM variants WHERE id = j.value ->> '$.v' AND experiment_id = ?3 AND org_id = ?2)
      ELSE (SELECT variant_id FROM exposures WHERE experiment_id = ?3 AND user_id = j.value ->> '$.u' AND org_id = ?2)
    END,
    j.value ->> '$.u', j.value ->> '$.m', j.value ->> '$.x', j.value ->> '$.t'
  FROM json_each(?1) AS j
  WHERE EXISTS (SELECT 1 FROM experiments WHERE id = ?3 AND org_id = ?2 AND status <> 'draft')`;

const UNATTRIBUTED = /NOT NULL constraint failed: results\.variant_id/;

export type InsertOutcome = { ok: true; inserted: number } | { ok: false; reason: "unattributed" };

export async function insertResults(
  db: Db,
  orgId: string,
  experimentId: string,
  rows: readonly NewResult[],
): Promise<InsertOutcome> {
  const statements = chunks(rows, RESULT_CHUNK).map((chunk) => {
    const json = chunk.map((r) => ({
      m: r.metricName,
      x: r.metricValue,
      u: r.userId,
      v: r.variantId,
      t: r.recordedAt,
    }));
    return db.$client.prepare(INSERT_RESULTS).bind(JSON.stringify(json), orgId, experimentId);
  });
  try {
    const results = await batch(db, statements);
    return { ok: true, inserted: results.reduce((n, r) => n + changesOf(r), 0) };
  } catch (err) {
    if (constraintViolated(err, UNATTRIBUTED)) return { ok: false, reason: "unattributed" };
    throw err;
  }
}

/** Which of `userIds` have no exposure in the experiment (one primary-key probe per user). */
export async function findUnexposedUsers(db: Db, orgId: string, experimentId: string, userIds: readonly string[]) {
  const { results } = await db.$client
    .prepare(
      `SELECT DISTINCT j.value AS user_id FROM json_each(?1) AS j
       WHERE NOT EXISTS (SELECT 1 FROM exposures x WHERE x.experiment_id = ?2 AND x.user_id = j.value AND x.org_id = ?3)`,
    )
    .bind(JSON.stringify(userIds), experimentId, orgId)
    .all<{ user_id: string }>();
  return new Set(results.map((r) => r.user_id));
}

export interface GroupAggregates extends SumAggregates {
  metric_name: string;
  variant_id: string;
}

/** Per (metric, variant) COUNT/SUM/SUM(v²)/MIN/MAX and exposures per variant, in one round trip. */
export async function loadAggregates(db: Db, orgId: string, experimentId: string) {
  const d1 = db.$client;
  const [metrics, exposures] = await batch(db, [
    d1.prepare(ANALYSIS_SQL).bind(experimentId, orgId),
    d1.prepare(EXPOSURES_SQL).bind(experimentId, orgId),
  ]);
  const exposureRows = (exposures?.results ?? []) as { variant_id: string; users: number }[];
  return {
    groups: (metrics?.results ?? []) as GroupAggregates[],
    exposures: new Map(exposureRows.map((r) => [r.variant_id, r.users])),
  };
}

/** Σ(v − shift) and Σ(v − shift)² for the groups whose one-pass variance is not precise enough. */
export async function shiftedSums(
  db: Db,
  orgId: string,
  experimentId: string,
  groups: readonly { metric_name: string; variant_id: string; shift: number }[],
): Promise<{ sumD: number; sumD2: number }[]> {
  const statements = groups.map((g) =>
    db.$client.prepare(SHIFTED_SUMS_SQL).bind(experimentId, orgId, g.metric_name, g.variant_id, g.shift),
  );
  const results = await batch(db, statements);
  return results.map((r) => (r.results[0] as { sumD: number; sumD2: number } | undefined) ?? { sumD: 0, sumD2: 0 });
}
