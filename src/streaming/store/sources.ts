import type { SourceInT, SourcePatchT } from "../schemas";
import { type Page, type PageFilter, pageBySeq, type Row } from "./sql";

interface SourceRow {
  seq: number;
  id: string;
  name: string;
  source_type: string;
  description: string | null;
  config: string | null;
  created_at: number;
  updated_at: number;
  last_event_at: number | null;
  last_error_at: number | null;
}
type SqlSourceRow = SourceRow & Row;

/** A source row with the events it received in the last 5 minutes (what its health is computed from). */
export type SourceRecord = SourceRow & { events_last_5m: number };

const HEALTH_WINDOW_MS = 5 * 60_000;
/** `event_rate` granularity: received events are counted per 10 s bucket. */
const RATE_BUCKET_MS = 10_000;

export const rateBucket = (ms: number): number => ms - (ms % RATE_BUCKET_MS);

/** Events received per source over the buckets overlapping (now − 5 min, now]. */
function recentCounts(sql: SqlStorage, now: number): Map<string, number> {
  const from = rateBucket(now - HEALTH_WINDOW_MS);
  const out = new Map<string, number>();
  for (const r of sql.exec<{ source_id: string; n: number }>(
    "SELECT source_id, sum(count) AS n FROM event_rate WHERE bucket >= ? GROUP BY source_id",
    from,
  )) {
    out.set(r.source_id, r.n);
  }
  return out;
}

const withCount = (row: SourceRow, counts: Map<string, number>): SourceRecord => ({
  ...row,
  events_last_5m: counts.get(row.id) ?? 0,
});

export function createSource(sql: SqlStorage, input: SourceInT, now: number): SourceRecord {
  const id = crypto.randomUUID();
  sql.exec(
    `INSERT INTO sources (id, name, source_type, description, config, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
    id,
    input.name,
    input.source_type,
    input.description ?? null,
    input.config === undefined ? null : JSON.stringify(input.config),
    now,
    now,
  );
  return getSource(sql, id, now) as SourceRecord;
}

/** All sources, newest first (an organization has a handful, not thousands: no pagination). */
export function listSources(sql: SqlStorage, now: number): SourceRecord[] {
  const counts = recentCounts(sql, now);
  return sql
    .exec<SqlSourceRow>("SELECT * FROM sources ORDER BY seq DESC")
    .toArray()
    .map((r) => withCount(r, counts));
}

/** A page of sources, newest first (GET /sources); null when the cursor is not this object's. */
export function sourcePage(sql: SqlStorage, filter: PageFilter, now: number): Page<SourceRecord> | null {
  const page = pageBySeq<SqlSourceRow>(sql, "sources", filter);
  if (page === null) return null;
  const counts = recentCounts(sql, now);
  return { items: page.items.map((r) => withCount(r, counts)), next_cursor: page.next_cursor };
}

export function getSource(sql: SqlStorage, id: string, now: number): SourceRecord | null {
  const row = sql.exec<SqlSourceRow>("SELECT * FROM sources WHERE id = ?", id).toArray()[0];
  return row === undefined ? null : withCount(row, recentCounts(sql, now));
}

export function updateSource(sql: SqlStorage, id: string, patch: SourcePatchT, now: number): SourceRecord | null {
  const sets: string[] = ["updated_at = ?"];
  const params: SqlStorageValue[] = [now];
  const config = patch.config === undefined ? undefined : patch.config === null ? null : JSON.stringify(patch.config);
  const fields: [string, SqlStorageValue | undefined][] = [
    ["name", patch.name],
    ["source_type", patch.source_type],
    ["description", patch.description],
    ["config", config],
  ];
  for (const [column, value] of fields) {
    if (value === undefined) continue;
    sets.push(`${column} = ?`);
    params.push(value);
  }
  // `{}` changes nothing, so it leaves updated_at alone too (as PATCH {} does on experiments).
  if (sets.length === 1) return getSource(sql, id, now);
  const cursor = sql.exec(`UPDATE sources SET ${sets.join(", ")} WHERE id = ?`, ...params, id);
  return cursor.rowsWritten === 0 ? null : getSource(sql, id, now);
}

/** Events keep their source_id as history; new events naming it are then rejected (422). */
export function deleteSource(sql: SqlStorage, id: string): boolean {
  return sql.exec("DELETE FROM sources WHERE id = ?", id).rowsWritten > 0;
}

/** Ids among `ids` that name no source (one statement for the whole batch). */
export function unknownSourceIds(sql: SqlStorage, ids: readonly string[]): string[] {
  if (ids.length === 0) return [];
  const known = new Set(
    sql
      .exec<{ id: string }>("SELECT id FROM sources WHERE id IN (SELECT value FROM json_each(?))", JSON.stringify(ids))
      .toArray()
      .map((r) => r.id),
  );
  return ids.filter((id) => !known.has(id));
}

/** After a batch: the sources it named have just received events. */
export function touchSources(sql: SqlStorage, ids: readonly string[], at: number): void {
  if (ids.length === 0) return;
  sql.exec(
    "UPDATE sources SET last_event_at = max(coalesce(last_event_at, 0), ?) WHERE id IN (SELECT value FROM json_each(?))",
    at,
    JSON.stringify(ids),
  );
}

export function markSourceError(sql: SqlStorage, id: string, at: number): void {
  sql.exec("UPDATE sources SET last_error_at = ? WHERE id = ?", at, id);
}
