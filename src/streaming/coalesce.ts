/**
 * Batching of WebSocket broadcasts: at most one `events` message per MIN_FLUSH_INTERVAL_MS (10 a
 * second) however fast ingestion runs. The first batch after a quiet period goes out at once (low
 * latency when traffic is light); during a burst the rest wait for the next slot and leave as one
 * message. Alerts bypass this (sent at once). Decided on the object's clock, so applying one limit
 * to the broadcast keeps every socket at or under it.
 */

const MIN_FLUSH_INTERVAL_MS = 100;

export type FlushDecision =
  | { action: "idle" }
  | { action: "flush" }
  /** Flush at `at` (setTimeout/alarm); if one is already scheduled, keep it. */
  | { action: "schedule"; at: number };

export interface FlushInput {
  /** Events waiting to be sent. */
  pending: number;
  /** When the last `events` message went out; null if never. */
  last_flush_at: number | null;
  now: number;
  min_interval_ms?: number;
}

export function planFlush(input: FlushInput): FlushDecision {
  if (input.pending <= 0) return { action: "idle" };
  const interval = input.min_interval_ms ?? MIN_FLUSH_INTERVAL_MS;
  if (input.last_flush_at === null) return { action: "flush" };
  const due = input.last_flush_at + interval;
  // A last_flush_at in the future (clock moved back) must not block sending for long: cap the wait.
  if (input.now >= due || due - input.now > interval) return { action: "flush" };
  return { action: "schedule", at: due };
}
