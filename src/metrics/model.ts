/**
 * The metric catalogue's vocabulary (docs/contract.md "Metric catalogue and per-user analysis"), zod-free so
 * drizzle, zod, the analysis and the dashboard derive from one place.
 */

/**
 * How per-user values are read:
 * - binomial: a user's value is 1 when any of their results is > 0, else 0 (a conversion);
 * - mean: a user's value is the sum of their results (revenue per user);
 * - event_mean: no per-user value; every result row is one value (latency per request).
 */
export const METRIC_KINDS = ["binomial", "mean", "event_mean"] as const;
export type MetricKind = (typeof METRIC_KINDS)[number];

/** Which way is good (the statistics' vocabulary): a decrease metric (latency) wins when lower. */
import type { Direction } from "../stats/model";

export { DIRECTIONS, type Direction } from "../stats/model";

export const FORMATS = ["number", "percent", "currency"] as const;
export type MetricFormat = (typeof FORMATS)[number];

/**
 * absolute: per-user values above `value` become `value`; percentile: above the pooled `value`
 * quantile (0 < value < 1, e.g. 0.99) of per-user values over every variant.
 */
export const CAPPING_TYPES = ["absolute", "percentile"] as const;
export type CappingType = (typeof CAPPING_TYPES)[number];
export interface Capping {
  type: CappingType;
  value: number;
}

/**
 * A metric key is the `metric_name` results carry, so it follows the same rule everywhere
 * (results, experiments' metric lists, the catalogue). Surrounding whitespace is trimmed at ingest:
 * `"Conversion "` and `"Conversion"` are one metric (FINDINGS "Using it" 7). Keys stay
 * case-sensitive (existing results may differ only by case and must not be merged silently).
 */
export const METRIC_KEY_MAX = 128;
// `*`, not `+`: an empty key is the length check's to report, alone.
export const METRIC_KEY_PATTERN = /^[^\p{Cc}]*$/u;
export const METRIC_KEY_CHARS = `1-${METRIC_KEY_MAX} characters without control characters`;
export const METRIC_KEY_RULE = `${METRIC_KEY_CHARS}; surrounding whitespace is trimmed`;
export const normaliseMetricKey = (raw: string): string => raw.trim();

export const CURRENCY_PATTERN = /^[A-Z]{3}$/;

/** What a metric name without a definition is analysed as (docs/contract.md). */
export const UNDEFINED_METRIC = { kind: "mean", direction: "increase", format: "number" } as const satisfies {
  kind: MetricKind;
  direction: Direction;
  format: MetricFormat;
};

/** Why a capping is unusable, or null. */
export function cappingProblem(c: Capping): string | null {
  if (!Number.isFinite(c.value)) return "value must be a finite number";
  if (c.type === "percentile" && !(c.value > 0 && c.value < 1))
    return "a percentile cap is a quantile strictly between 0 and 1 (0.99 caps at the 99th percentile)";
  if (c.type === "absolute" && !(c.value > 0)) return "an absolute cap must be greater than 0";
  return null;
}

/** Why a currency does not fit the format, or null. */
export function currencyProblem(format: MetricFormat, currency: string | null | undefined): string | null {
  if (currency === null || currency === undefined) return null;
  if (format !== "currency") return "currency is only meaningful with format 'currency'";
  return null;
}
