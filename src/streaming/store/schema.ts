/**
 * The organization object's own SQLite schema, versioned: `schema_version` holds the number of
 * steps applied, and each step runs once, in order, inside a transaction with its version bump.
 * Steps are append-only (never edit a landed one): an object created years ago and one created
 * today must end on the same schema.
 *
 * Why the side tables: `event_rate` (received events per 10 s bucket and source) and `counters`
 * keep the dashboard and source health O(buckets) instead of COUNT(*) over the events table, which
 * would read (and bill) every stored row on every dashboard refresh.
 */

const V1 = `
CREATE TABLE sources (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  source_type TEXT NOT NULL,
  description TEXT,
  config TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  last_event_at INTEGER,
  last_error_at INTEGER
);

CREATE TABLE events (
  seq INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  source_id TEXT,
  event_type TEXT NOT NULL,
  payload TEXT,
  ts INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  processed_at INTEGER
);
CREATE INDEX events_ts ON events (ts);
CREATE INDEX events_type_ts ON events (event_type, ts);
CREATE INDEX events_source_ts ON events (source_id, ts);

CREATE TABLE event_rate (
  bucket INTEGER NOT NULL,
  source_id TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (bucket, source_id)
) WITHOUT ROWID;

CREATE TABLE counters (name TEXT PRIMARY KEY, value REAL NOT NULL) WITHOUT ROWID;

CREATE TABLE predictions (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  model_name TEXT NOT NULL,
  model_version TEXT,
  prediction TEXT NOT NULL,
  confidence REAL NOT NULL,
  latency_ms REAL,
  event_id TEXT,
  features TEXT,
  ts INTEGER NOT NULL,
  received_at INTEGER NOT NULL
);
CREATE INDEX predictions_ts ON predictions (ts);
CREATE INDEX predictions_model_ts ON predictions (model_name, ts);

CREATE TABLE alerts (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  severity TEXT NOT NULL,
  status TEXT NOT NULL,
  title TEXT NOT NULL,
  message TEXT,
  source_id TEXT,
  fingerprint TEXT,
  occurrences INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  acknowledged_at INTEGER,
  acknowledged_by TEXT,
  resolved_at INTEGER,
  resolved_by TEXT,
  notes TEXT NOT NULL
);
-- The dedup invariant held by the database itself: one unresolved alert per fingerprint.
CREATE UNIQUE INDEX alerts_unresolved_fingerprint ON alerts (fingerprint)
  WHERE status != 'resolved' AND fingerprint IS NOT NULL;
CREATE INDEX alerts_status ON alerts (status);
CREATE INDEX alerts_resolved_at ON alerts (resolved_at) WHERE resolved_at IS NOT NULL;

CREATE TABLE alert_rules (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  metric_name TEXT NOT NULL,
  aggregation TEXT NOT NULL,
  window_seconds INTEGER NOT NULL,
  operator TEXT NOT NULL,
  threshold REAL NOT NULL,
  severity TEXT NOT NULL,
  for_seconds INTEGER NOT NULL,
  state TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX alert_rules_metric ON alert_rules (metric_name);

CREATE TABLE metric_rollups (
  name TEXT NOT NULL,
  resolution_ms INTEGER NOT NULL,
  bucket INTEGER NOT NULL,
  count INTEGER NOT NULL,
  sum REAL NOT NULL,
  min REAL NOT NULL,
  max REAL NOT NULL,
  last REAL NOT NULL,
  last_at INTEGER NOT NULL,
  sketch TEXT NOT NULL,
  PRIMARY KEY (name, resolution_ms, bucket)
) WITHOUT ROWID;
CREATE INDEX metric_rollups_resolution_bucket ON metric_rollups (resolution_ms, bucket);

CREATE TABLE metrics (
  name TEXT PRIMARY KEY,
  last REAL NOT NULL,
  last_at INTEGER NOT NULL,
  first_seen_at INTEGER NOT NULL
) WITHOUT ROWID;
`;

/**
 * Alerting (issue 13): notification channels and their delivery log, silences, alert history,
 * rule types and no-data policy, and tagged metrics.
 *
 * - `deliveries` rows are written in the same transaction as the alert change they announce, before
 *   any attempt, and carry the exact body to send (every retry sends the same bytes under the same
 *   id). The partial index keeps "what is due" cheap however long the log grows.
 * - `alert_rules` is rebuilt because anomaly rules have no threshold and may have no operator
 *   (SQLite cannot drop NOT NULL in place); its rows are copied over unchanged.
 * - Tagged points fold into `tagged_rollups`, one row per (metric, tag set, resolution, bucket), next
 *   to the untagged totals in `metric_rollups`; `metric_tag_sets` numbers each metric's distinct tag
 *   sets, whose count is bounded (the ingest path refuses the 1001st).
 */
