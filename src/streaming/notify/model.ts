/**
 * The vocabulary of notifications, written once: channel types, the alert changes a channel can be
 * told about, delivery statuses and the actions of an alert's history. Zod schemas, SQL and the
 * dashboard derive from these lists. Zod-free so pure modules and the browser can import it.
 */

export const CHANNEL_TYPES = ["webhook", "slack"] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** Alert changes a channel may subscribe to (`notify_on`). */
export const NOTIFY_EVENTS = ["opened", "acknowledged", "resolved"] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** What a delivery carries: an alert change, or a test send from `POST /channels/:id/test`. */
export const DELIVERY_EVENTS = [...NOTIFY_EVENTS, "test"] as const;
export type DeliveryEvent = (typeof DELIVERY_EVENTS)[number];

export const DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const HISTORY_ACTIONS = ["opened", "repeated", "acknowledged", "resolved", "notified"] as const;
export type HistoryAction = (typeof HISTORY_ACTIONS)[number];

export const DEFAULT_MIN_SEVERITY = "warning";

/** Header names of a webhook delivery (docs/alerting.md shows a receiver reading them). */
export const DELIVERY_ID_HEADER = "X-Delivery-Id";
export const SIGNATURE_HEADER = "X-Signature";
