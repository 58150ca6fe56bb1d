import { describe, expect, it } from "vitest";
import { BaselineCache, CHART_READERS } from "../../src/streaming/baseline-cache";
import { inTransaction, type OrgContext } from "../../src/streaming/service-types";

const entry = (series: string, until: number, key = "k") => ({ key, series, until, values: [1, null, 3] });

describe("BaselineCache", () => {
  it("answers only for the key it was read for", () => {
    const cache = new BaselineCache();
    cache.set("r1", entry("lat", 1_000));
    expect(cache.get("r1", "k")).toEqual([1, null, 3]);
    expect(cache.get("r1", "other edges")).toBeUndefined();
    expect(cache.get("r2", "k")).toBeUndefined();
  });

  it.each([
    // [written series, oldest point, kept?]
    ["lat", 999, false], // inside the windows: dropped
    ["lat", 0, false],
    ["lat", 1_000, true], // from the end of the windows on: the current window's, not cached
    ["lat", 5_000, true],
    ["err", 0, true], // another series
    ["la", 0, true], // not a prefix match
  ] as [string, number, boolean][])("a write of %s from %d keeps it: %s", (series, oldest, kept) => {
    const cache = new BaselineCache();
    cache.set("r1", entry("lat", 1_000));
    cache.written(series, oldest);
    expect(cache.get("r1", "k") !== undefined).toBe(kept);
  });

  it("a write drops every entry it reaches and no other", () => {
    const cache = new BaselineCache();
    cache.set("a", entry("@models/confidence", 1_000));
    cache.set("b", entry("@models/latency_ms", 2_000));
    cache.set("c", entry("lat", 2_000));
    // A prediction batch: both model statistics from its oldest prediction on, a later one too.
    cache.writtenBatch([{ ts: 1_800 }, { ts: 1_500 }], () => ["@models/confidence", "@models/latency_ms"]);
    expect([cache.get("a", "k"), cache.get("b", "k") !== undefined, cache.get("c", "k") !== undefined]).toEqual([
      [1, null, 3],
      false,
      true,
    ]);
  });

  it("an empty cache does not look at a batch's points (every ingest calls it)", () => {
    const cache = new BaselineCache();
    expect(() =>
      cache.writtenBatch([{ ts: 0 }], () => {
        throw new Error("read");
      }),
    ).not.toThrow();
  });

  it("forgets one rule, or everything", () => {
    const cache = new BaselineCache();
    cache.set("a", entry("lat", 1));
    cache.set("b", entry("lat", 1));
    cache.forget("a");
    expect(cache.size).toBe(1);
    cache.clear();
    expect(cache.size).toBe(0);
  });
});

const merged = (bucket: number, resolution_ms = 60_000, sketch = "{}") => ({
  resolution_ms,
  bucket,
  count: 1,
  sum: 1,
  min: 1,
  max: 1,
  sketch,
});
/** The buckets a rule holds for a read, as "resolution:start". */
const held = (cache: BaselineCache, ruleId: string, key: string, starts: [number, number][]) =>
  starts.filter(([res, b]) => cache.mergedBucket(ruleId, key, res, b) !== undefined).map(([res, b]) => `${res}:${b}`);

