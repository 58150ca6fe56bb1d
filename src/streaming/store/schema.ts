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

/** Ordered migration steps; step i brings the schema from version i to i + 1. */
export const MIGRATIONS: readonly string[] = [V1];

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
