/**
 * Anomaly rules: the current window's value scored against the previous `baseline_windows` windows
 * of the same length as a robust z-score, z = (value − median) / (1.4826 · MAD). The median and the
 * median absolute deviation ignore the outliers a mean and standard deviation would chase, and
 * 1.4826 makes MAD estimate σ for normal data. When more than half the baseline is one value
 * (MAD = 0) the scale falls back to 1.2533 · mean absolute deviation (Iglewicz and Hoaglin's
 * modified z-score); when even that is 0 the baseline is constant and any change is infinitely far.
 */
import type { Operator } from "./rules";

const MAD_SCALE = 1.4826;
const MEAN_AD_SCALE = 1.2533;
export const DEFAULT_SENSITIVITY = 3;
export const DEFAULT_BASELINE_WINDOWS = 30;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Null when there is no baseline to score against. */
export function robustZ(value: number, baseline: readonly number[]): number | null {
  if (baseline.length === 0) return null;
  const m = median(baseline);
  const deviations = baseline.map((x) => Math.abs(x - m));
  let scale = MAD_SCALE * median(deviations);
  if (scale === 0) scale = MEAN_AD_SCALE * (deviations.reduce((s, d) => s + d, 0) / deviations.length);
  const diff = value - m;
  if (scale === 0) return diff === 0 ? 0 : diff > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  return diff / scale;
}

/** gt/gte: only high values count; lt/lte: only low ones; null: both sides. */
export function anomalyHolds(z: number, sensitivity: number, operator: Operator | null): boolean {
  if (operator === "gt" || operator === "gte") return z >= sensitivity;
  if (operator === "lt" || operator === "lte") return z <= -sensitivity;
  return Math.abs(z) >= sensitivity;
}

/** A baseline thinner than this (a new metric, a gap) scores nothing rather than guess. */
export function minimumBaseline(baselineWindows: number): number {
  return Math.max(3, Math.ceil(baselineWindows / 2));
}
