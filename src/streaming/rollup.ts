/**
 * Time-bucketed metric rollups. Raw points are never stored: each point is folded into one bucket
 * per resolution (10 s, 5 min, 1 h), and queries aggregate buckets. Every field of a rollup merges
 * exactly (counts and bins add, min/max/last pick), so buckets can be built in any order and in
 * pieces — a batch folded in memory, then merged into the stored row — and give the same answer.
 *
 * Window rule used everywhere here: a bucket belongs to the window (now − W, now] when it overlaps
 * it, i.e. bucket start ≥ bucketStart(now − W). A window therefore covers between W and W + one
 * resolution, never less: a rule over "the last 60 s" never misses data because of bucket edges.
 */
import { QuantileSketch, type SketchJSON } from "./sketch";
import { computeTrend, TREND_WINDOW_MS, type Trend, type WindowStats } from "./trend";

import type { Aggregation } from "./model";

export { AGGREGATIONS, type Aggregation } from "./model";

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;

interface Resolution {
  resolution_ms: number;
  /** How long buckets of this resolution are kept; null: the metric retention (coarsest only). */
  retention_ms: number | null;
}

/** Finest first. Each point is written to all three (three rows per metric per active bucket). */
const RESOLUTIONS: readonly Resolution[] = [
  { resolution_ms: 10 * SECOND, retention_ms: DAY },
  { resolution_ms: 5 * 60 * SECOND, retention_ms: 30 * DAY },
  { resolution_ms: HOUR, retention_ms: null },
];
const DEFAULT_METRIC_RETENTION_MS = 90 * DAY;
/** Upper bound on buckets one query reads (each carries a sketch to parse and merge). */
const MAX_BUCKETS_PER_QUERY = 2880;
/** Upper bound on points in one series; the step is raised to respect it. */
const MAX_SERIES_POINTS = 1000;
/** Default steps aim at about this many points per series. */
const TARGET_SERIES_POINTS = 60;
export const NICE_STEPS_SECONDS = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

export interface MetricPoint {
  name: string;
  value: number;
  /** Epoch ms. */
  ts: number;
}

export interface Rollup {
  count: number;
  sum: number;
  min: number;
  max: number;
  /** Value of the newest point (largest ts; ties: larger value, so merging stays order-free). */
  last: number;
  last_at: number;
  sketch: QuantileSketch;
}

export interface BucketRollup {
  name: string;
  resolution_ms: number;
  /** Bucket start, epoch ms, a multiple of resolution_ms. */
  bucket: number;
  rollup: Rollup;
}

/** Flat shape for a SQLite row / jsonb_each batch; `sketch` is JSON.stringify(SketchJSON). */
export interface RollupRow {
  name: string;
  resolution_ms: number;
  bucket: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  last: number;
  last_at: number;
  sketch: string;
}

interface SeriesPoint {
  /** Step start, epoch ms. */
  t: number;
  value: number | null;
}

export interface SeriesResult {
  value: number | null;
  series: SeriesPoint[];
  resolution_ms: number;
  step_seconds: number;
  /** First bucket start read (inclusive) and `now` (inclusive), epoch ms. */
  from: number;
  to: number;
}

export interface QueryPlan {
  resolution_ms: number;
  step_ms: number;
  /** Fetch rows with resolution_ms = this.resolution_ms AND bucket BETWEEN from AND to. */
  from: number;
  to: number;
}

export interface QueryOptions {
  windowSeconds: number;
  /** Defaults to `defaultStepSeconds(windowSeconds)`. */
  stepSeconds?: number;
  aggregation: Aggregation;
  now: number;
  metricRetentionMs?: number;
  /**
   * Let the resolution be as coarse as the step, not only W/30: set by the tagged-read budget
   * (group-budget.ts) when the finer buckets of many tag sets would be too many to read. The
   * window's start may then be off by up to one bucket instead of ~3%.
   */
  coarse?: boolean;
}

