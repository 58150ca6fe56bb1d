/** Channel, delivery and silence rows as the API shows them (the secret never leaves here). */
import { iso, isoOrNull } from "../present";
import type { Channel } from "../store/channels";
import type { Delivery } from "../store/deliveries";
import type { ChannelT, DeliveryT, SilenceT } from "./schemas";
import { isActive, type Silence } from "./silence";

export function presentChannel(c: Channel): ChannelT {
  return {
    id: c.id,
    name: c.name,
    type: c.type,
    url: c.url,
    min_severity: c.min_severity,
    notify_on: c.notify_on,
    enabled: c.enabled,
    created_at: iso(c.created_at),
    updated_at: iso(c.updated_at),
  };
}

export function presentDelivery(d: Delivery): DeliveryT {
  return {
    id: d.id,
    channel_id: d.channel_id,
    alert_id: d.alert_id,
    event: d.event,
    status: d.status,
    attempts: d.attempts,
    last_status_code: d.last_status_code,
    last_error: d.last_error,
    next_attempt_at: isoOrNull(d.next_attempt_at),
    created_at: iso(d.created_at),
    delivered_at: isoOrNull(d.delivered_at),
  };
}

export function presentSilence(s: Silence, now: number): SilenceT {
  return {
    id: s.id,
    matchers: s.matchers,
    starts_at: iso(s.starts_at),
    ends_at: iso(s.ends_at),
    comment: s.comment,
    created_by: s.created_by,
    created_at: iso(s.created_at),
    active: isActive(s, now),
  };
}
