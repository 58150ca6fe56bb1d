/**
 * Results in D1: set-based inserts (one JSON parameter per statement; triggers fold each row into
 * user_metric_values) and the SQL sums the analysis is computed from (statements in analysis-sql.ts).
 */
import type { Db } from "../db/client";
import type { CappingType, Direction, MetricFormat, MetricKind } from "../metrics/model";
import type { ArmSums, BinomialReadingRow, ValueReadingRow } from "./analysis-moments";
import {
  ANONYMOUS_SQL,
  DEFINITIONS_SQL,
  EVENT_MOMENTS_SQL,
  EVENT_OVERVIEW_SQL,
  EVENT_VALUE_AT_SQL,
  EVENT_TIMESERIES_SQL,
  EXPOSURES_BY_DAY_COVARIATE_SQL,
  EXPOSURES_BY_DAY_SQL,
  EXPOSURES_SQL,
  METRIC_NAMES_SQL,
  METRIC_SAMPLE_SQL,
  USER_BINOMIAL_READING_SQL,
  USER_MOMENTS_SQL,
  USER_TIMESERIES_COVARIATE_SQL,
  USER_TIMESERIES_SQL,
  USER_VALUE_AT_SQL,
  USER_VALUE_READING_SQL,
} from "./analysis-sql";
import type { DayDelta, DayExposures } from "./timeseries";
import { batch, chunks, constraintViolated } from "../db/d1";

