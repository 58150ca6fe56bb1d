/**
 * Units of live metrics. Streaming metrics carry no unit metadata, so it is read from the name's
 * suffix (Prometheus' naming convention: `latency_ms`, `size_bytes`, `errors_total`), and from the
 * aggregation: `count` counts points whatever the metric measures.
 */
import type { Aggregation } from "../../../src/streaming/rollup";
import { fmtNum } from "../ui/format";

export interface Unit {
  /** Written after the number ("ms", "%", "points"); empty for a plain number. */
  symbol: string;
  /** Counts of things: the axis starts at 0 and ticks are whole numbers. */
  count: boolean;
}

/** Suffix (after `_`, `.`, `:`, `/` or `-`) → symbol. Longest spellings first. */
const SUFFIXES: [RegExp, string][] = [
  [/(?:^|[_.:/-])(?:ms|millis|milliseconds)$/i, "ms"],
  [/(?:^|[_.:/-])(?:us|micros|microseconds)$/i, "µs"],
  [/(?:^|[_.:/-])(?:s|sec|secs|seconds)$/i, "s"],
  [/(?:^|[_.:/-])bytes$/i, "B"],
  [/(?:^|[_.:/-])(?:pct|percent)$/i, "%"],
];
const COUNT_SUFFIX = /(?:^|[_.:/-])(?:count|total|errors|requests|events)$/i;

/** What a metric's values are, before aggregation. */
export function metricUnit(name: string): Unit {
  for (const [re, symbol] of SUFFIXES) if (re.test(name)) return { symbol, count: false };
  return { symbol: "", count: COUNT_SUFFIX.test(name) };
}

/** The unit of an aggregated series: `count` is a number of points; the others keep the metric's unit. */
export function seriesUnit(name: string, aggregation: Aggregation): Unit {
  if (aggregation === "count") return { symbol: "points", count: true };
  const unit = metricUnit(name);
  // An average or percentile of counts is no longer a whole number, but still starts at 0.
  return unit;
}

/** "1,500 ms", "12%", "3 points", "0.5". */
export function fmtValue(v: number | null | undefined, unit: Unit): string {
  const n = fmtNum(v);
  if (n === "—" || unit.symbol === "") return n;
  return unit.symbol === "%" ? `${n}%` : `${n} ${unit.symbol}`;
}