const V2 = `
CREATE TABLE channels (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  url TEXT NOT NULL,
  secret TEXT NOT NULL,
  min_severity TEXT NOT NULL,
  notify_on TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE deliveries (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  channel_id TEXT NOT NULL,
  alert_id TEXT,
  event TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  last_status_code INTEGER,
  last_error TEXT,
  next_attempt_at INTEGER,
  created_at INTEGER NOT NULL,
  delivered_at INTEGER,
  body TEXT NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_channel ON deliveries (channel_id, seq);

CREATE TABLE silences (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  matchers TEXT NOT NULL,
  starts_at INTEGER NOT NULL,
  ends_at INTEGER NOT NULL,
  comment TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX silences_ends_at ON silences (ends_at);

CREATE TABLE alert_history (
  seq INTEGER PRIMARY KEY,
  alert_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  action TEXT NOT NULL,
  actor TEXT,
  note TEXT
);
CREATE INDEX alert_history_alert ON alert_history (alert_id, seq);

ALTER TABLE alerts ADD COLUMN silenced INTEGER NOT NULL DEFAULT 0;

CREATE TABLE alert_rules_v2 (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  metric_name TEXT NOT NULL,
  aggregation TEXT NOT NULL,
  window_seconds INTEGER NOT NULL,
  operator TEXT,
  threshold REAL,
  severity TEXT NOT NULL,
  for_seconds INTEGER NOT NULL,
  state TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  type TEXT NOT NULL DEFAULT 'threshold',
  no_data TEXT NOT NULL DEFAULT 'keep',
  tags TEXT,
  sensitivity REAL,
  baseline_windows INTEGER
);
INSERT INTO alert_rules_v2 (seq, id, name, metric_name, aggregation, window_seconds, operator, threshold, severity,
  for_seconds, state, created_at, no_data)
  SELECT seq, id, name, metric_name, aggregation, window_seconds, operator, threshold, severity, for_seconds, state,
    created_at, 'resolve' FROM alert_rules;
DROP TABLE alert_rules;
ALTER TABLE alert_rules_v2 RENAME TO alert_rules;
CREATE INDEX alert_rules_metric ON alert_rules (metric_name);

CREATE TABLE metric_tag_sets (
  name TEXT NOT NULL,
  tag_set INTEGER NOT NULL,
  tags TEXT NOT NULL,
  first_seen_at INTEGER NOT NULL,
  PRIMARY KEY (name, tag_set)
) WITHOUT ROWID;
CREATE UNIQUE INDEX metric_tag_sets_tags ON metric_tag_sets (name, tags);

CREATE TABLE tagged_rollups (
  name TEXT NOT NULL,
  tag_set INTEGER NOT NULL,
  resolution_ms INTEGER NOT NULL,
  bucket INTEGER NOT NULL,
  count INTEGER NOT NULL,
  sum REAL NOT NULL,
  min REAL NOT NULL,
  max REAL NOT NULL,
  last REAL NOT NULL,
  last_at INTEGER NOT NULL,
  sketch TEXT NOT NULL,
  PRIMARY KEY (name, resolution_ms, tag_set, bucket)
) WITHOUT ROWID;
CREATE INDEX tagged_rollups_resolution_bucket ON tagged_rollups (resolution_ms, bucket);
`;

// Retention's chunked deletes of settled deliveries and old alert history found their rows by
// scanning the whole table on every retention pass; these make each chunk a range read
// (test/integration/streaming-write-plans.test.ts checks every background statement's plan).
//
// The dashboard's alert counts scanned every retained alert (90 days of resolved ones) on each
// read and each socket's snapshot. Open and acknowledged alerts are few and read through
// alerts_status; the resolved count is kept in counters by triggers, so every path that resolves,
// inserts or deletes an alert (the upsert, retention, a future one) keeps it exact
// (test/integration/streaming-alert-counts.test.ts compares it with a recount).
const V3 = `
CREATE INDEX deliveries_settled_created ON deliveries (created_at) WHERE status != 'pending';
CREATE INDEX alert_history_at ON alert_history (at);

INSERT INTO counters (name, value)
  SELECT 'alerts_resolved', count(*) FROM alerts WHERE status = 'resolved';
CREATE TRIGGER alerts_resolved_on_insert AFTER INSERT ON alerts WHEN NEW.status = 'resolved'
BEGIN
  UPDATE counters SET value = value + 1 WHERE name = 'alerts_resolved';
END;
CREATE TRIGGER alerts_resolved_on_update AFTER UPDATE OF status ON alerts
  WHEN (OLD.status = 'resolved') != (NEW.status = 'resolved')
BEGIN
  UPDATE counters SET value = value + (CASE WHEN NEW.status = 'resolved' THEN 1 ELSE -1 END)
  WHERE name = 'alerts_resolved';
END;
CREATE TRIGGER alerts_resolved_on_delete AFTER DELETE ON alerts WHEN OLD.status = 'resolved'
BEGIN
  UPDATE counters SET value = value - 1 WHERE name = 'alerts_resolved';
END;
`;

