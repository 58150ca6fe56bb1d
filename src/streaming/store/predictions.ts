/** Predictions: the same single-statement batch insert as events; ids are always ours. */
import type { PredictionFacts } from "../models";
import { addCounter, readCounter } from "./events";
import { boundedRows, decodeCursor, PAGE_JSON_CHARS, type Page, type Row, toBoundedPage, Where } from "./sql";

/** A prediction ready to store (JSON columns serialized, times in epoch ms). */
export interface NewPrediction {
  id: string;
  model_name: string;
  model_version: string | null;
  prediction: string;
  confidence: number;
  latency_ms: number | null;
  event_id: string | null;
  features: string | null;
  ts: number;
}

/** The stored row is the prediction as inserted, plus its insertion order. */
export type PredictionRow = NewPrediction & { seq: number };
type SqlPredictionRow = PredictionRow & Row;

const COLUMNS = "seq, id, model_name, model_version, prediction, confidence, latency_ms, event_id, features, ts";

export function insertPredictions(
  sql: SqlStorage,
  predictions: readonly NewPrediction[],
  receivedAt: number,
): PredictionRow[] {
  const rows = sql
    .exec<SqlPredictionRow>(
      `INSERT INTO predictions (id, model_name, model_version, prediction, confidence, latency_ms, event_id, features, ts, received_at)
       SELECT value ->> 'id', value ->> 'model_name', value ->> 'model_version', value ->> 'prediction',
              value ->> 'confidence', value ->> 'latency_ms', value ->> 'event_id', value ->> 'features', value ->> 'ts', ?2
       FROM jsonb_each(?1)
       RETURNING ${COLUMNS}`,
      JSON.stringify(predictions),
      receivedAt,
    )
    .toArray();
  addCounter(sql, "predictions_total", rows.length);
  addCounter(
    sql,
    "predictions_confidence_sum",
    rows.reduce((s, r) => s + r.confidence, 0),
  );
  return rows;
}

/** Every stored prediction's count and mean confidence (null without any), from the running counters. */
export function predictionTotals(sql: SqlStorage): { total: number; mean_confidence: number | null } {
  const total = readCounter(sql, "predictions_total");
  return { total, mean_confidence: total > 0 ? readCounter(sql, "predictions_confidence_sum") / total : null };
}

export interface PredictionFilter {
  model_name?: string | undefined;
  model_version?: string | undefined;
  min_confidence?: number | undefined;
  since?: number | undefined;
  limit: number;
  cursor?: string | undefined;
}

export function listPredictions(sql: SqlStorage, filter: PredictionFilter): Page<PredictionRow> | null {
  const where = new Where();
  if (filter.model_name !== undefined) where.add("model_name = ?", filter.model_name);
  if (filter.model_version !== undefined) where.add("model_version = ?", filter.model_version);
  if (filter.min_confidence !== undefined) where.add("confidence >= ?", filter.min_confidence);
  if (filter.since !== undefined) where.add("ts >= ?", filter.since);
  if (filter.cursor !== undefined) {
    const key = decodeCursor(filter.cursor, "predictions", ["int", "int"]);
    if (key === null) return null;
    where.add("(ts, seq) < (?, ?)", ...key);
  }
  const rows = sql.exec<SqlPredictionRow>(
    `SELECT ${COLUMNS} FROM predictions ${where} ORDER BY ts DESC, seq DESC LIMIT ?`,
    ...where.params,
    filter.limit + 1,
  );
  return toBoundedPage(rows, filter.limit, "predictions", (r) => [r.ts, r.seq], jsonChars);
}

const jsonChars = (r: PredictionRow) => r.prediction.length + (r.features?.length ?? 0);

/** The newest predictions for the dashboard: `limit` of them, fewer when they carry large JSON. */
export function recentPredictions(sql: SqlStorage, limit: number): PredictionRow[] {
  const rows = sql.exec<SqlPredictionRow>(`SELECT ${COLUMNS} FROM predictions ORDER BY seq DESC LIMIT ?`, limit);
  return boundedRows(rows, limit, jsonChars, PAGE_JSON_CHARS / 4).items;
}

/** Where the model-rollup backfill stands (schema V5): folded up to next_seq, to fold up to until_seq. */
export interface BackfillMarker {
  next_seq: number;
  until_seq: number;
}

export function backfillMarker(sql: SqlStorage): BackfillMarker | null {
  return sql.exec<BackfillMarker & Row>("SELECT next_seq, until_seq FROM model_backfill").toArray()[0] ?? null;
}

/** Moves the marker, or removes it when the backfill is done (null). */
export function saveBackfillMarker(sql: SqlStorage, marker: BackfillMarker | null): void {
  if (marker === null) sql.exec("DELETE FROM model_backfill");
  else sql.exec("UPDATE model_backfill SET next_seq = ?", marker.next_seq);
}

/** What the model rollups need of the predictions with after < seq <= until, in seq order (the rowid range). */
export function predictionFactsAfter(
  sql: SqlStorage,
  after: number,
  until: number,
  limit: number,
): (PredictionFacts & { seq: number })[] {
  return sql
    .exec<PredictionFacts & { seq: number } & Row>(
      `SELECT seq, model_name, model_version, confidence, latency_ms, ts FROM predictions
       WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`,
      after,
      until,
      limit,
    )
    .toArray();
}
