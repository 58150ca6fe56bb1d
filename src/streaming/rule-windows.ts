/**
 * The windows a rule scores, and the buckets it reads for them. A threshold rule has one window,
 * the last `window_seconds` up to now; an anomaly rule that one and the `baseline_windows` before
 * it. Window k holds the buckets (of the resolution its plan chose) starting in [edges[k+1],
 * edges[k]); edges[0] is the end of the bucket holding `now`, so the current window reads up to
 * now, never less.
 *
 * The rule is evaluated every 15 s and on every batch of its metric, and with a tag filter each
 * bucket is one row per selected tag set: a threshold rule over an hour at 10 s buckets read 361
 * rows per tag set, 361,000 over a filter matching 1,000 (2 to 5 s of the organization's object at
 * the 5 to 13 µs a row group-budget.ts measured, every 15 s). The windows are read as `bucketRuns`
 * instead, the same data in coarser buckets wherever whole ones fit: at most 42 rows per tag set
 * for that hour, 36 for a day (289 at 5 min buckets), at most five queries (test/unit/rule-windows).
 * Windows already read at hourly buckets (a week; an anomaly rule's 31 hours) gain nothing. Pure.
 */
import { type Aggregation, Aggregator, type BucketRun, bucketRuns, bucketStart, type FoldedBucket } from "./rollup";

/** What a window folds of a bucket: its start and its totals, with the sketch a percentile needs. */
export type WindowBucket = Omit<FoldedBucket, "resolution_ms">;

/** windows + 1 edges, newest first (see above). */
export function windowEdges(now: number, windowSeconds: number, windows: number, resolutionMs: number): number[] {
  const windowMs = windowSeconds * 1000;
  return Array.from({ length: windows + 1 }, (_, k) =>
    k === 0 ? bucketStart(now, resolutionMs) + resolutionMs : bucketStart(now - k * windowMs, resolutionMs),
  );
}

/** Each window's runs (newest window first); a run never crosses an edge. */
export function runsByWindow(
  edges: readonly number[],
  resolutionMs: number,
  now: number,
  metricRetentionMs?: number,
): BucketRun[][] {
  return edges.slice(1).map((from, k) => bucketRuns(from, edges[k] as number, resolutionMs, now, metricRetentionMs));
}

/** What to read for these windows: each window's runs, adjacent runs of one resolution joined (one query each). */
export function windowRuns(
  edges: readonly number[],
  resolutionMs: number,
  now: number,
  metricRetentionMs?: number,
): BucketRun[] {
  const runs = runsByWindow(edges, resolutionMs, now, metricRetentionMs)
    .flat()
    .sort((a, b) => a.resolution_ms - b.resolution_ms || a.from - b.from);
  const joined: BucketRun[] = [];
  for (const run of runs) {
    const last = joined[joined.length - 1];
    if (last !== undefined && last.resolution_ms === run.resolution_ms && last.to === run.from) last.to = run.to;
    else joined.push({ ...run });
  }
  return joined;
}

/**
 * Each window's aggregation over the rows read for its runs (rows of any resolution: a run never
 * crosses an edge, so a bucket's start says its window). Rows outside every window are ignored.
 * Folded as they come (Aggregator): a read of many tag sets can be more rows than the isolate holds.
 */
export function valuesByWindow(
  rows: Iterable<WindowBucket>,
  edges: readonly number[],
  aggregation: Aggregation,
): (number | null)[] {
  const windows = Array.from({ length: edges.length - 1 }, () => new Aggregator(aggregation));
  for (const b of rows) {
    for (let k = 0; k < windows.length; k++) {
      if (b.bucket >= (edges[k + 1] as number) && b.bucket < (edges[k] as number)) {
        windows[k]?.add(b.rollup);
        break;
      }
    }
  }
  return windows.map((w) => w.value());
}

/**
 * A baseline window (k ≥ 1) that starts before `keptFrom`, the oldest bucket its resolution still
 * keeps, has lost data to retention: it has no value, where its count would read as a real zero and
 * a count anomaly rule would score against it. The current window keeps what it has.
 */
export function keptValues(values: readonly (number | null)[], edges: readonly number[], keptFrom: number) {
  return values.map((v, k) => (k > 0 && (edges[k + 1] as number) < keptFrom ? null : v));
}