/** Start of the bucket holding ts. Floors toward −∞, so it is also right for ts < 0. */
export function bucketStart(ts: number, resolutionMs: number): number {
  return ts - (((ts % resolutionMs) + resolutionMs) % resolutionMs);
}

function retentionMs(resolutionMs: number, metricRetentionMs = DEFAULT_METRIC_RETENTION_MS): number {
  const res = RESOLUTIONS.find((r) => r.resolution_ms === resolutionMs);
  if (res === undefined) throw new RangeError(`unknown resolution ${resolutionMs}`);
  return res.retention_ms === null ? metricRetentionMs : Math.min(res.retention_ms, metricRetentionMs);
}

/** The oldest bucket of a resolution still kept at `now`: retention deletes every one before it. */
export function oldestKept(resolutionMs: number, now: number, metricRetentionMs?: number): number {
  return bucketStart(now - retentionMs(resolutionMs, metricRetentionMs), resolutionMs);
}

/** For the retention alarm: DELETE rows WHERE resolution_ms = ? AND bucket < before. */
export function retentionCutoffs(
  now: number,
  metricRetentionMs = DEFAULT_METRIC_RETENTION_MS,
): { resolution_ms: number; before: number }[] {
  return RESOLUTIONS.map(({ resolution_ms }) => ({
    resolution_ms,
    before: oldestKept(resolution_ms, now, metricRetentionMs),
  }));
}

export function rollupOf(value: number, ts: number): Rollup {
  return {
    count: 1,
    sum: value,
    min: value,
    max: value,
    last: value,
    last_at: ts,
    sketch: new QuantileSketch().add(value),
  };
}

function newer(aAt: number, aValue: number, bAt: number, bValue: number): boolean {
  return bAt > aAt || (bAt === aAt && bValue > aValue);
}

/** Adds `b`'s count, sum, min and max into `a`. */
export function addTotals(a: RollupTotals, b: RollupTotals): void {
  a.count += b.count;
  a.sum += b.sum;
  a.min = Math.min(a.min, b.min);
  a.max = Math.max(a.max, b.max);
}

/** Folds b into a in place (building a batch, merging it with the stored rows). */
function mergeInto(a: Rollup, b: Rollup): void {
  addTotals(a, b);
  if (newer(a.last_at, a.last, b.last_at, b.last)) {
    a.last = b.last;
    a.last_at = b.last_at;
  }
  a.sketch.merge(b.sketch);
}

/** A new rollup holding both; neither input is modified. Associative and commutative. */
export function mergeRollup(a: Rollup, b: Rollup): Rollup {
  const out: Rollup = { ...a, sketch: a.sketch.clone() };
  mergeInto(out, b);
  return out;
}

/** Map key of a (name, resolution, bucket) triple. Name last, so a name with separators is safe. */
export function rollupKey(name: string, resolutionMs: number, bucket: number): string {
  return `${resolutionMs}|${bucket}|${name}`;
}

/**
 * Groups a batch of points into one partial rollup per (name, resolution, bucket). With `now`,
 * buckets already past their resolution's retention are skipped (the alarm would delete them).
 * Throws RangeError on a non-finite value (validation should have rejected it).
 */
export function foldPoints(
  points: Iterable<MetricPoint>,
  options: { now?: number; metricRetentionMs?: number } = {},
): Map<string, BucketRollup> {
  const cutoffs = options.now === undefined ? null : retentionCutoffs(options.now, options.metricRetentionMs);
  const out = new Map<string, BucketRollup>();
  for (const p of points) {
    if (!Number.isFinite(p.value)) throw new RangeError(`metric ${p.name}: value must be finite`);
    for (const [i, { resolution_ms }] of RESOLUTIONS.entries()) {
      const bucket = bucketStart(p.ts, resolution_ms);
      if (cutoffs !== null && bucket < (cutoffs[i]?.before ?? Number.NEGATIVE_INFINITY)) continue;
      const key = rollupKey(p.name, resolution_ms, bucket);
      const existing = out.get(key);
      if (existing === undefined)
        out.set(key, { name: p.name, resolution_ms, bucket, rollup: rollupOf(p.value, p.ts) });
      else mergeInto(existing.rollup, rollupOf(p.value, p.ts));
    }
  }
  return out;
}