// GET /events?processed=false walked events_ts from the newest event down, testing every row, until
// it had a page of unprocessed ones: a consumer that keeps up leaves few, so each poll read the
// whole retained table. This index holds only the unprocessed events (an event leaves it when it is
// marked processed), so the poll reads what it returns. Every new event enters it; its cost on a
// 500-event insert was within the noise of the insert (node:sqlite, 2,000 batches, 2026-12-03).
const V4 = `
CREATE INDEX events_unprocessed ON events (ts) WHERE processed_at IS NULL;
`;

// Model monitoring (GET /models): each prediction's confidence and latency folded into rollups per
// model and version, the metric rollups' shape and resolutions (rollup.ts), so a window's summary
// reads buckets instead of sorting raw predictions (exact percentiles over 100,000 predictions took
// ~0.5 s in SQLite, node:sqlite, 2026-12-03). The predictions already stored when this step runs
// (seq up to until_seq) are folded in by the alarm, a chunk at a time (service-models.ts), so the
// migration itself stays instant; later ones are folded as they arrive.
const V5 = `
CREATE TABLE model_rollups (
  name TEXT NOT NULL,
  resolution_ms INTEGER NOT NULL,
  bucket INTEGER NOT NULL,
  count INTEGER NOT NULL,
  sum REAL NOT NULL,
  min REAL NOT NULL,
  max REAL NOT NULL,
  last REAL NOT NULL,
  last_at INTEGER NOT NULL,
  sketch TEXT NOT NULL,
  PRIMARY KEY (name, resolution_ms, bucket)
) WITHOUT ROWID;
CREATE INDEX model_rollups_resolution_bucket ON model_rollups (resolution_ms, bucket);
CREATE TABLE model_backfill (next_seq INTEGER NOT NULL, until_seq INTEGER NOT NULL);
INSERT INTO model_backfill (next_seq, until_seq) SELECT 0, max(seq) FROM predictions HAVING count(*) > 0;
`;

// Events sent without a source (most of them) leave the source index: every row of a batch was a
// b-tree insert there, under one NULL key that no read looks up (GET /events?source_id= compares
// with =, which SQLite knows implies IS NOT NULL, so the partial index still serves it). 0.1 to
// 0.2 ms of a 500-event batch's write of 3.0 to 3.5 ms (inside workerd, one RPC and commit per
// batch, three alternating runs, 2026-12-05); 0.17 ms of 2.1 in node:sqlite with WAL.
// Rebuilding the index reads the table once, when the object first starts on this code (98 ms for
// 1,000,000 events of which a tenth name a source, node:sqlite, 2026-12-05).
const V6 = `
DROP INDEX events_source_ts;
CREATE INDEX events_source_ts ON events (source_id, ts) WHERE source_id IS NOT NULL;
`;

/** Ordered migration steps; step i brings the schema from version i to i + 1. */
export const MIGRATIONS: readonly string[] = [V1, V2, V3, V4, V5, V6];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Runs the missing steps. Call inside `blockConcurrencyWhile` so no request sees a half schema. */
export function migrate(storage: DurableObjectStorage): number {
  const sql = storage.sql;
  sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  const row = sql.exec<{ v: number | null }>("SELECT max(version) AS v FROM schema_version").one();
  const current = row.v ?? 0;
  if (current > MIGRATIONS.length) {
    // Code older than the data (a rollback): refuse rather than write rows the schema does not expect.
    throw new Error(`org store schema is at version ${current}, this code knows ${MIGRATIONS.length}`);
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    const step = MIGRATIONS[version] as string;
    storage.transactionSync(() => {
      sql.exec(step);
      sql.exec("INSERT INTO schema_version (version) VALUES (?)", version + 1);
    });
  }
  return MIGRATIONS.length;
}
