/**
 * Events: one set-based statement per batch (`INSERT … SELECT … FROM jsonb_each(?)`), measured ~6x
 * faster than a statement per row. Idempotency is the UNIQUE(event_id) constraint with
 * ON CONFLICT DO NOTHING, so duplicates (of stored events, or repeated inside the same batch: the
 * first occurrence wins) are skipped by the database with no read before the write.
 *
 * What was new is found by `seq`, not by RETURNING: `seq` is the rowid, so inside the batch's
 * transaction every new row gets a seq above the largest one before it. The per-source counts
 * come back as one row per source (GROUP BY), and whole rows are read back only when a socket
 * listens — the batch never travels through JS row by row unless something will show it.
 *
 * The batch is read with `jsonb_each`, not `json_each`: the latter hands each event over as JSON
 * text, which every `->>` then parses again, while `jsonb_each` hands it over as JSONB, looked up
 * in place. The values read are the same (the payload's text included). Inside workerd, one RPC and
 * one commit per 500-event batch (2026-12-05): 3.73 ms a batch before, 3.47 with the absent fields'
 * lookups left out (insertSql), 3.10 with jsonb_each too, the RPC alone 0.58 (30 alternating runs);
 * `npm run bench -- streaming` keeps the comparison ("inside the object": the insert before, with
 * V5's source index, took 1.26 times as long in a run of the section, 2026-12-05). Every batch write of the store reads its batch the same way.
 */
import { rateBucket } from "./sources";
import { boundedRows, decodeCursor, PAGE_JSON_CHARS, type Page, type Row, toBoundedPage, Where } from "./sql";

/** An event as validated by the Worker (times already epoch ms); serialized once, read by SQLite. */
export interface NewEvent {
  event_id?: string | undefined;
  source_id?: string | undefined;
  event_type: string;
  payload?: Record<string, unknown> | undefined;
  timestamp?: number | undefined;
}

/** A stored event as SQLite holds it (payload is JSON text; times are epoch ms). */
export interface EventRow {
  seq: number;
  event_id: string;
  source_id: string | null;
  event_type: string;
  payload: string | null;
  ts: number;
  received_at: number;
  processed_at: number | null;
}
type SqlEventRow = EventRow & Row;

const COLUMNS = "seq, event_id, source_id, event_type, payload, ts, received_at, processed_at";

// A time-ordered (version 7, RFC 9562) UUID for events sent without an id, made by SQLite so that the
// batch needs no per-row pass in JS: the receive time in ms (?2), the version nibble 7, the variant
// bits 10 and 74 random bits. The same format as time-ordered-id.ts. A random (version 4) id put each
// row of a batch on its own page of the UNIQUE(event_id) index; 500 events without ids went from
// 28.6 to 123 batches a second (bench/profile.ts events-no-ids, one run each, 2026-12-03).
const TIME_ORDERED_UUID = `lower(substr(printf('%012x', ?2), 1, 8) || '-' || substr(printf('%012x', ?2), 9, 4)
  || '-7' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1)
  || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))`;

/** What one batch stored: how many rows, per source (null = no source), and where they start. */
export interface InsertedBatch {
  /** Every stored event of this batch has a larger seq. */
  after: number;
  inserted: number;
  perSource: { source_id: string | null; n: number }[];
}

/**
 * The INSERT for a batch, by which of the optional fields any of its events carries. A field no
 * event of the batch has is written as its default without being looked up: each `->>` is a JSON
 * lookup per row, and the two a typical batch lacks (source_id, timestamp) were a third of the
 * statement's JSON work (0.21 of 0.68 ms per 500 events with json_each, node:sqlite, 2026-12-05).
 * At most 16 texts, so workerd's statement cache keeps each prepared.
 */
function insertSql(events: readonly NewEvent[]): string {
  let id = false;
  let source = false;
  let payload = false;
  let time = false;
  for (const e of events) {
    id ||= e.event_id !== undefined;
    source ||= e.source_id !== undefined;
    payload ||= e.payload !== undefined;
    time ||= e.timestamp !== undefined;
  }
  const key = (id ? 1 : 0) | (source ? 2 : 0) | (payload ? 4 : 0) | (time ? 8 : 0);
  let sql = insertSqlByShape[key];
  if (sql === undefined) {
    sql = `INSERT INTO events (event_id, source_id, event_type, payload, ts, received_at)
     SELECT ${id ? `coalesce(value ->> 'event_id', ${TIME_ORDERED_UUID})` : TIME_ORDERED_UUID},
            ${source ? "value ->> 'source_id'" : "NULL"}, value ->> 'event_type',
            ${payload ? "value -> 'payload'" : "NULL"}, ${time ? "coalesce(value ->> 'timestamp', ?2)" : "?2"}, ?2
     FROM jsonb_each(?1) WHERE true
     ON CONFLICT (event_id) DO NOTHING`;
    insertSqlByShape[key] = sql;
  }
  return sql;
}
const insertSqlByShape: (string | undefined)[] = [];