/**
 * Merges the stored rows that share a key with the folded batch; returns every row to upsert
 * (one INSERT OR REPLACE over jsonb_each). Stored rows without a folded counterpart are ignored.
 */
export function mergeStored(folded: Map<string, BucketRollup>, stored: Iterable<BucketRollup>): BucketRollup[] {
  const out = new Map<string, BucketRollup>();
  for (const [key, b] of folded) out.set(key, { ...b, rollup: { ...b.rollup, sketch: b.rollup.sketch.clone() } });
  for (const s of stored) {
    const target = out.get(rollupKey(s.name, s.resolution_ms, s.bucket));
    if (target !== undefined) mergeInto(target.rollup, s.rollup);
  }
  return [...out.values()];
}

export function toRow(b: BucketRollup): RollupRow {
  const { sketch, ...rest } = b.rollup;
  return {
    name: b.name,
    resolution_ms: b.resolution_ms,
    bucket: b.bucket,
    ...rest,
    sketch: JSON.stringify(sketch.toJSON()),
  };
}

/** The columns a fold reads of a stored rollup (`foldedOf`): the sketch only when asked for. */
export const foldedColumns = (sketches: boolean) =>
  `resolution_ms, bucket, count, sum, min, max${sketches ? ", sketch" : ""}`;

/** A stored rollup read with `foldedColumns`, as a fold takes it (the sketch left as its text). */
export function foldedOf(row: RollupTotals & { resolution_ms: number; bucket: number; sketch?: string }): FoldedBucket {
  const { resolution_ms, bucket, count, sum, min, max, sketch } = row;
  return { resolution_ms, bucket, rollup: { count, sum, min, max, sketch } };
}

/** Accepts `sketch` as the stored JSON string or an already parsed SketchJSON. */
export function fromRow(row: Omit<RollupRow, "sketch"> & { sketch: string | SketchJSON }): BucketRollup {
  const { name, resolution_ms, bucket, count, sum, min, max, last, last_at } = row;
  return {
    name,
    resolution_ms,
    bucket,
    rollup: { count, sum, min, max, last, last_at, sketch: QuantileSketch.fromJSON(row.sketch) },
  };
}

/** About TARGET_SERIES_POINTS points, rounded up to a "nice" step (10 s … 1 day). */
export function defaultStepSeconds(windowSeconds: number): number {
  const raw = windowSeconds / TARGET_SERIES_POINTS;
  return NICE_STEPS_SECONDS.find((s) => s >= raw) ?? Math.ceil(raw / 86400) * 86400;
}

/**
 * Resolution (ms) to answer a query from. Among resolutions whose retention covers the window,
 * the coarsest that is ≤ the step (finer adds rows, not precision, to a series) and ≤ W/30 (so the
 * window's edges are at most ~3% off; `coarse` drops this second condition); if none, the finest. Then, if that reads more than
 * MAX_BUCKETS_PER_QUERY buckets, the next coarser that does not. Beyond every retention: the coarsest.
 */
