/**
 * A series' buckets, each merged over the tag sets a filter selects, from the object's cache where
 * it holds them (baseline-cache.ts `MergedBucket`); the buckets it does not hold are read, merged
 * and kept. A tagged percentile needs every sketch of every selected tag set, one row per bucket
 * and set (over 1,000 tag sets, 1,000 rows a bucket), but a bucket that no write has reached since
 * it was read does not change. So a reader that comes back (a rule at each evaluation, a chart at
 * each refetch) reads only what it does not hold: new buckets, and the ones written since.
 */
import type { BaselineCache } from "./baseline-cache";
import { addTotals, type BucketRun, type FoldedBucket, NO_TOTALS, type RollupTotals } from "./rollup";
import { QuantileSketch } from "./sketch";
import type { OrgContext } from "./service-types";
import { runRange, type TaggedRange, taggedBucketsIn } from "./store/tags";

/** Who reads (a rule's id, a chart's reader), and what its buckets are merged over. */
export interface MergedRead {
  reader: string;
  /** baseline-cache.ts `mergedKey` of the series and the selected tag sets. */
  key: string;
  name: string;
  sets: readonly number[];
}

/**
 * The buckets of `runs` (rollup.ts `BucketRun`: `to` exclusive), merged, in order. Empty buckets
 * are kept but not yielded. The caller starts the read first (BaselineCache `readingMerged`).
 */
export function* mergedBuckets(
  ctx: OrgContext,
  cache: BaselineCache,
  read: MergedRead,
  runs: Iterable<BucketRun>,
): Generator<FoldedBucket> {
  const { reader, key, name, sets } = read;
  for (const run of runs) {
    let gap: number | null = null;
    for (let b = run.from; b < run.to; b += run.resolution_ms) {
      const held = cache.mergedBucket(reader, key, run.resolution_ms, b);
      if (held === undefined) {
        gap ??= b;
        continue;
      }
      if (gap !== null) yield* readMerged(ctx, cache, read, runRange(name, sets, { ...run, from: gap, to: b }));
      gap = null;
      if (held.count > 0) yield { resolution_ms: run.resolution_ms, bucket: b, rollup: held };
    }
    if (gap !== null) yield* readMerged(ctx, cache, read, runRange(name, sets, { ...run, from: gap }));
  }
}

/**
 * Buckets merged per query of a gap: the rows come tag set by tag set, so each bucket of the query
 * is a live sketch until it ends. 64 sketches of a wide series (900 bins, some 40 bytes a bin in
 * their Maps) take about 2 MB; a daily rule's 745 buckets in one query would take about 27 MB of
 * the isolate's 128.
 */
const MERGE_CHUNK_BUCKETS = 64;

/** Reads a gap of buckets of every selected tag set, merges each bucket's rows and keeps it. */
function* readMerged(
  ctx: OrgContext,
  cache: BaselineCache,
  read: MergedRead,
  gap: TaggedRange,
): Generator<FoldedBucket> {
  const step = gap.resolutionMs;
  for (let from = gap.from; from <= gap.to; from += MERGE_CHUNK_BUCKETS * step) {
    const range = { ...gap, from, to: Math.min(gap.to, from + MERGE_CHUNK_BUCKETS * step - 1) };
    const folded = new Map<number, RollupTotals & { sketch: QuantileSketch }>();
    for (const { bucket, rollup: r } of taggedBucketsIn(ctx.sql, range, true)) {
      if (r.count === 0) continue;
      let f = folded.get(bucket);
      if (f === undefined) {
        f = { ...NO_TOTALS, sketch: new QuantileSketch() };
        folded.set(bucket, f);
      }
      addTotals(f, r);
      f.sketch.mergeJSON(r.sketch);
    }
    for (let b = range.from; b <= range.to; b += step) {
      const f = folded.get(b);
      const totals = f ?? NO_TOTALS;
      cache.keepMerged(read.reader, read.key, {
        resolution_ms: step,
        bucket: b,
        count: totals.count,
        sum: totals.sum,
        min: totals.min,
        max: totals.max,
        sketch: f === undefined ? "" : JSON.stringify(f.sketch),
      });
      if (f !== undefined) yield { resolution_ms: step, bucket: b, rollup: f };
    }
  }
}