/** Inserts the new events of the batch (duplicates are skipped by the database). Call inside a transaction. */
export function insertEvents(sql: SqlStorage, events: readonly NewEvent[], receivedAt: number): InsertedBatch {
  const after = sql.exec<{ m: number }>("SELECT coalesce(max(seq), 0) AS m FROM events").one().m;
  sql.exec(insertSql(events), JSON.stringify(events), receivedAt);
  // NOT INDEXED: without it SQLite answers the GROUP BY by walking events_source_ts, the whole
  // table's worth of index entries, on every batch (ingestion slowed as the table grew: 14 ms per
  // batch at 450,000 events). The batch's rows are a rowid range; grouping a few hundred is free.
  const perSource = sql
    .exec<{ source_id: string | null; n: number }>(
      "SELECT source_id, count(*) AS n FROM events NOT INDEXED WHERE seq > ? GROUP BY source_id",
      after,
    )
    .toArray();
  return { after, inserted: perSource.reduce((total, s) => total + s.n, 0), perSource };
}

/** The rows a batch stored (see insertEvents), in arrival order: read only when someone will see them. */
export function eventsAfter(sql: SqlStorage, after: number): EventRow[] {
  return sql.exec<SqlEventRow>(`SELECT ${COLUMNS} FROM events WHERE seq > ? ORDER BY seq`, after).toArray();
}

/**
 * Counts received events per 10 s bucket and source (one upsert for the batch), and the running
 * total; both feed health and the dashboard without scanning the events table.
 */
export function countReceived(sql: SqlStorage, batch: InsertedBatch, receivedAt: number): void {
  if (batch.inserted === 0) return;
  sql.exec(
    `INSERT INTO event_rate (bucket, source_id, count)
     SELECT ?1, coalesce(value ->> 0, ''), value ->> 1 FROM jsonb_each(?2) WHERE true
     ON CONFLICT (bucket, source_id) DO UPDATE SET count = count + excluded.count`,
    rateBucket(receivedAt),
    JSON.stringify(batch.perSource.map((s) => [s.source_id, s.n])),
  );
  addCounter(sql, "events_total", batch.inserted);
}

export function addCounter(sql: SqlStorage, name: string, delta: number): void {
  sql.exec(
    "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
    name,
    delta,
  );
}

export function readCounter(sql: SqlStorage, name: string): number {
  return sql.exec<{ value: number }>("SELECT value FROM counters WHERE name = ?", name).toArray()[0]?.value ?? 0;
}

export interface EventFilter {
  event_type?: string | undefined;
  source_id?: string | undefined;
  processed?: boolean | undefined;
  since?: number | undefined;
  until?: number | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** Newest first by event time, then by arrival; null when the cursor is not ours. */
export function listEvents(sql: SqlStorage, filter: EventFilter): Page<EventRow> | null {
  const where = new Where();
  if (filter.event_type !== undefined) where.add("event_type = ?", filter.event_type);
  if (filter.source_id !== undefined) where.add("source_id = ?", filter.source_id);
  if (filter.processed !== undefined) where.add(filter.processed ? "processed_at IS NOT NULL" : "processed_at IS NULL");
  if (filter.since !== undefined) where.add("ts >= ?", filter.since);
  if (filter.until !== undefined) where.add("ts <= ?", filter.until);
  if (filter.cursor !== undefined) {
    const key = decodeCursor(filter.cursor, "events", ["int", "int"]);
    if (key === null) return null;
    where.add("(ts, seq) < (?, ?)", ...key);
  }
  // Unprocessed events are read through their partial index (schema V4) even with a type or source
  // filter: SQLite would otherwise pick the (event_type, ts) or (source_id, ts) index and walk
  // every processed event of that type (21 ms at 100,000 of them, against 0.03 ms). The walk is
  // then bounded by the backlog of unprocessed events, which is what a consumer's poll should cost.
  const from = filter.processed === false ? "events INDEXED BY events_unprocessed" : "events";
  const rows = sql.exec<SqlEventRow>(
    `SELECT ${COLUMNS} FROM ${from} ${where} ORDER BY ts DESC, seq DESC LIMIT ?`,
    ...where.params,
    filter.limit + 1,
  );
  return toBoundedPage(rows, filter.limit, "events", (r) => [r.ts, r.seq], payloadChars);
}

const payloadChars = (r: EventRow) => r.payload?.length ?? 0;

/** Marks the named events processed; already-processed ones keep their first time. Returns how many exist. */
export function markProcessed(sql: SqlStorage, ids: readonly string[], now: number): number {
  const list = JSON.stringify(ids);
  sql.exec(
    "UPDATE events SET processed_at = ? WHERE processed_at IS NULL AND event_id IN (SELECT value FROM json_each(?))",
    now,
    list,
  );
  return sql
    .exec<{ n: number }>(
      "SELECT count(*) AS n FROM events WHERE event_id IN (SELECT DISTINCT value FROM json_each(?))",
      list,
    )
    .one().n;
}

/** The newest events for the dashboard: `limit` of them, fewer when their payloads are large. */
export function recentEvents(sql: SqlStorage, limit: number): EventRow[] {
  const rows = sql.exec<SqlEventRow>(`SELECT ${COLUMNS} FROM events ORDER BY seq DESC LIMIT ?`, limit);
  return boundedRows(rows, limit, payloadChars, PAGE_JSON_CHARS / 4).items;
}

/** Received events per bucket from `from` on (all sources), for rates and the per-minute series. */
export function receivedSince(sql: SqlStorage, from: number): { bucket: number; n: number }[] {
  return sql
    .exec<{ bucket: number; n: number }>(
      "SELECT bucket, sum(count) AS n FROM event_rate WHERE bucket >= ? GROUP BY bucket ORDER BY bucket",
      from,
    )
    .toArray();
}
