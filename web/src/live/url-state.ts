/**
 * The live view's picks in the URL, so a reload or a shared link shows the same charts:
 * `?window=3600&agg.checkout.latency_ms=p95&group_by.checkout.latency_ms=region`. The default
 * window and an empty group-by are left out. Pure: test/unit/live-url-state.test.ts holds its table.
 */
import type { Aggregation } from "../../../src/streaming/rollup";

export const WINDOWS = [
  { s: 300, label: "5 minutes" },
  { s: 900, label: "15 minutes" },
  { s: 3600, label: "1 hour" },
  { s: 21600, label: "6 hours" },
  { s: 86400, label: "24 hours" },
  { s: 604800, label: "7 days" },
] as const;
const DEFAULT_WINDOW = 900;
const DEFAULT_AGGREGATION: Aggregation = "avg";

/** The server's aggregations (src/streaming/rollup.ts AGGREGATIONS, checked by the unit test), in picker order. */
export const AGGREGATION_CHOICES = [
  "avg",
  "sum",
  "count",
  "min",
  "max",
  "p50",
  "p90",
  "p95",
  "p99",
] as const satisfies readonly Aggregation[];

const AGG_PREFIX = "agg.";
const GROUP_PREFIX = "group_by.";
/** The server's limit on a tag key (src/streaming/routes-metrics.ts). */
const TAG_KEY_MAX = 200;

export interface LiveView {
  windowSeconds: number;
  /** Per metric; absent means avg. */
  aggregation: Readonly<Record<string, Aggregation>>;
  /** Per metric: the tag key its chart is split by; absent means one series. */
  groupBy: Readonly<Record<string, string>>;
}

const isAggregation = (v: string): v is Aggregation => (AGGREGATION_CHOICES as readonly string[]).includes(v);

/** Reads the picks; anything unknown or malformed falls back to the default rather than failing. */
export function readView(q: URLSearchParams): LiveView {
  const w = Number(q.get("window"));
  const windowSeconds = WINDOWS.some((x) => x.s === w) ? w : DEFAULT_WINDOW;
  const aggregation: Record<string, Aggregation> = {};
  const groupBy: Record<string, string> = {};
  for (const [k, v] of q) {
    if (k.startsWith(AGG_PREFIX) && k.length > AGG_PREFIX.length && isAggregation(v)) {
      aggregation[k.slice(AGG_PREFIX.length)] = v;
    } else if (k.startsWith(GROUP_PREFIX) && k.length > GROUP_PREFIX.length && v && v.length <= TAG_KEY_MAX) {
      groupBy[k.slice(GROUP_PREFIX.length)] = v;
    }
  }
  return { windowSeconds, aggregation, groupBy };
}

/** `?…` for the view, keeping parameters that are not the live view's; "" when all are defaults. */
export function writeView(view: LiveView, keep: URLSearchParams = new URLSearchParams()): string {
  const q = new URLSearchParams();
  for (const [k, v] of keep) {
    if (k !== "window" && !k.startsWith(AGG_PREFIX) && !k.startsWith(GROUP_PREFIX)) q.append(k, v);
  }
  if (view.windowSeconds !== DEFAULT_WINDOW) q.set("window", String(view.windowSeconds));
  for (const [metric, agg] of Object.entries(view.aggregation).sort(([a], [b]) => a.localeCompare(b))) {
    // Kept even when it is avg: without a pick, a metric with a rule shows the rule's aggregation.
    q.set(AGG_PREFIX + metric, agg);
  }
  for (const [metric, key] of Object.entries(view.groupBy).sort(([a], [b]) => a.localeCompare(b))) {
    if (key) q.set(GROUP_PREFIX + metric, key);
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** The picked aggregation; without a pick, `fallback` (the aggregation a rule on the metric watches). */
export const aggregationOf = (view: LiveView, metric: string, fallback?: Aggregation): Aggregation =>
  view.aggregation[metric] ?? fallback ?? DEFAULT_AGGREGATION;
export const groupByOf = (view: LiveView, metric: string): string => view.groupBy[metric] ?? "";
