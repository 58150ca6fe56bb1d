/**
 * The values of an anomaly rule's baseline windows (every window but the current one), kept in the
 * organization object's memory from one evaluation to the next. A rule is evaluated every 15 s and
 * with each batch of its metric, and its baseline is 30 of its 31 windows: for a daily rule, 720 of
 * the 745 hourly buckets it reads, per selected tag set. Those windows end where the current one
 * starts, a bucket edge (rule-windows.ts `windowEdges`), so they stay the same until that edge moves:
 * for a daily rule, once an hour.
 *
 * The cache never changes an answer:
 * - an entry is used only for the same rule, the same definition of what it reads and the same
 *   edges (`key`);
 * - a write of points of the entry's series dated before the end of its windows drops it
 *   (`writtenBatch`), before the write's own transaction evaluates any rule;
 * - a transaction that throws clears everything (service-types.ts `inTransaction`), since what it
 *   read may be rolled back, and so does deleting the organization's data;
 * - it lives in memory only, so a restarted object starts empty.
 * What it does not hold: the current window's value, read at every evaluation, and the retention
 * check of old windows (`keptValues`), which moves with the clock and is applied after it.
 *
 * A tagged percentile rule keeps one more thing: its buckets, each merged over the tag sets its
 * filter selects (`MergedBucket`). Its windows need every sketch of every selected tag set, one row
 * per bucket and set: over 1,000 tag sets and 31 daily windows 745,000 rows, about 5 s of the object
 * whenever its edges move (once an hour), and 24,000 rows for its current window at every evaluation.
 * A bucket that no write has reached since it was read does not change, so the rule reads only the
 * buckets it does not hold: when its edges move, the one new bucket; at each evaluation, the ones
 * written since. The same writes drop them (`written`), the same throws and erasures clear them. They
 * are held as sketch JSON text, a few KB each, and within a byte budget for the whole object: a
 * bucket past it is read again each time, as before. Charts (a filtered percentile series, read
 * again as points arrive) keep theirs the same way, for the 128 readers read most recently and
 * within half of the budget (`readingChart`). Pure.
 */
import type { RollupRow } from "./rollup";

export interface BaselineEntry {
  /** What the values were read for: the rule's read and its window edges (service-rules.ts). */
  key: string;
  /** The series the rule reads: a metric's name, or a model statistic's `@models/…`. */
  series: string;
  /** The end of the windows held (epoch ms, exclusive): a point from here on is in none of them. */
  until: number;
  values: readonly (number | null)[];
}

/**
 * One bucket of a tagged percentile rule's read, merged over the tag sets its filter selects: a
 * rollup row's totals, with the merged sketch as JSON text (a fraction of what its live Maps take).
 */
export type MergedBucket = Omit<RollupRow, "name" | "last" | "last_at">;

/** What a bucket costs the budget: its sketch's characters and about the rest of the object. */
const bucketBytes = (b: MergedBucket) => b.sketch.length + 96;
/** Merged buckets of every rule together: about 4,000 of the 4 KB sketches of a wide latency series. */
const MERGED_BUCKET_BUDGET_BYTES = 16 * 1024 * 1024;

/**
 * Chart readers (a percentile series read with a tag filter, or each group of a grouped one:
 * `GET /metrics/:name`) whose merged buckets are held: the most recently read ones. A dashboard
 * shows at most 6 charts, each refetched as points arrive, each with its headline and up to 16
 * groups that read this way; a reader past this many forgets the one read longest ago. The budget's
 * share below is what bounds their memory.
 */
export const CHART_READERS = 128;
/** Charts may hold at most this share of the budget, so that they never starve the rules. */
const CHART_BUDGET_SHARE = 0.5;

const bucketKey = (resolutionMs: number, bucket: number) => `${resolutionMs}:${bucket}`;

/** What a reader's buckets are merged over: the series and the tag sets its filter selects. */
export const mergedKey = (series: string, sets: readonly number[]) => JSON.stringify([series, sets]);

interface RuleBuckets {
  /** What the buckets were merged over: the series and the selected tag sets. */
  key: string;
  series: string;
  buckets: Map<string, MergedBucket>;
  /** A chart's reader, not a rule's: counted against the charts' share of the budget. */
  chart: boolean;
}

export class BaselineCache {
  private readonly entries = new Map<string, BaselineEntry>();
  /** By reader (a rule's id, or `chart …`), charts in the order they were last read. */
  private readonly merged = new Map<string, RuleBuckets>();
  private mergedBytes = 0;
  private chartBytes = 0;

  constructor(private readonly budgetBytes = MERGED_BUCKET_BUDGET_BYTES) {}

  /** The rule's baseline values if they were read for this key and nothing has changed them since. */
  get(ruleId: string, key: string): readonly (number | null)[] | undefined {
    const entry = this.entries.get(ruleId);
    return entry !== undefined && entry.key === key ? entry.values : undefined;
  }

  set(ruleId: string, entry: BaselineEntry): void {
    this.entries.set(ruleId, entry);
  }

