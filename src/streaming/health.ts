/**
 * Health of a data source, from what the store already tracks per source (receive time of the
 * last event, events in the last 5 min, time of the last recorded error). Precedence, first match:
 *
 *   error    an error was recorded in the last ERROR_WINDOW_MS (5 min), even if events still flow:
 *            a source failing half its deliveries must not look healthy
 *   healthy  an event in the last HEALTHY_WINDOW_MS (5 min)
 *   idle     never received an event, or the last one is 5 to 60 min old (quiet, not yet worrying)
 *   stale    had traffic, but nothing for over STALE_AFTER_MS (60 min)
 *
 * Times are receive times (server clock), epoch ms; one in the future counts as "now".
 */

import type { SourceHealthStatus } from "./model";

export { SOURCE_HEALTH_STATUSES, type SourceHealthStatus } from "./model";

const HEALTHY_WINDOW_MS = 5 * 60_000;
const STALE_AFTER_MS = 60 * 60_000;
const ERROR_WINDOW_MS = 5 * 60_000;

export interface SourceHealthInput {
  last_event_at: number | null;
  events_last_5m: number;
  last_error_at?: number | null;
  now: number;
}

export function sourceHealth(input: SourceHealthInput): SourceHealthStatus {
  const { last_event_at, events_last_5m, last_error_at, now } = input;
  if (last_error_at != null && now - last_error_at < ERROR_WINDOW_MS) return "error";
  // events_last_5m comes from the events table; trusting it too covers a lagging last_event_at.
  if (events_last_5m > 0) return "healthy";
  if (last_event_at === null) return "idle";
  const age = Math.max(0, now - last_event_at);
  if (age < HEALTHY_WINDOW_MS) return "healthy";
  if (age <= STALE_AFTER_MS) return "idle";
  return "stale";
}
