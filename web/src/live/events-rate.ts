/**
 * Events per minute over the chosen window, from the dashboard's per-minute series (30 minutes in
 * the WebSocket snapshot; a poll asks GET /dashboard?minutes= for the window, up to a day). Pure:
 * test/unit/live-events-rate.test.ts holds its table.
 */
import { RATE_SERIES_DEFAULT_MINUTES, RATE_SERIES_MAX_MINUTES } from "../../../src/streaming/model";

export interface MinutePoint {
  t: string;
  count: number;
}

export interface WindowRate {
  /** Minutes actually covered: the window, or the whole series when the window is longer. */
  minutes: number;
  /** The last `minutes` points of the series. */
  points: MinutePoint[];
  /** Events per minute over those minutes (the current minute counts as it stands, as the server's does). */
  perMinute: number;
  peak: number;
  /** The window was longer than the series. */
  clipped: boolean;
}

export function rateOverWindow(series: readonly MinutePoint[], windowSeconds: number): WindowRate {
  const wanted = Math.max(1, Math.round(windowSeconds / 60));
  const minutes = Math.min(wanted, series.length);
  const points = series.slice(series.length - minutes);
  const total = points.reduce((sum, p) => sum + p.count, 0);
  return {
    minutes,
    points,
    perMinute: minutes > 0 ? total / minutes : 0,
    peak: Math.max(0, ...points.map((p) => p.count)),
    clipped: wanted > series.length,
  };
}

/** The series length to ask the server for a window: the window in minutes, at least the snapshot's, at most a day. */
export function seriesMinutesFor(windowSeconds: number): number {
  const minutes = Math.round(windowSeconds / 60);
  return Math.min(RATE_SERIES_MAX_MINUTES, Math.max(RATE_SERIES_DEFAULT_MINUTES, minutes));
}

/**
 * A snapshot (30 minutes) arriving while the page holds a longer polled series: the snapshot's
 * minutes replace the same minutes, the older ones stay, so the chart does not shrink to 30
 * minutes on every reconnect until the next poll. Same length as the longer of the two.
 */
export function mergeMinuteSeries(
  held: readonly MinutePoint[] | undefined,
  fresh: readonly MinutePoint[],
): MinutePoint[] {
  if (!held || held.length <= fresh.length || fresh.length === 0) return [...fresh];
  const from = Date.parse(fresh[0]?.t ?? "");
  const older = held.filter((p) => Date.parse(p.t) < from);
  const merged = [...older, ...fresh];
  return merged.slice(Math.max(0, merged.length - held.length));
}
