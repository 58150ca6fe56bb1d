/** Words for the catalogue's vocabulary (src/metrics/model.ts); a new value fails the typecheck here. */
import type { CappingType, Direction, MetricFormat, MetricKind } from "../../../src/metrics/model";

export const KIND_LABELS: Record<MetricKind, { label: string; help: string }> = {
  binomial: {
    label: "Conversion (yes/no per user)",
    help: "1 when the user has any value above 0, else 0: shown as a rate.",
  },
  mean: { label: "Sum per user", help: "The sum of each user's values, e.g. revenue per user." },
  event_mean: { label: "Mean per event", help: "Every result row is one value, e.g. latency per request." },
};

export const DIRECTION_LABELS: Record<Direction, string> = {
  increase: "Higher is better",
  decrease: "Lower is better",
};

export const FORMAT_LABELS: Record<MetricFormat, string> = {
  number: "Number",
  percent: "Percent",
  currency: "Currency",
};

export const CAPPING_LABELS: Record<CappingType, { label: string; help: string }> = {
  absolute: { label: "At a value", help: "Per-user values above it count as it (e.g. 1000)." },
  percentile: { label: "At a percentile", help: "A quantile between 0 and 1 (0.99 caps at the 99th percentile)." },
};
