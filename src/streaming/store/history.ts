/** An alert's history: append-only rows, written in the same transaction as the change they record. */
import type { HistoryAction } from "../notify/model";
import type { Row } from "./sql";

export interface HistoryEntry {
  alert_id: string;
  at: number;
  action: HistoryAction;
  actor: string | null;
  note: string | null;
}

type HistoryRow = HistoryEntry & { seq: number } & Row;

export function appendHistory(sql: SqlStorage, entries: readonly HistoryEntry[]): void {
  if (entries.length === 0) return;
  sql.exec(
    `INSERT INTO alert_history (alert_id, at, action, actor, note)
     SELECT value ->> 'alert_id', value ->> 'at', value ->> 'action', value ->> 'actor', value ->> 'note'
     FROM jsonb_each(?)`,
    JSON.stringify(entries),
  );
}

/** Oldest first, per alert, for the given alerts (one query for a page of alerts). */
export function historyOf(sql: SqlStorage, alertIds: readonly string[]): Map<string, HistoryEntry[]> {
  const out = new Map<string, HistoryEntry[]>();
  if (alertIds.length === 0) return out;
  for (const row of sql.exec<HistoryRow>(
    "SELECT * FROM alert_history WHERE alert_id IN (SELECT value FROM json_each(?)) ORDER BY seq",
    JSON.stringify(alertIds),
  )) {
    const { seq: _seq, ...entry } = row;
    const list = out.get(entry.alert_id);
    if (list === undefined) out.set(entry.alert_id, [entry as HistoryEntry]);
    else list.push(entry as HistoryEntry);
  }
  return out;
}
