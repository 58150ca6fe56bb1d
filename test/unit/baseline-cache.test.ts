import { describe, expect, it } from "vitest";
import { BaselineCache } from "../../src/streaming/baseline-cache";
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
