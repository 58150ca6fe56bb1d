/** Silences: stored as given; which one applies is decided by notify/silence.ts. */
import type { Silence, SilenceMatchers } from "../notify/silence";
import { type Page, type PageFilter, pageBySeq, type Row } from "./sql";

type SilenceRow = Omit<Silence, "matchers"> & { seq: number; matchers: string } & Row;

function fromRow(row: SilenceRow): Silence {
  const { seq: _seq, matchers, ...rest } = row;
  return { ...rest, matchers: JSON.parse(matchers) as SilenceMatchers };
}

export function insertSilence(sql: SqlStorage, s: Omit<Silence, "id" | "created_at">, now: number): Silence {
  const id = crypto.randomUUID();
  sql.exec(
    `INSERT INTO silences (id, matchers, starts_at, ends_at, comment, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    id,
    JSON.stringify(s.matchers),
    s.starts_at,
    s.ends_at,
    s.comment,
    s.created_by,
    now,
  );
  return { ...s, id, created_at: now };
}

/**
 * A page of GET /silences, newest first, ended ones too (they explain why an old alert was not
 * notified); null for a cursor we did not issue.
 */
export function silencePage(sql: SqlStorage, filter: PageFilter): Page<Silence> | null {
  const page = pageBySeq<SilenceRow>(sql, "silences", filter);
  return page === null ? null : { items: page.items.map(fromRow), next_cursor: page.next_cursor };
}

/** The ones that may apply at `now` (not yet ended). */
export function currentSilences(sql: SqlStorage, now: number): Silence[] {
  return sql
    .exec<SilenceRow>("SELECT * FROM silences WHERE ends_at > ? AND starts_at <= ?", now, now)
    .toArray()
    .map(fromRow);
}

/**
 * Ends a silence that has not ended yet (`ends_at` moves to now; one that had not started ends
 * unstarted), keeping its record, as Alertmanager's expire does. `ended` when it had ended already.
 */
export function endSilence(sql: SqlStorage, id: string, now: number): "ended" | "already-ended" | "not-found" {
  const changed = sql
    .exec(
      "UPDATE silences SET ends_at = ?2, starts_at = min(starts_at, ?2) WHERE id = ?1 AND ends_at > ?2 RETURNING 1",
      id,
      now,
    )
    .toArray();
  if (changed.length > 0) return "ended";
  return sql.exec("SELECT 1 FROM silences WHERE id = ?", id).toArray().length > 0 ? "already-ended" : "not-found";
}