const RESULT_CHUNK = 1000;

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
  WHERE EXISTS (SELECT 1 FROM experiments WHERE id = ?3 AND org_id = ?2 AND status <> 'draft')
  RETURNING 1 AS stored`;

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
    // Counted from RETURNING: D1's meta.changes also counts the rows the fold trigger writes.
    return { ok: true, inserted: results.reduce((n, r) => n + (r.results?.length ?? 0), 0) };
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

interface EventOverview {
  metric_name: string;
  rows: number;
  sum: number;
}

/**
 * Everything the analysis needs before it reads the metrics: one round trip of index probes
 * and small reads (the metric names by skip scan, a bounded sample, the catalogue).
 */
export async function loadOverview(db: Db, orgId: string, experimentId: string) {
  const d1 = db.$client;
  const [exposures, names, sample, anonymous, events, definitions] = await batch(db, [
    d1.prepare(EXPOSURES_SQL).bind(experimentId, orgId),
    d1.prepare(METRIC_NAMES_SQL).bind(experimentId, orgId),
    d1.prepare(METRIC_SAMPLE_SQL).bind(experimentId, orgId),
    d1.prepare(ANONYMOUS_SQL).bind(experimentId, orgId),
    d1.prepare(EVENT_OVERVIEW_SQL).bind(experimentId, orgId),
    d1.prepare(DEFINITIONS_SQL).bind(experimentId, orgId),
  ]);
  const exposureRows = (exposures?.results ?? []) as { variant_id: string; users: number }[];
  return {
    exposures: new Map(exposureRows.map((r) => [r.variant_id, r.users])),
    /** Metrics with per-user rows, and a sample of their values (the shifts of the one pass). */
    names: ((names?.results ?? []) as { metric_name: string }[]).map((r) => r.metric_name),
    sample: (sample?.results ?? []) as { metric_name: string; v: number }[],
    anonymous: ((anonymous?.results[0] as { n: number } | undefined)?.n ?? 0) as number,
    events: (events?.results ?? []) as EventOverview[],
    definitions: (definitions?.results ?? []) as RawDefinition[],
  };
}

/** A metric_definitions row as D1 returns it (snake_case columns). */
export interface RawDefinition {
  key: string;
  name: string;
  kind: MetricKind;
  direction: Direction;
  format: MetricFormat;
  currency: string | null;
  capping_type: CappingType | null;
  capping_value: number | null;
}

export interface MomentsQuery {
  metric: string;
  /** false: event_mean, one value per result row. */
  perUser: boolean;
  binomial: boolean;
  cap: number | null;
  shiftY: number;
  shiftX: number;
}

export type ReadingQuery =
  | { metric: string; binomial: true }
  | { metric: string; binomial: false; shift: number | null };

/**
 * The one pass over each metric's users (USER_VALUE_READING_SQL / USER_BINOMIAL_READING_SQL), one
 * statement per metric, in one round trip.
 */
export async function loadReadings(
  db: Db,
  orgId: string,
  experimentId: string,
  queries: readonly ReadingQuery[],
): Promise<({ binomial: true; rows: BinomialReadingRow[] } | { binomial: false; rows: ValueReadingRow[] })[]> {
  const d1 = db.$client;
  const results = await batch(
    db,
    queries.map((q) =>
      q.binomial
        ? d1.prepare(USER_BINOMIAL_READING_SQL).bind(experimentId, orgId, q.metric)
        : d1.prepare(USER_VALUE_READING_SQL).bind(experimentId, orgId, q.metric, q.shift),
    ),
  );
  return queries.map((q, i) =>
    q.binomial
      ? { binomial: true, rows: (results[i]?.results ?? []) as BinomialReadingRow[] }
      : { binomial: false, rows: (results[i]?.results ?? []) as ValueReadingRow[] },
  );
}

/** Capped and event_mean metrics: per-variant sums, one statement per metric, in one round trip. */
export async function loadMoments(
  db: Db,
  orgId: string,
  experimentId: string,
  queries: readonly MomentsQuery[],
): Promise<Map<string, ArmSums>[]> {
  const d1 = db.$client;
  const results = await batch(
    db,
    queries.map((q) =>
      q.perUser
        ? d1
            .prepare(USER_MOMENTS_SQL)
            .bind(experimentId, orgId, q.metric, q.binomial ? 1 : 0, q.cap, q.shiftY, q.shiftX)
        : d1.prepare(EVENT_MOMENTS_SQL).bind(experimentId, orgId, q.metric, q.cap, q.shiftY),
    ),
  );
  return results.map(
    (r) => new Map(((r.results ?? []) as (ArmSums & { variant_id: string })[]).map((a) => [a.variant_id, a])),
  );
}

/** The value at a sorted position of each metric's values (percentile caps), in one round trip. */
export async function loadValuesAt(
  db: Db,
  orgId: string,
  experimentId: string,
  queries: readonly { metric: string; perUser: boolean; offset: number }[],
): Promise<(number | null)[]> {
  const d1 = db.$client;
  const results = await batch(
    db,
    queries.map((q) =>
      d1.prepare(q.perUser ? USER_VALUE_AT_SQL : EVENT_VALUE_AT_SQL).bind(experimentId, orgId, q.metric, q.offset),
    ),
  );
  return results.map((r) => (r.results[0] as { v: number } | undefined)?.v ?? null);
}

/** Exposures per day and the day-by-day changes of one metric's sums (timeseries), in one round trip. */
export async function loadTimeseries(
  db: Db,
  orgId: string,
  experimentId: string,
  q: {
    startDay: number;
    metric: string;
    perUser: boolean;
    binomial: boolean;
    cap: number | null;
    /** CUPED is on: read each user's covariate too (per-user metrics only). */
    covariate: boolean;
    /** The analysis' shift of the metric's values (the sums are of value − shift). */
    shift: number;
  },
) {
  const d1 = db.$client;
  const params = [experimentId, orgId, q.startDay, q.metric, q.binomial ? 1 : 0, q.cap];
  const covariate = q.covariate && q.perUser;
  const [exposures, deltas] = await batch(db, [
    covariate
      ? d1.prepare(EXPOSURES_BY_DAY_COVARIATE_SQL).bind(...params)
      : d1.prepare(EXPOSURES_BY_DAY_SQL).bind(experimentId, orgId, q.startDay),
    d1
      .prepare(covariate ? USER_TIMESERIES_COVARIATE_SQL : q.perUser ? USER_TIMESERIES_SQL : EVENT_TIMESERIES_SQL)
      .bind(...params, q.shift),
  ]);
  return {
    exposuresByDay: (exposures?.results ?? []) as DayExposures[],
    deltas: (deltas?.results ?? []) as DayDelta[],
  };
}
