/**
 * Events: one set-based statement per batch (`INSERT … SELECT … FROM json_each(?)`), measured ~6x
 * faster than a statement per row. Idempotency is the UNIQUE(event_id) constraint with
 * ON CONFLICT DO NOTHING; RETURNING yields exactly the rows that were new, so duplicates — of
 * stored events or repeated inside the same batch (the first occurrence wins) — are counted as
 * batch size minus rows returned, with no read before the write.
 */
import { rateBucket } from "./sources";
import { decodeCursor, type Page, type Row, toPage, Where } from "./sql";

/** An event ready to store: id assigned, payload serialized, times in epoch ms. */
export interface NewEvent {
  i: string;
  s: string | null;
  t: string;
  p: string | null;
  ts: number;
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

/** Inserts the new events of the batch and returns them (duplicates are skipped by the database). */
export function insertEvents(sql: SqlStorage, events: readonly NewEvent[], receivedAt: number): EventRow[] {
  return sql
    .exec<SqlEventRow>(
      `INSERT INTO events (event_id, source_id, event_type, payload, ts, received_at)
       SELECT value ->> 'i', value ->> 's', value ->> 't', value ->> 'p', value ->> 'ts', ?2
       FROM json_each(?1) WHERE true
       ON CONFLICT (event_id) DO NOTHING
       RETURNING ${COLUMNS}`,
      JSON.stringify(events),
      receivedAt,
    )
    .toArray();
}

/**
 * Counts received events per 10 s bucket and source (one upsert for the batch), and the running
 * total; both feed health and the dashboard without scanning the events table.
 */
export function countReceived(
  sql: SqlStorage,
  inserted: readonly Pick<EventRow, "source_id">[],
  receivedAt: number,
): void {
  if (inserted.length === 0) return;
  const perSource = new Map<string, number>();
  for (const e of inserted) perSource.set(e.source_id ?? "", (perSource.get(e.source_id ?? "") ?? 0) + 1);
  sql.exec(
    `INSERT INTO event_rate (bucket, source_id, count)
     SELECT ?1, value ->> 0, value ->> 1 FROM json_each(?2) WHERE true
     ON CONFLICT (bucket, source_id) DO UPDATE SET count = count + excluded.count`,
    rateBucket(receivedAt),
    JSON.stringify([...perSource]),
  );
  addCounter(sql, "events_total", inserted.length);
}

export function addCounter(sql: SqlStorage, name: string, delta: number): void {
  sql.exec(
    "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
    name,
    delta,
  );
}

export function readCounters(sql: SqlStorage): Map<string, number> {
  return new Map(
    sql
      .exec<{ name: string; value: number }>("SELECT name, value FROM counters")
      .toArray()
      .map((r) => [r.name, r.value]),
  );
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
    const key = decodeCursor(filter.cursor, 2);
    if (key === null) return null;
    where.add("(ts, seq) < (?, ?)", key[0] ?? 0, key[1] ?? 0);
  }
  const rows = sql
    .exec<SqlEventRow>(
      `SELECT ${COLUMNS} FROM events ${where} ORDER BY ts DESC, seq DESC LIMIT ?`,
      ...where.params,
      filter.limit + 1,
    )
    .toArray();
  return toPage(rows, filter.limit, (r) => [r.ts, r.seq]);
}

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

export function recentEvents(sql: SqlStorage, limit: number): EventRow[] {
  return sql.exec<SqlEventRow>(`SELECT ${COLUMNS} FROM events ORDER BY seq DESC LIMIT ?`, limit).toArray();
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
