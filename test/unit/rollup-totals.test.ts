/**
 * Totals (count, sum, min, max without a sketch) serve every aggregation but the percentiles: what
 * a tagged rule reads when SQLite adds its rows up (service-rules.ts windowValues), checked against
 * the fold over whole rollups. And the fold never needs its input held: Aggregator takes one at a time.
 */
import { describe, expect, it } from "vitest";
import {
  AGGREGATIONS,
  type Aggregation,
  Aggregator,
  aggregate,
  NO_TOTALS,
  needsSketch,
  type Rollup,
  type RollupTotals,
  rollupOf,
  mergeRollup,
} from "../../src/streaming/rollup";
import { SeededRandom } from "../seeded-random";

const T0 = Date.UTC(2030, 0, 1);

/** SQLite's answer for a set of rollups: the four totals, as taggedTotalsIn returns them. */
function totalsOf(rollups: readonly Rollup[]): RollupTotals {
  const kept = rollups.filter((r) => r.count > 0);
  return {
    count: kept.reduce((n, r) => n + r.count, 0),
    sum: kept.reduce((n, r) => n + r.sum, 0),
    min: Math.min(...kept.map((r) => r.min)),
    max: Math.max(...kept.map((r) => r.max)),
  };
}

const EMPTY = NO_TOTALS;

describe("needsSketch", () => {
  it.each([
    ["count", false],
    ["sum", false],
    ["avg", false],
    ["min", false],
    ["max", false],
    ["p50", true],
    ["p90", true],
    ["p95", true],
    ["p99", true],
  ] as [Aggregation, boolean][])("%s → %s", (aggregation, needs) => {
    expect(needsSketch(aggregation)).toBe(needs);
  });

  it("covers every aggregation", () => {
    expect(AGGREGATIONS.filter(needsSketch)).toEqual(["p50", "p90", "p95", "p99"]);
  });
});

describe("aggregate over totals", () => {
  // Tag sets of one window: each a few points; the window's totals are what SQLite sums.
  const rng = new SeededRandom(20261205);
  const random = () => rng.uniform();
  const sets: Rollup[] = Array.from({ length: 40 }, (_, s) =>
    Array.from({ length: 1 + (s % 5) }, (_, i) =>
      rollupOf(Math.round((random() * 2000 - 500) * 100) / 100, T0 + i),
    ).reduce(mergeRollup),
  );

  it.each(AGGREGATIONS.filter((a) => !needsSketch(a)))("%s of the totals equals %s of the rollups", (aggregation) => {
    const whole = aggregate(sets, aggregation);
    const fromTotals = aggregate([totalsOf(sets)], aggregation);
    expect(fromTotals).not.toBeNull();
    expect(fromTotals as number).toBeCloseTo(whole as number, 9);
  });

  it.each([
    ["count", 0],
    ["sum", 0],
    ["avg", null],
    ["min", null],
    ["max", null],
  ] as [Aggregation, number | null][])(
    "an empty window's totals: %s is %s, as for no rollups",
    (aggregation, value) => {
      expect(aggregate([EMPTY], aggregation)).toBe(value);
      expect(aggregate([], aggregation)).toBe(value);
    },
  );

  it("several runs of one window add up like one", () => {
    const runs = [totalsOf(sets.slice(0, 13)), EMPTY, totalsOf(sets.slice(13))];
    for (const aggregation of ["count", "sum", "avg", "min", "max"] as const) {
      expect(aggregate(runs, aggregation) as number).toBeCloseTo(aggregate(sets, aggregation) as number, 9);
    }
  });

  it.each(["p50", "p90", "p95", "p99"] as const)("%s over totals throws instead of answering without a sketch", (p) => {
    expect(() => aggregate([totalsOf(sets)], p)).toThrow(TypeError);
  });
});

describe("Aggregator", () => {
  it("folded one at a time, equals aggregate over the whole list, for every aggregation", () => {
    const rng = new SeededRandom(7);
    const random = () => rng.uniform();
    const rollups = Array.from({ length: 300 }, (_, i) => rollupOf(random() * 100, T0 + i));
    for (const aggregation of AGGREGATIONS) {
      const folded = new Aggregator(aggregation);
      for (const r of rollups) folded.add(r);
      expect(folded.value()).toBe(aggregate(rollups, aggregation));
    }
  });
});
