/**
 * Events per minute over the chosen window, from the dashboard's per-minute series (the server keeps
 * 30 minutes of it in the summary). Pure: test/unit/live-events-rate.test.ts holds its table.
 */

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
