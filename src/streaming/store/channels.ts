/** Notification channels. The secret is stored (deliveries are signed with it) and read only by the sender. */
import type { Severity } from "../alert-state";
import type { ChannelType, NotifyEvent } from "../notify/model";
import { type Page, type PageFilter, pageBySeq, type Row } from "./sql";

export interface Channel {
  id: string;
  name: string;
  type: ChannelType;
  url: string;
  secret: string;
  min_severity: Severity;
  notify_on: NotifyEvent[];
  enabled: boolean;
  created_at: number;
  updated_at: number;
}

export type NewChannel = Pick<Channel, "name" | "type" | "url" | "secret" | "min_severity" | "notify_on" | "enabled">;
export type ChannelPatch = Partial<Pick<Channel, "name" | "url" | "min_severity" | "notify_on" | "enabled">>;

type ChannelRow = {
  seq: number;
  id: string;
  name: string;
  type: string;
  url: string;
  secret: string;
  min_severity: string;
  notify_on: string;
  enabled: number;
  created_at: number;
  updated_at: number;
} & Row;

function fromRow(row: ChannelRow): Channel {
  return {
    id: row.id,
    name: row.name,
    type: row.type as ChannelType,
    url: row.url,
    secret: row.secret,
    min_severity: row.min_severity as Severity,
    notify_on: JSON.parse(row.notify_on) as NotifyEvent[],
    enabled: row.enabled === 1,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function insertChannel(sql: SqlStorage, input: NewChannel, now: number): Channel {
  const id = crypto.randomUUID();
  sql.exec(
    `INSERT INTO channels (id, name, type, url, secret, min_severity, notify_on, enabled, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    id,
    input.name,
    input.type,
    input.url,
    input.secret,
    input.min_severity,
    JSON.stringify(input.notify_on),
    input.enabled ? 1 : 0,
    now,
    now,
  );
  return getChannel(sql, id) as Channel;
}

export function getChannel(sql: SqlStorage, id: string): Channel | null {
  const row = sql.exec<ChannelRow>("SELECT * FROM channels WHERE id = ?", id).toArray()[0];
  return row === undefined ? null : fromRow(row);
}

/** Every channel, newest first: what an alert change is fanned out over (notify/enqueue.ts). */
export function listChannels(sql: SqlStorage): Channel[] {
  return sql.exec<ChannelRow>("SELECT * FROM channels ORDER BY seq DESC").toArray().map(fromRow);
}

/** A page of GET /channels, newest first; null for a cursor we did not issue. */
export function channelPage(sql: SqlStorage, filter: PageFilter): Page<Channel> | null {
  const page = pageBySeq<ChannelRow>(sql, "channels", filter);
  return page === null ? null : { items: page.items.map(fromRow), next_cursor: page.next_cursor };
}

export function updateChannel(sql: SqlStorage, id: string, patch: ChannelPatch, now: number): Channel | null {
  const current = getChannel(sql, id);
  if (current === null) return null;
  const next = { ...current, ...patch };
  sql.exec(
    `UPDATE channels SET name = ?, url = ?, min_severity = ?, notify_on = ?, enabled = ?, updated_at = ? WHERE id = ?`,
    next.name,
    next.url,
    next.min_severity,
    JSON.stringify(next.notify_on),
    next.enabled ? 1 : 0,
    now,
    id,
  );
  return getChannel(sql, id);
}

/** The channel and its delivery log go together: nothing is left to send anywhere. */
export function deleteChannel(sql: SqlStorage, id: string): boolean {
  const deleted = sql.exec("DELETE FROM channels WHERE id = ? RETURNING 1", id).toArray().length > 0;
  if (deleted) sql.exec("DELETE FROM deliveries WHERE channel_id = ?", id);
  return deleted;
}