  /** The rule's merged bucket of this resolution starting at `bucket`, if it holds it for this read. */
  mergedBucket(ruleId: string, key: string, resolutionMs: number, bucket: number): MergedBucket | undefined {
    const held = this.merged.get(ruleId);
    return held !== undefined && held.key === key ? held.buckets.get(bucketKey(resolutionMs, bucket)) : undefined;
  }

  /**
   * Starts a read of the rule's buckets (`key`: its series and selected tag sets). A new key (the
   * filter now selects other tag sets) drops what the rule held; so do buckets that ended by `from`,
   * the start of its oldest window, which its reads no longer reach.
   */
  readingMerged(ruleId: string, key: string, series: string, from: number, chart = false): void {
    const held = this.merged.get(ruleId);
    if (held === undefined || held.key !== key) {
      this.forgetMerged(ruleId);
      this.merged.set(ruleId, { key, series, buckets: new Map(), chart });
      return;
    }
    for (const [k, b] of held.buckets) if (b.bucket + b.resolution_ms <= from) this.dropBucket(held, k, b);
  }

  /**
   * Starts a chart's read: its reader (`reader`, naming what it reads: series, tag sets, bucket
   * size and window, so that two charts never prune each other's buckets) becomes the most recently
   * read, and past CHART_READERS the one read longest ago is forgotten.
   */
  readingChart(reader: string, key: string, series: string, from: number): void {
    const held = this.merged.get(reader);
    if (held !== undefined) {
      this.merged.delete(reader);
      this.merged.set(reader, held);
    }
    this.readingMerged(reader, key, series, from, true);
    let charts = 0;
    for (const h of this.merged.values()) if (h.chart) charts++;
    for (const [id, h] of this.merged) {
      if (charts <= CHART_READERS) break;
      if (!h.chart) continue;
      this.forgetMerged(id);
      charts--;
    }
  }

  /** Holds a bucket the reader's read (`key`) merged, while the budget (and a chart's share) allows. */
  keepMerged(ruleId: string, key: string, bucket: MergedBucket): void {
    const held = this.merged.get(ruleId);
    const bytes = bucketBytes(bucket);
    if (held === undefined || held.key !== key || this.mergedBytes + bytes > this.budgetBytes) return;
    if (held.chart && this.chartBytes + bytes > this.budgetBytes * CHART_BUDGET_SHARE) return;
    const k = bucketKey(bucket.resolution_ms, bucket.bucket);
    const old = held.buckets.get(k);
    if (old !== undefined) this.dropBucket(held, k, old);
    held.buckets.set(k, bucket);
    this.mergedBytes += bytes;
    if (held.chart) this.chartBytes += bytes;
  }

  /** Points of `series` dated from `oldest` on were written: drop what they change. */
  written(series: string, oldest: number): void {
    for (const [ruleId, entry] of this.entries) {
      if (oldest < entry.until && entry.series === series) this.entries.delete(ruleId);
    }
    for (const held of this.merged.values()) {
      if (held.series !== series) continue;
      for (const [k, b] of held.buckets) if (oldest < b.bucket + b.resolution_ms) this.dropBucket(held, k, b);
    }
  }

  /**
   * A batch was written: each point feeds the series `seriesOf` names, and each series is written
   * from its oldest point on. The ingest paths call this for every batch, so an empty cache costs
   * nothing, not even that pass over the points.
   */
  writtenBatch<P extends { ts: number }>(points: readonly P[], seriesOf: (point: P) => readonly string[]): void {
    if (this.entries.size === 0 && this.merged.size === 0) return;
    const oldest = new Map<string, number>();
    for (const p of points)
      for (const series of seriesOf(p)) oldest.set(series, Math.min(p.ts, oldest.get(series) ?? p.ts));
    for (const [series, ts] of oldest) this.written(series, ts);
  }

  forget(ruleId: string): void {
    this.entries.delete(ruleId);
    this.forgetMerged(ruleId);
  }

  clear(): void {
    this.entries.clear();
    this.merged.clear();
    this.mergedBytes = 0;
    this.chartBytes = 0;
  }

  /** Rules with baseline values held. */
  get size(): number {
    return this.entries.size;
  }

  /** Merged buckets held, of every rule and chart, and what they count against the budget. */
  get mergedSize(): { buckets: number; bytes: number; charts: number; chartBytes: number } {
    let buckets = 0;
    let charts = 0;
    for (const held of this.merged.values()) {
      buckets += held.buckets.size;
      if (held.chart) charts++;
    }
    return { buckets, bytes: this.mergedBytes, charts, chartBytes: this.chartBytes };
  }

  private forgetMerged(ruleId: string): void {
    const held = this.merged.get(ruleId);
    if (held === undefined) return;
    for (const [k, b] of held.buckets) this.dropBucket(held, k, b);
    this.merged.delete(ruleId);
  }

  private dropBucket(held: RuleBuckets, key: string, b: MergedBucket): void {
    held.buckets.delete(key);
    this.mergedBytes -= bucketBytes(b);
    if (held.chart) this.chartBytes -= bucketBytes(b);
  }
}
