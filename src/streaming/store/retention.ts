/**
 * Retention, run by the alarm. Deletes go in bounded chunks (a LIMITed rowid subquery), so one
 * alarm never holds the object for long on a backlog; `done: false` asks the caller to re-arm soon.
 */
import { RATE_SERIES_MAX_MINUTES } from "../model";
import { retentionCutoffs } from "../rollup";

const RETENTION_CHUNK = 5_000;
/** Per alarm, per table: enough for a day of heavy ingest without monopolizing the object. */
const MAX_CHUNKS_PER_RUN = 20;
const DAY_MS = 86_400_000;
/** `event_rate` serves source health, the 5-minute rate and the dashboard's per-minute series (up to a day). */
const RATE_KEEP_MS = RATE_SERIES_MAX_MINUTES * 60_000;

export interface RetentionPolicy {
  eventDays: number;
  alertDays: number;
  metricDays: number;
}

/** How long events and predictions are kept. */
export const eventRetentionMs = (policy: RetentionPolicy): number => policy.eventDays * DAY_MS;

/** How long metric and model rollups are kept: the horizon every rollup fold and query plans against. */
export const metricRetentionMs = (policy: RetentionPolicy): number => policy.metricDays * DAY_MS;

export interface RetentionReport {
  events: number;
  predictions: number;
  alerts: number;
  rollups: number;
  done: boolean;
}

/** `key` lists the table's key columns (a row value for WITHOUT ROWID tables). */
function deleteChunked(
  sql: SqlStorage,
  limits: RetentionLimits,
  table: string,
  key: string,
  condition: string,
  ...params: SqlStorageValue[]
): { deleted: number; done: boolean } {
  let deleted = 0;
  for (let chunk = 0; chunk < limits.maxChunks; chunk++) {
    const n = sql
      .exec(
        `DELETE FROM ${table} WHERE (${key}) IN (SELECT ${key} FROM ${table} WHERE ${condition} LIMIT ${limits.chunk}) RETURNING 1`,
        ...params,
      )
      .toArray().length;
    deleted += n;
    if (n < limits.chunk) return { deleted, done: true };
  }
  return { deleted, done: false };
}

export interface RetentionLimits {
  chunk: number;
  maxChunks: number;
}

export function applyRetention(
  sql: SqlStorage,
  policy: RetentionPolicy,
  now: number,
  limits: RetentionLimits = { chunk: RETENTION_CHUNK, maxChunks: MAX_CHUNKS_PER_RUN },
): RetentionReport {
  const events = deleteChunked(sql, limits, "events", "seq", "ts < ?", now - eventRetentionMs(policy));
  // Predictions are event-like telemetry: they share the event retention.
  const predictions = deleteChunked(sql, limits, "predictions", "seq", "ts < ?", now - eventRetentionMs(policy));
  // Only resolved alerts expire; an open alert stays however old it is.
  const alerts = deleteChunked(
    sql,
    limits,
    "alerts",
    "seq",
    "resolved_at IS NOT NULL AND resolved_at < ?",
    now - policy.alertDays * DAY_MS,
  );
  let rollups = 0;
  let rollupsDone = true;
  for (const { resolution_ms, before } of retentionCutoffs(now, metricRetentionMs(policy))) {
    const r = deleteChunked(
      sql,
      limits,
      "metric_rollups",
      "name, resolution_ms, bucket",
      "resolution_ms = ? AND bucket < ?",
      resolution_ms,
      before,
    );
    rollups += r.deleted;
    rollupsDone &&= r.done;
    // Tagged buckets (per tag set) expire with the untagged ones of the same resolution.
    const tagged = deleteChunked(
      sql,
      limits,
      "tagged_rollups",
      "name, resolution_ms, tag_set, bucket",
      "resolution_ms = ? AND bucket < ?",
      resolution_ms,
      before,
    );
    rollups += tagged.deleted;
    rollupsDone &&= tagged.done;
    // Model buckets (GET /models) are metric-like aggregates: the same retention per resolution.
    const models = deleteChunked(
      sql,
      limits,
      "model_rollups",
      "name, resolution_ms, bucket",
      "resolution_ms = ? AND bucket < ?",
      resolution_ms,
      before,
    );
    rollups += models.deleted;
    rollupsDone &&= models.done;
  }
  // The delivery log and alert history live as long as resolved alerts do; pending deliveries stay.
  const alertCutoff = now - policy.alertDays * DAY_MS;
  const deliveries = deleteChunked(
    sql,
    limits,
    "deliveries",
    "seq",
    "status != 'pending' AND created_at < ?",
    alertCutoff,
  );
  const history = deleteChunked(
    sql,
    limits,
    "alert_history",
    "seq",
    "at < ? AND NOT EXISTS (SELECT 1 FROM alerts AS a WHERE a.id = alert_history.alert_id)",
    alertCutoff,
  );
  // Ended silences stay listed (`active: false`, as Alertmanager's expired ones) as long as resolved
  // alerts do, so the alert a silence muted and the silence are read side by side; then both go.
  const silences = deleteChunked(sql, limits, "silences", "seq", "ends_at < ?", alertCutoff);
  rollupsDone &&= deliveries.done && history.done && silences.done;
  sql.exec("DELETE FROM event_rate WHERE bucket < ?", now - RATE_KEEP_MS);
  // A metric whose every bucket expired leaves the catalogue too.
  sql.exec("DELETE FROM metrics WHERE NOT EXISTS (SELECT 1 FROM metric_rollups AS r WHERE r.name = metrics.name)");
  return {
    events: events.deleted,
    predictions: predictions.deleted,
    alerts: alerts.deleted,
    rollups,
    done: events.done && predictions.done && alerts.done && rollupsDone,
  };
}
