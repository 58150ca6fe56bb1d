/**
 * Dashboard trend arrow for a metric: compares the mean of the recent window with the mean of the
 * window just before it. Deliberately simple and explainable ("5 min mean is 12% above the previous
 * 5 min") rather than a regression slope, which users cannot check by eye.
 */

export type Trend = "up" | "down" | "stable";

/** Length of each of the two compared windows: the last 5 min vs the 5 min before. */
export const TREND_WINDOW_MS = 5 * 60_000;
/** Relative change of the mean, below which the metric is "stable". */
const TREND_THRESHOLD = 0.05;
/** Points each window needs; with fewer, one outlier would flip the arrow, so we say "stable". */
const TREND_MIN_POINTS = 3;

/** What the trend needs from a window: its point count and sum (so it can come from rollups). */
export interface WindowStats {
  count: number;
  sum: number;
}

export interface TrendOptions {
  threshold?: number;
  minPoints?: number;
}

/**
 * Relative change uses the larger magnitude of the two means as denominator: symmetric, bounded
 * in [0, 2], and defined when the previous mean is zero or negative (a plain (r − p) / p is not).
 */
export function relativeChange(recentMean: number, previousMean: number): number {
  const scale = Math.max(Math.abs(recentMean), Math.abs(previousMean));
  return scale === 0 ? 0 : (recentMean - previousMean) / scale;
}

export function computeTrend(recent: WindowStats, previous: WindowStats, options: TrendOptions = {}): Trend {
  const threshold = options.threshold ?? TREND_THRESHOLD;
  const minPoints = options.minPoints ?? TREND_MIN_POINTS;
  if (recent.count < minPoints || previous.count < minPoints) return "stable";
  const change = relativeChange(recent.sum / recent.count, previous.sum / previous.count);
  if (change > threshold) return "up";
  if (change < -threshold) return "down";
  return "stable";
}
