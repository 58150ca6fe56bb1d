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
 * What it does not hold: the current window, read at every evaluation, and the retention check of
 * old windows (`keptValues`), which moves with the clock and is applied after it. Pure.
 */
export interface BaselineEntry {
  /** What the values were read for: the rule's read and its window edges (service-rules.ts). */
  key: string;
  /** The series the rule reads: a metric's name, or a model statistic's `@models/…`. */
  series: string;
  /** The end of the windows held (epoch ms, exclusive): a point from here on is in none of them. */
  until: number;
  values: readonly (number | null)[];
}

export class BaselineCache {
  private readonly entries = new Map<string, BaselineEntry>();

  /** The rule's baseline values if they were read for this key and nothing has changed them since. */
  get(ruleId: string, key: string): readonly (number | null)[] | undefined {
    const entry = this.entries.get(ruleId);
    return entry !== undefined && entry.key === key ? entry.values : undefined;
  }

  set(ruleId: string, entry: BaselineEntry): void {
    this.entries.set(ruleId, entry);
  }

  /** Points of `series` dated from `oldest` on were written: drop what they change. */
  written(series: string, oldest: number): void {
    for (const [ruleId, entry] of this.entries) {
      if (oldest < entry.until && entry.series === series) this.entries.delete(ruleId);
    }
  }

  /**
   * A batch was written: each point feeds the series `seriesOf` names, and each series is written
   * from its oldest point on. The ingest paths call this for every batch, so an empty cache costs
   * nothing, not even that pass over the points.
   */
  writtenBatch<P extends { ts: number }>(points: readonly P[], seriesOf: (point: P) => readonly string[]): void {
    if (this.entries.size === 0) return;
    const oldest = new Map<string, number>();
    for (const p of points)
      for (const series of seriesOf(p)) oldest.set(series, Math.min(p.ts, oldest.get(series) ?? p.ts));
    for (const [series, ts] of oldest) this.written(series, ts);
  }

  forget(ruleId: string): void {
    this.entries.delete(ruleId);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