describe("BaselineCache merged buckets (tagged percentile rules)", () => {
  const all: [number, number][] = [
    [60_000, 0],
    [60_000, 60_000],
    [60_000, 120_000],
    [300_000, 0],
  ];
  const filled = () => {
    const cache = new BaselineCache();
    cache.readingMerged("r1", "k", "lat", 0);
    for (const [res, b] of all) cache.keepMerged("r1", "k", merged(b, res));
    return cache;
  };

  it("answers only for the rule and the read they were merged for", () => {
    const cache = filled();
    expect(held(cache, "r1", "k", all)).toHaveLength(4);
    expect(held(cache, "r1", "other tag sets", all)).toEqual([]);
    expect(held(cache, "r2", "k", all)).toEqual([]);
  });

  it.each([
    // [written series, oldest point, buckets kept]
    ["lat", 120_000, ["60000:0", "60000:60000"]], // the bucket holding it and later ones go
    ["lat", 119_999, ["60000:0"]],
    ["lat", 60_000, ["60000:0"]], // a coarse bucket goes with any point inside it
    ["lat", 0, []],
    ["lat", 300_000, ["60000:0", "60000:60000", "60000:120000", "300000:0"]],
    ["err", 0, ["60000:0", "60000:60000", "60000:120000", "300000:0"]],
  ] as [string, number, string[]][])("a write of %s from %d keeps %j", (series, oldest, kept) => {
    const cache = filled();
    cache.written(series, oldest);
    expect(held(cache, "r1", "k", all)).toEqual(kept);
    cache.writtenBatch([{ ts: oldest }], () => [series]); // the same through a batch: nothing more goes
    expect(held(cache, "r1", "k", all)).toEqual(kept);
  });

  it.each([
    // [start of the oldest window, buckets kept]
    [0, 4],
    [60_000, 3], // the first minute ended there
    [120_000, 2],
    [300_000, 0], // the coarse bucket too
  ])("a read from %d drops the buckets that ended by then: %d kept", (from, kept) => {
    const cache = filled();
    cache.readingMerged("r1", "k", "lat", from);
    expect(held(cache, "r1", "k", all)).toHaveLength(kept);
    expect(cache.mergedSize.buckets).toBe(kept);
  });

  it("a read of other tag sets starts the rule over; a bucket kept twice counts once", () => {
    const cache = filled();
    cache.keepMerged("r1", "k", merged(0));
    expect(cache.mergedSize.buckets).toBe(4);
    cache.readingMerged("r1", "k2", "lat", 0);
    expect(cache.mergedSize).toEqual({ buckets: 0, bytes: 0, charts: 0, chartBytes: 0 });
    cache.keepMerged("r1", "k", merged(0)); // a read of the old key no longer keeps anything
    expect(cache.mergedSize.buckets).toBe(0);
  });

  it("keeps buckets only within its byte budget, and frees their bytes when they go", () => {
    const cache = new BaselineCache(1_000);
    cache.readingMerged("r1", "k", "lat", 0);
    for (let b = 0; b < 10; b++) cache.keepMerged("r1", "k", merged(b * 60_000, 60_000, "x".repeat(200)));
    // 296 bytes each against 1,000: three fit, the rest are read again each time
    expect(cache.mergedSize).toEqual({ buckets: 3, bytes: 888, charts: 0, chartBytes: 0 });
    cache.written("lat", 60_000);
    expect(cache.mergedSize).toEqual({ buckets: 1, bytes: 296, charts: 0, chartBytes: 0 });
    cache.forget("r1");
    expect(cache.mergedSize).toEqual({ buckets: 0, bytes: 0, charts: 0, chartBytes: 0 });
  });

  it("holds the buckets of the CHART_READERS charts read most recently: one more forgets the one read longest ago", () => {
    const cache = new BaselineCache();
    const chart = (n: number) => {
      cache.readingChart(`chart ${n}`, `k${n}`, "lat", 0);
      cache.keepMerged(`chart ${n}`, `k${n}`, merged(0));
    };
    const last = CHART_READERS + 1;
    for (let n = 1; n <= CHART_READERS; n++) chart(n);
    chart(1); // read again: now the most recent
    chart(last);
    expect(cache.mergedSize).toMatchObject({ buckets: CHART_READERS, charts: CHART_READERS });
    expect(cache.mergedBucket("chart 2", "k2", 60_000, 0)).toBeUndefined();
    for (const n of [1, 3, CHART_READERS, last])
      expect(cache.mergedBucket(`chart ${n}`, `k${n}`, 60_000, 0)).toBeDefined();
    // Rules are not charts: they are never forgotten to make room for one.
    cache.readingMerged("r1", "k", "lat", 0);
    cache.keepMerged("r1", "k", merged(0));
    chart(last + 1);
    expect(cache.mergedBucket("r1", "k", 60_000, 0)).toBeDefined();
    expect(cache.mergedSize).toMatchObject({ buckets: CHART_READERS + 1, charts: CHART_READERS });
  });

  it("charts hold at most half of the budget, so rules can always keep theirs", () => {
    const cache = new BaselineCache(1_000);
    const big = (b: number) => merged(b * 60_000, 60_000, "x".repeat(200)); // 296 bytes
    cache.readingChart("chart a", "k", "lat", 0);
    for (let b = 0; b < 5; b++) cache.keepMerged("chart a", "k", big(b));
    expect(cache.mergedSize).toEqual({ buckets: 1, bytes: 296, charts: 1, chartBytes: 296 });
    cache.readingMerged("r1", "k", "lat", 0);
    for (let b = 0; b < 5; b++) cache.keepMerged("r1", "k", big(b));
    expect(cache.mergedSize).toEqual({ buckets: 3, bytes: 888, charts: 1, chartBytes: 296 });
    cache.written("lat", 0); // a write drops charts' buckets as it drops rules'
    expect(cache.mergedSize).toEqual({ buckets: 0, bytes: 0, charts: 1, chartBytes: 0 });
    cache.keepMerged("chart a", "k", big(0));
    cache.clear();
    expect(cache.mergedSize).toEqual({ buckets: 0, bytes: 0, charts: 0, chartBytes: 0 });
  });

  it("clear() drops them with the baselines", () => {
    const cache = filled();
    cache.clear();
    expect(cache.mergedSize).toEqual({ buckets: 0, bytes: 0, charts: 0, chartBytes: 0 });
    expect(held(cache, "r1", "k", all)).toEqual([]);
  });
});

describe("inTransaction", () => {
  const ctxWith = (baselines: BaselineCache, transactionSync: (fn: () => unknown) => unknown) =>
    ({
      sql: {} as SqlStorage,
      storage: { transactionSync } as unknown as DurableObjectStorage,
      now: 0,
      retention: {} as OrgContext["retention"],
      publish: () => {},
      listening: () => false,
      baselines,
    }) satisfies OrgContext;

  it("clears the cached baselines when the transaction throws: what it read may be rolled back", () => {
    const baselines = new BaselineCache();
    const ctx = ctxWith(baselines, (fn) => {
      fn();
      throw new Error("SQLITE_FULL");
    });
    expect(() =>
      inTransaction(ctx, (tx) => tx.baselines?.set("r1", { key: "k", series: "lat", until: 1, values: [2] })),
    ).toThrow("SQLITE_FULL");
    expect(baselines.size).toBe(0);
  });

  it("keeps them when it commits", () => {
    const baselines = new BaselineCache();
    const ctx = ctxWith(baselines, (fn) => fn());
    inTransaction(ctx, (tx) => tx.baselines?.set("r1", { key: "k", series: "lat", until: 1, values: [2] }));
    expect(baselines.get("r1", "k")).toEqual([2]);
  });
});
