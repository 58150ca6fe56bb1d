/**
 * Deliveries for an alert change, written inside the change's own transaction with their final
 * body. Nothing is sent here: the object's alarm sends (sender.ts), so ingestion never waits on a
 * receiver.
 */
import type { Alert } from "../alert-state";
import { atLeastSeverity } from "../model";
import { listChannels, type Channel } from "../store/channels";
import { channelsSent, insertDeliveries, type NewDelivery } from "../store/deliveries";
import { iso } from "../present";
import { type DeliveryEvent, NOTIFY_EVENTS, type NotifyEvent } from "./model";
import { slackPayload } from "./slack";

export const isNotifyEvent = (action: string): action is NotifyEvent =>
  (NOTIFY_EVENTS as readonly string[]).includes(action);

/** The body a channel receives: the webhook envelope, or Slack's incoming-webhook JSON. */
export function deliveryBody(
  channel: Pick<Channel, "type">,
  id: string,
  event: DeliveryEvent,
  alert: PresentedAlert | null,
  now: number,
): string {
  const at = iso(now);
  if (channel.type === "slack") return JSON.stringify(slackPayload(event, alert, at));
  return JSON.stringify({ id, event, alert, at });
}

/** The alert as the API shows it (the caller presents it; this module only embeds it). */
export type PresentedAlert = {
  id: string;
  severity: string;
  status: string;
  title: string;
  message: string | null;
  occurrences: number;
} & Record<string, unknown>;

/**
 * One delivery per enabled channel that wants this event at this severity, each with its final
 * body. Run inside the transaction that saves the alert change (the caller has checked silences).
 */
export function enqueueDeliveries(
  sql: SqlStorage,
  alert: Pick<Alert, "id" | "severity">,
  presented: PresentedAlert,
  event: NotifyEvent,
  now: number,
): number {
  return insertFor(sql, wanting(sql, alert, event), alert, presented, event, now);
}

/**
 * A repeat that raised the alert's severity (POST /alerts with the same fingerprint): the channels
 * that take the new severity but were never told of the opening (below their `min_severity`
 * until now, or silenced at the time) hear `opened` now. A channel that was told hears nothing new
 * here; its later `acknowledged` and `resolved` carry the new severity.
 */
export function enqueueEscalation(
  sql: SqlStorage,
  alert: Pick<Alert, "id" | "severity">,
  presented: PresentedAlert,
  now: number,
): number {
  const told = channelsSent(sql, alert.id, "opened");
  const channels = wanting(sql, alert, "opened").filter((c) => !told.has(c.id));
  return insertFor(sql, channels, alert, presented, "opened", now);
}

/** Enabled channels that take this event at this alert's severity. */
function wanting(sql: SqlStorage, alert: Pick<Alert, "severity">, event: NotifyEvent): Channel[] {
  return listChannels(sql).filter(
    (c) => c.enabled && atLeastSeverity(alert.severity, c.min_severity) && c.notify_on.includes(event),
  );
}

function insertFor(
  sql: SqlStorage,
  channels: readonly Channel[],
  alert: Pick<Alert, "id">,
  presented: PresentedAlert,
  event: NotifyEvent,
  now: number,
): number {
  const rows: NewDelivery[] = channels.map((c) => {
    const id = crypto.randomUUID();
    return { id, channel_id: c.id, alert_id: alert.id, event, body: deliveryBody(c, id, event, presented, now) };
  });
  insertDeliveries(sql, rows, now);
  return rows.length;
}