export function chooseResolution(
  windowSeconds: number,
  stepSeconds: number,
  now: number,
  metricRetentionMs = DEFAULT_METRIC_RETENTION_MS,
  coarse = false,
): number {
  const windowMs = windowSeconds * SECOND;
  const covering = RESOLUTIONS.filter(
    (r) => now - windowMs >= now - retentionMs(r.resolution_ms, metricRetentionMs),
  ).map((r) => r.resolution_ms);
  const coarsest = RESOLUTIONS[RESOLUTIONS.length - 1]?.resolution_ms ?? HOUR;
  if (covering.length === 0) return coarsest;
  const fitting = covering.filter((r) => r <= stepSeconds * SECOND && (coarse || r <= windowMs / 30));
  let index = covering.indexOf(fitting[fitting.length - 1] ?? (covering[0] as number));
  while (index < covering.length - 1 && windowMs / (covering[index] as number) > MAX_BUCKETS_PER_QUERY) index++;
  return covering[index] ?? coarsest;
}

function roundUpTo(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

/** Buckets of one resolution starting in [from, to). */
export interface BucketRun {
  resolution_ms: number;
  from: number;
  to: number;
}

/**
 * The stored buckets that hold exactly what the `fineMs` buckets starting in [from, to) hold (both
 * multiples of fineMs): whole coarser buckets wherever they fit and are still kept, finer ones only
 * at the two edges. Every point is folded into all three resolutions, so a coarser bucket is the
 * merge of the finer ones it spans, and an aggregation over these runs equals the one over the fine
 * buckets, sketches included (their bins add; sums only in the order of their additions). An hour
 * at 10 s buckets is 361 rows per series; as runs it is at most 42. Rules read this way
 * (rule-windows.ts), where a tag filter multiplies every row by the tag sets it selects. The last
 * coarse bucket ends where the fine read does, not at the bucket holding `now`, which may hold
 * points dated up to the clock skew ahead.
 */
export function bucketRuns(
  from: number,
  to: number,
  fineMs: number,
  now: number,
  metricRetentionMs?: number,
): BucketRun[] {
  const levels = RESOLUTIONS.map((r) => r.resolution_ms).filter((r) => r >= fineMs);
  const split = (lo: number, hi: number, i: number): BucketRun[] => {
    const resolution_ms = levels[i] as number;
    const run = (a: number, b: number): BucketRun[] => (a < b ? [{ resolution_ms, from: a, to: b }] : []);
    const next = levels[i + 1];
    if (next === undefined) return run(lo, hi);
    const start = Math.max(roundUpTo(lo, next), oldestKept(next, now, metricRetentionMs));
    const end = bucketStart(hi, next);
    if (end <= start) return run(lo, hi);
    return [...run(lo, start), ...split(start, end, i + 1), ...run(end, hi)];
  };
  return split(from, to, 0);
}

/** Points in a series read with this plan: one per step from the step holding `from` to the one holding `to`. */
export function seriesLength(plan: QueryPlan): number {
  return Math.floor((plan.to - bucketStart(plan.from, plan.step_ms)) / plan.step_ms) + 1;
}

/**
 * Buckets of one series a plan can read: those in [from, to] not yet past the resolution's
 * retention (a window longer than the retention names buckets that no longer exist).
 */
export function bucketsRead(plan: QueryPlan, metricRetentionMs?: number): number {
  const from = Math.max(plan.from, oldestKept(plan.resolution_ms, plan.to, metricRetentionMs));
  return Math.max(0, (bucketStart(plan.to, plan.resolution_ms) - from) / plan.resolution_ms + 1);
}

/** Which rows to read and how to step. The step is a multiple of the resolution, so buckets never straddle steps. */
export function planQuery(options: Omit<QueryOptions, "aggregation">): QueryPlan {
  const { windowSeconds, now } = options;
  if (!(windowSeconds > 0)) throw new RangeError("windowSeconds must be > 0");
  const stepSeconds =
    options.stepSeconds !== undefined && options.stepSeconds > 0
      ? options.stepSeconds
      : defaultStepSeconds(windowSeconds);
  const resolution = chooseResolution(windowSeconds, stepSeconds, now, options.metricRetentionMs, options.coarse);
  const windowMs = windowSeconds * SECOND;
  let stepMs = roundUpTo(Math.max(stepSeconds * SECOND, resolution), resolution);
  if (windowMs / stepMs > MAX_SERIES_POINTS) stepMs = roundUpTo(Math.ceil(windowMs / MAX_SERIES_POINTS), resolution);
  return { resolution_ms: resolution, step_ms: stepMs, from: bucketStart(now - windowMs, resolution), to: now };
}

const PERCENTILES: Partial<Record<Aggregation, number>> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 };

