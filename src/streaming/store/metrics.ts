/**
 * Metric rollups (rollup.ts): raw points are never stored. A batch is folded in memory into one
 * partial rollup per (name, resolution, bucket), the stored rows for those keys are read with ONE
 * join over jsonb_each, merged (exact: counts and sketch bins add), and written back with ONE
 * INSERT OR REPLACE over jsonb_each: three statements per batch whatever its size. (jsonb_each
 * rather than json_each, so each row's `->>` looks up JSONB instead of parsing text: events.ts.)
 */
import { MAX_TIME_MS } from "../../http/time";
import {
  type BucketRollup,
  type FoldedBucket,
  foldedColumns,
  foldedOf,
  fromRow,
  type RollupRow,
  type RollupTotals,
  toRow,
} from "../rollup";
import { decodeCursor, type Page, type PageFilter, type Row, toPage, Where } from "./sql";

type StoredRollupRow = RollupRow & Row;

const ROLLUP_COLUMNS = "name, resolution_ms, bucket, count, sum, min, max, last, last_at, sketch";

/** The tables holding rollups of this shape: metrics', and models' (per model, version and series). */
export type RollupTable = "metric_rollups" | "model_rollups";

export function storedRollups(
  sql: SqlStorage,
  keys: readonly BucketRollup[],
  table: RollupTable = "metric_rollups",
): BucketRollup[] {
  if (keys.length === 0) return [];
  return sql
    .exec<StoredRollupRow>(
      `SELECT r.name, r.resolution_ms, r.bucket, r.count, r.sum, r.min, r.max, r.last, r.last_at, r.sketch
       FROM jsonb_each(?) AS j
       JOIN ${table} AS r
         ON r.name = j.value ->> 0 AND r.resolution_ms = j.value ->> 1 AND r.bucket = j.value ->> 2`,
      JSON.stringify(keys.map((k) => [k.name, k.resolution_ms, k.bucket])),
    )
    .toArray()
    .map(fromRow);
}

export function writeRollups(
  sql: SqlStorage,
  merged: readonly BucketRollup[],
  table: RollupTable = "metric_rollups",
): void {
  if (merged.length === 0) return;
  sql.exec(
    `INSERT OR REPLACE INTO ${table} (${ROLLUP_COLUMNS})
     SELECT value ->> 'name', value ->> 'resolution_ms', value ->> 'bucket', value ->> 'count', value ->> 'sum',
            value ->> 'min', value ->> 'max', value ->> 'last', value ->> 'last_at', value ->> 'sketch'
     FROM jsonb_each(?)`,
    JSON.stringify(merged.map(toRow)),
  );
}

/**
 * Keeps the metric catalogue (name, newest point) current: one upsert per batch. A stored point past
 * the input limit (written before it existed) is replaced by any new one, or it would hide the
 * metric from GET /metrics forever.
 */
/** Returns the names whose latest point this batch now is (a back-dated point changes nothing). */
export function touchMetrics(
  sql: SqlStorage,
  latest: readonly { name: string; value: number; at: number }[],
  now: number,
): Set<string> {
  if (latest.length === 0) return new Set();
  const rows = sql.exec<{ name: string }>(
    `INSERT INTO metrics (name, last, last_at, first_seen_at)
     SELECT value ->> 'name', value ->> 'value', value ->> 'at', ?2 FROM jsonb_each(?1) WHERE true
     ON CONFLICT (name) DO UPDATE SET last = excluded.last, last_at = excluded.last_at
       WHERE excluded.last_at >= metrics.last_at OR metrics.last_at > ?3
     RETURNING name`,
    JSON.stringify(latest),
    now,
    MAX_TIME_MS,
  );
  return new Set(rows.toArray().map((r) => r.name));
}

export interface MetricCatalogueEntry {
  name: string;
  last: number;
  last_at: number;
}

/** Every metric, by name (the dashboard's list). */
export function listMetricNames(sql: SqlStorage): MetricCatalogueEntry[] {
  return sql.exec<MetricCatalogueEntry & Row>("SELECT name, last, last_at FROM metrics ORDER BY name").toArray();
}

/**
 * A page of GET /metrics: by name (SQLite's BINARY order: byte order, so `Z` before `a`), after the
 * cursor's name; null for a cursor we did not issue. Keyset on the name (the table's key): a metric
 * first seen between two pages shows up in a later one only if its name sorts after the cursor.
 */
