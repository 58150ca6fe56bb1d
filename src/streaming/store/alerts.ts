/**
 * Alerts persist exactly what the pure state machine (alert-state.ts) returned: the store never
 * decides a transition. A partial unique index keeps one unresolved alert per fingerprint even if
 * a future code path forgot to look first.
 */
import { ALERT_STATUSES, type Alert, type AlertNote, type SEVERITIES } from "../alert-state";
import { decodeCursor, type Page, type Row, toPage, Where } from "./sql";

/** The stored row: the state machine's Alert, with SQLite's types for enums and the JSON notes. */
export type AlertRow = Omit<Alert, "severity" | "status" | "notes" | "silenced"> & {
  seq: number;
  severity: string;
  status: string;
  notes: string;
  silenced: number;
};
type SqlAlertRow = AlertRow & Row;

export function toAlert(row: AlertRow): Alert {
  const { seq: _seq, notes, silenced, ...rest } = row;
  return { ...rest, notes: JSON.parse(notes) as AlertNote[], silenced: silenced === 1 } as Alert;
}

export function getAlert(sql: SqlStorage, id: string): Alert | null {
  const row = sql.exec<SqlAlertRow>("SELECT * FROM alerts WHERE id = ?", id).toArray()[0];
  return row === undefined ? null : toAlert(row);
}

export function findUnresolved(sql: SqlStorage, fingerprint: string): Alert | null {
  const row = sql
    .exec<SqlAlertRow>("SELECT * FROM alerts WHERE fingerprint = ? AND status != 'resolved'", fingerprint)
    .toArray()[0];
  return row === undefined ? null : toAlert(row);
}

/** Insert or overwrite by id (every column comes from the state machine's result). */
export function saveAlert(sql: SqlStorage, a: Alert): void {
  sql.exec(
    `INSERT INTO alerts (id, severity, status, title, message, source_id, fingerprint, occurrences, created_at,
       last_seen_at, acknowledged_at, acknowledged_by, resolved_at, resolved_by, notes, silenced)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET severity = excluded.severity, status = excluded.status,
       occurrences = excluded.occurrences, last_seen_at = excluded.last_seen_at,
       acknowledged_at = excluded.acknowledged_at, acknowledged_by = excluded.acknowledged_by,
       resolved_at = excluded.resolved_at, resolved_by = excluded.resolved_by, notes = excluded.notes,
       silenced = excluded.silenced`,
    a.id,
    a.severity,
    a.status,
    a.title,
    a.message,
    a.source_id,
    a.fingerprint,
    a.occurrences,
    a.created_at,
    a.last_seen_at,
    a.acknowledged_at,
    a.acknowledged_by,
    a.resolved_at,
    a.resolved_by,
    JSON.stringify(a.notes),
    a.silenced ? 1 : 0,
  );
}

export interface AlertFilter {
  status?: string | undefined;
  severity?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** Rows, not Alerts: turning a row into an Alert parses JSON, which present.ts guards per row. */
export function listAlerts(sql: SqlStorage, filter: AlertFilter): Page<AlertRow> | null {
  const where = new Where();
  if (filter.status !== undefined) where.add("status = ?", filter.status);
  if (filter.severity !== undefined) where.add("severity = ?", filter.severity);
  if (filter.cursor !== undefined) {
    const key = decodeCursor(filter.cursor, "alerts", ["int"]);
    if (key === null) return null;
    where.add("seq < ?", key[0]);
  }
  const rows = sql
    .exec<SqlAlertRow>(`SELECT * FROM alerts ${where} ORDER BY seq DESC LIMIT ?`, ...where.params, filter.limit + 1)
    .toArray();
  return toPage(rows, filter.limit, "alerts", (r) => [r.seq]);
}

export interface AlertCounts {
  by_status: Record<(typeof ALERT_STATUSES)[number], number>;
  by_severity: Record<(typeof SEVERITIES)[number], number>;
}

const UNRESOLVED = ALERT_STATUSES.filter((s) => s !== "resolved");

/**
 * Counts by status (all kept alerts) and by severity (unresolved ones: what needs attention).
 * Unresolved alerts are read through the status index; resolved ones, which pile up for the whole
 * retention period, come from the counter the schema's triggers keep (schema.ts, V3).
 */
export function countAlerts(sql: SqlStorage): AlertCounts {
  const counts: AlertCounts = {
    by_status: { open: 0, acknowledged: 0, resolved: 0 },
    by_severity: { info: 0, warning: 0, error: 0, critical: 0 },
  };
  for (const r of sql.exec<{ status: string; severity: string; n: number }>(
    `SELECT status, severity, count(*) AS n FROM alerts WHERE status IN (${UNRESOLVED.map(() => "?").join(", ")})
     GROUP BY status, severity`,
    ...UNRESOLVED,
  )) {
    const status = r.status as keyof AlertCounts["by_status"];
    const severity = r.severity as keyof AlertCounts["by_severity"];
    counts.by_status[status] += r.n;
    counts.by_severity[severity] += r.n;
  }
  counts.by_status.resolved =
    sql.exec<{ n: number }>("SELECT value AS n FROM counters WHERE name = 'alerts_resolved'").toArray()[0]?.n ?? 0;
  return counts;
}