/** What every aggregation but a percentile reads of a rollup: these four add up across rollups. */
export type RollupTotals = Omit<Rollup, "last" | "last_at" | "sketch">;

/** The totals of no rollup: what every aggregation reads as empty. */
export const NO_TOTALS: Readonly<RollupTotals> = {
  count: 0,
  sum: 0,
  min: Number.POSITIVE_INFINITY,
  max: Number.NEGATIVE_INFINITY,
};

/**
 * What a fold reads of a rollup: its totals, and its sketch when the aggregation is a percentile.
 * The sketch may be parsed, or as stored (`SketchJSON` or its text): the fold merges that straight
 * in (QuantileSketch.mergeJSON), so a read of many rows never builds a sketch per row.
 */
export type FoldedRollup = RollupTotals & { sketch?: QuantileSketch | SketchJSON | string };

/** Whether the aggregation needs the rollups' sketches, or their totals are enough. */
export const needsSketch = (aggregation: Aggregation): boolean => PERCENTILES[aggregation] !== undefined;

/**
 * One aggregation folded over rollups as they come, so a long read never holds its rows: each
 * one's sketch is merged and let go. Empty: 0 for count and sum (nothing counted is a real zero,
 * which lets a "count < 1" rule detect silence), null for everything else. Percentiles are clamped
 * to [min, max], which only moves them closer to the exact value. Totals without a sketch serve
 * every other aggregation (`needsSketch`); folded into a percentile, they throw.
 */
export class Aggregator {
  private count = 0;
  private sum = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private readonly q: number | undefined;
  private readonly sketch: QuantileSketch | null;

  constructor(private readonly aggregation: Aggregation) {
    this.q = PERCENTILES[aggregation];
    this.sketch = this.q === undefined ? null : new QuantileSketch();
  }

  add(r: FoldedRollup): void {
    if (r.count === 0) return;
    this.count += r.count;
    this.sum += r.sum;
    this.min = Math.min(this.min, r.min);
    this.max = Math.max(this.max, r.max);
    if (this.sketch !== null) {
      if (r.sketch === undefined)
        throw new TypeError(`${this.aggregation} needs the rollups' sketches, not their totals`);
      if (r.sketch instanceof QuantileSketch) this.sketch.merge(r.sketch);
      else this.sketch.mergeJSON(r.sketch);
    }
  }

  value(): number | null {
    const { aggregation, count, sum, min, max, sketch, q } = this;
    if (aggregation === "count") return count;
    if (aggregation === "sum") return sum;
    if (count === 0) return null;
    if (aggregation === "avg") return sum / count;
    if (aggregation === "min") return min;
    if (aggregation === "max") return max;
    const estimate = sketch === null || q === undefined ? null : sketch.quantile(q);
    return estimate === null ? null : Math.min(max, Math.max(min, estimate));
  }
}

/** One aggregation over rollups (see Aggregator). */
export function aggregate(rollups: Iterable<FoldedRollup>, aggregation: Aggregation): number | null {
  const folded = new Aggregator(aggregation);
  for (const r of rollups) folded.add(r);
  return folded.value();
}

/** A bucket as a series fold reads it. A `BucketRollup` is one; so is a read of a rollup's totals only. */
export interface FoldedBucket {
  resolution_ms: number;
  bucket: number;
  rollup: FoldedRollup;
}