export function metricPage(sql: SqlStorage, filter: PageFilter): Page<MetricCatalogueEntry> | null {
  const where = new Where();
  if (filter.cursor !== undefined) {
    const key = decodeCursor(filter.cursor, "metrics", ["text"]);
    if (key === null) return null;
    where.add("name > ?", key[0]);
  }
  const rows = sql
    .exec<MetricCatalogueEntry & Row>(
      `SELECT name, last, last_at FROM metrics ${where} ORDER BY name LIMIT ?`,
      ...where.params,
      filter.limit + 1,
    )
    .toArray();
  return toPage(rows, filter.limit, "metrics", (r) => [r.name]);
}

export function metricExists(sql: SqlStorage, name: string): boolean {
  return sql.exec("SELECT 1 FROM metrics WHERE name = ?", name).toArray().length > 0;
}

/**
 * One metric's buckets of one resolution in [from, to] (what rollup.planQuery names): their totals,
 * and with `sketches` each one's sketch as stored (JSON text, which a fold merges without parsing
 * it into a sketch of its own). Without, no sketch is read.
 */
export function metricBucketsIn(
  sql: SqlStorage,
  name: string,
  resolutionMs: number,
  from: number,
  to: number,
  sketches: boolean,
): FoldedBucket[] {
  return sql
    .exec<RollupTotals & { resolution_ms: number; bucket: number; sketch?: string }>(
      `SELECT ${foldedColumns(sketches)} FROM metric_rollups
       WHERE name = ? AND resolution_ms = ? AND bucket BETWEEN ? AND ?`,
      name,
      resolutionMs,
      from,
      to,
    )
    .toArray()
    .map(foldedOf);
}

/** The model rollups of one resolution in [?2, ?3]; with a model name in ?4, that model's only. */
const MODEL_RANGE = "resolution_ms = ?1 AND bucket BETWEEN ?2 AND ?3 AND (?4 IS NULL OR name ->> 0 = ?4)";

/** Every model series' buckets of one resolution in [from, to]; with `model`, that model's only. */
export function modelRollupsInRange(
  sql: SqlStorage,
  resolutionMs: number,
  from: number,
  to: number,
  model: string | null,
): BucketRollup[] {
  return sql
    .exec<StoredRollupRow>(
      `SELECT ${ROLLUP_COLUMNS} FROM model_rollups WHERE ${MODEL_RANGE}`,
      resolutionMs,
      from,
      to,
      model,
    )
    .toArray()
    .map(fromRow);
}

/** How many rows modelRollupsInRange would read: an index count, no row is parsed. */
export function countModelRollupsInRange(
  sql: SqlStorage,
  resolutionMs: number,
  from: number,
  to: number,
  model: string | null,
): number {
  const row = sql
    .exec<{ n: number }>(`SELECT count(*) AS n FROM model_rollups WHERE ${MODEL_RANGE}`, resolutionMs, from, to, model)
    .one();
  return row.n;
}

/**
 * The buckets of one resolution from `from` on, grouped by name, without sketches (the trend needs
 * counts and sums only; parsing hundreds of sketches would be waste): of every metric (the
 * dashboard), or of `names` only (a page of GET /metrics), read through the rollups' key.
 */
export function recentRollupsByName(
  sql: SqlStorage,
  resolutionMs: number,
  from: number,
  names?: readonly string[],
): Map<string, BucketRollup[]> {
  const out = new Map<string, BucketRollup[]>();
  const empty = JSON.stringify({ v: 1, z: 0, p: [], n: [] });
  const columns = `r.name, r.resolution_ms, r.bucket, r.count, r.sum, r.min, r.max, r.last, r.last_at, '${empty}' AS sketch`;
  const rows =
    names === undefined
      ? sql.exec<StoredRollupRow>(
          `SELECT ${columns} FROM metric_rollups AS r WHERE r.resolution_ms = ? AND r.bucket >= ?`,
          resolutionMs,
          from,
        )
      : // CROSS JOIN keeps the names outside, each read through the key (name, resolution_ms,
        // bucket): with a plain JOIN SQLite walked (resolution_ms, bucket), every metric's buckets.
        sql.exec<StoredRollupRow>(
          `SELECT ${columns} FROM json_each(?) AS j
           CROSS JOIN metric_rollups AS r ON r.name = j.value AND r.resolution_ms = ? AND r.bucket >= ?`,
          JSON.stringify(names),
          resolutionMs,
          from,
        );
  for (const row of rows) {
    const b = fromRow(row);
    const list = out.get(b.name);
    if (list === undefined) out.set(b.name, [b]);
    else list.push(b);
  }
  return out;
}
