/**
 * The delivery log: one row per (channel, alert change), written in the alert change's transaction
 * with the exact body to send. The sender leases due rows (pushes next_attempt_at past the attempt's
 * timeout and counts the attempt) before it sends, so a delivery whose attempt was cut short by an
 * eviction becomes due again by itself: at least once, never lost.
 */
import type { DeliveryEvent, DeliveryStatus } from "../notify/model";
import { type Page, type PageFilter, pageBySeq, type Row, Where } from "./sql";

export interface Delivery {
  id: string;
  channel_id: string;
  alert_id: string | null;
  event: DeliveryEvent;
  status: DeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: number | null;
  created_at: number;
  delivered_at: number | null;
  /** The JSON body, frozen at creation: every attempt sends the same bytes. */
  body: string;
}

export type NewDelivery = Pick<Delivery, "id" | "channel_id" | "alert_id" | "event" | "body">;

type DeliveryRow = Delivery & { seq: number } & Row;

function fromRow(row: DeliveryRow): Delivery {
  const { seq: _seq, ...rest } = row;
  return rest as Delivery;
}

/** One set-based insert; each row is due at once. */
export function insertDeliveries(sql: SqlStorage, rows: readonly NewDelivery[], now: number): void {
  if (rows.length === 0) return;
  sql.exec(
    `INSERT INTO deliveries (id, channel_id, alert_id, event, status, attempts, next_attempt_at, created_at, body)
     SELECT value ->> 'id', value ->> 'channel_id', value ->> 'alert_id', value ->> 'event', 'pending', 0, ?2, ?2,
            value ->> 'body'
     FROM jsonb_each(?1)`,
    JSON.stringify(rows),
    now,
  );
}

/**
 * The channels that were already sent `event` for this alert. Only an escalation asks (rarely), so
 * it scans rather than keep an index on alert_id that every delivery insert would pay for. A row
 * retention has deleted counts as never sent: at worst that channel hears the opening twice.
 */
export function channelsSent(sql: SqlStorage, alertId: string, event: DeliveryEvent): Set<string> {
  const rows = sql
    .exec<{ channel_id: string }>(
      "SELECT DISTINCT channel_id FROM deliveries WHERE alert_id = ? AND event = ?",
      alertId,
      event,
    )
    .toArray();
  return new Set(rows.map((r) => r.channel_id));
}

export function getDelivery(sql: SqlStorage, id: string): Delivery | null {
  const row = sql.exec<DeliveryRow>("SELECT * FROM deliveries WHERE id = ?", id).toArray()[0];
  return row === undefined ? null : fromRow(row);
}

/** Pending rows due at `now`, oldest due first. */
export function dueDeliveries(sql: SqlStorage, now: number, limit: number): Delivery[] {
  return sql
    .exec<DeliveryRow>(
      "SELECT * FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, seq LIMIT ?",
      now,
      limit,
    )
    .toArray()
    .map(fromRow);
}

/** When the next pending delivery is due (null when none is pending). */
export function nextDueAt(sql: SqlStorage): number | null {
  return sql
    .exec<{ t: number | null }>("SELECT min(next_attempt_at) AS t FROM deliveries WHERE status = 'pending'")
    .one().t;
}

/** Counts the attempt and hides the rows from `dueDeliveries` until `until` (the attempt's deadline). */
export function leaseDeliveries(sql: SqlStorage, ids: readonly string[], until: number): void {
  if (ids.length === 0) return;
  sql.exec(
    `UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ?
     WHERE id IN (SELECT value FROM json_each(?)) AND status = 'pending'`,
    until,
    JSON.stringify(ids),
  );
}

export interface DeliveryOutcome {
  status: DeliveryStatus;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: number | null;
  delivered_at: number | null;
}

/** Only a pending row changes: a delivery already recorded as delivered stays so. */
export function recordOutcome(sql: SqlStorage, id: string, o: DeliveryOutcome): boolean {
  return (
    sql
      .exec(
        `UPDATE deliveries SET status = ?, last_status_code = ?, last_error = ?, next_attempt_at = ?, delivered_at = ?
         WHERE id = ? AND status = 'pending' RETURNING 1`,
        o.status,
        o.last_status_code,
        o.last_error,
        o.next_attempt_at,
        o.delivered_at,
        id,
      )
      .toArray().length > 0
  );
}

/** One channel's log, newest first; null for a cursor we did not issue. */
export function listDeliveries(sql: SqlStorage, channelId: string, filter: PageFilter): Page<Delivery> | null {
  const page = pageBySeq<DeliveryRow>(
    sql,
    "deliveries",
    filter,
    new Where().add("channel_id = ?", channelId),
    channelId,
  );
  return page === null ? null : { items: page.items.map(fromRow), next_cursor: page.next_cursor };
}