/**
 * Window value and series for ONE metric, folded as the rows come (see Aggregator): a read of
 * many tag sets' rollups holds one aggregator per step, never the rows. Add that metric's rows (at
 * least those `planQuery` names; rows of other resolutions or outside the window are ignored). The
 * series has one point per step from the step holding `from` to the step holding `now`, ascending;
 * empty steps are present with value 0 (count, sum) or null (others), so charts keep a regular
 * x-axis with gaps. Each step folds its rows in the order they were added, as the window does.
 */
export class SeriesFold {
  private readonly plan: QueryPlan;
  private readonly all: Aggregator;
  private readonly steps = new Map<number, Aggregator>();

  constructor(private readonly options: QueryOptions) {
    this.plan = planQuery(options);
    this.all = new Aggregator(options.aggregation);
  }

  add(b: FoldedBucket): void {
    const { plan } = this;
    if (b.resolution_ms !== plan.resolution_ms || b.bucket < plan.from || b.bucket > plan.to) return;
    this.all.add(b.rollup);
    const t = bucketStart(b.bucket, plan.step_ms);
    let step = this.steps.get(t);
    if (step === undefined) {
      step = new Aggregator(this.options.aggregation);
      this.steps.set(t, step);
    }
    step.add(b.rollup);
  }

  result(): SeriesResult {
    const { plan, options } = this;
    const empty = new Aggregator(options.aggregation).value();
    const series: SeriesPoint[] = [];
    for (let t = bucketStart(plan.from, plan.step_ms); t <= plan.to; t += plan.step_ms) {
      const step = this.steps.get(t);
      series.push({ t, value: step === undefined ? empty : step.value() });
    }
    return {
      value: this.all.value(),
      series,
      resolution_ms: plan.resolution_ms,
      step_seconds: plan.step_ms / SECOND,
      from: plan.from,
      to: plan.to,
    };
  }
}

/** `SeriesFold` over rows already read. */
export function querySeries(rollups: Iterable<FoldedBucket>, options: QueryOptions): SeriesResult {
  const fold = new SeriesFold(options);
  for (const b of rollups) fold.add(b);
  return fold.result();
}

export interface LatestAndTrend {
  latest: number | null;
  latest_at: number | null;
  trend: Trend;
  recent: WindowStats;
  previous: WindowStats;
}

/** Rows `latestAndTrend` needs: resolution_ms = this AND bucket >= from (the last 10 min of 10 s buckets). */
export function trendQueryRange(now: number): { resolution_ms: number; from: number } {
  const resolution = RESOLUTIONS[0]?.resolution_ms ?? 10 * SECOND;
  return { resolution_ms: resolution, from: bucketStart(now - 2 * TREND_WINDOW_MS, resolution) };
}

/**
 * For ONE metric: the newest value among the given rows (any resolution; pass the newest row too
 * if the metric may have been silent for over 10 min) and the trend from the finest rows:
 * buckets starting in [now − 5 min, now] vs [now − 10 min, now − 5 min).
 */
export function latestAndTrend(rollups: Iterable<BucketRollup>, now: number): LatestAndTrend {
  const { resolution_ms } = trendQueryRange(now);
  const recent: WindowStats = { count: 0, sum: 0 };
  const previous: WindowStats = { count: 0, sum: 0 };
  let latest: number | null = null;
  let latestAt: number | null = null;
  for (const { resolution_ms: res, bucket, rollup } of rollups) {
    if (
      rollup.count > 0 &&
      (latestAt === null || latest === null || newer(latestAt, latest, rollup.last_at, rollup.last))
    ) {
      latest = rollup.last;
      latestAt = rollup.last_at;
    }
    if (res !== resolution_ms || bucket > now) continue;
    const target = bucket >= now - TREND_WINDOW_MS ? recent : bucket >= now - 2 * TREND_WINDOW_MS ? previous : null;
    if (target === null) continue;
    target.count += rollup.count;
    target.sum += rollup.sum;
  }
  return { latest, latest_at: latestAt, trend: computeTrend(recent, previous), recent, previous };
}
