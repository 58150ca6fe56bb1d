import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type BucketRollup,
  type MetricPoint,
  type Rollup,
  AGGREGATIONS,
  aggregate,
  bucketStart,
  chooseResolution,
  defaultStepSeconds,
  foldPoints,
  fromRow,
  latestAndTrend,
  mergeRollup,
  mergeStored,
  needsSketch,
  planQuery,
  querySeries,
  retentionCutoffs,
  rollupKey,
  rollupOf,
  toRow,
  trendQueryRange,
} from "../../src/streaming/rollup";
import { valuesByWindow, windowEdges } from "../../src/streaming/rule-windows";
import { quantileRank } from "../../src/streaming/sketch";

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const D = 24 * H;
// A round instant (a multiple of 1 day), so bucket arithmetic in the tables is readable.
const T0 = Date.UTC(2030, 0, 1);

function fold(points: MetricPoint[], now?: number): BucketRollup[] {
  return [...foldPoints(points, now === undefined ? {} : { now }).values()];
}

function comparable(r: Rollup) {
  const { sketch, ...rest } = r;
  return { ...rest, sketch: sketch.toJSON() };
}

describe("bucketStart", () => {
  it.each([
    [T0 + 12_345, 10 * S, T0 + 10_000],
    [T0 + 10_000, 10 * S, T0 + 10_000],
    [T0 + 299_999, 5 * MIN, T0],
    [T0 + 3 * H + 1, H, T0 + 3 * H],
    [-1, 10 * S, -10_000],
    [0, H, 0],
  ])("bucketStart(%i, %i) = %i", (ts, res, expected) => {
    expect(bucketStart(ts, res)).toBe(expected);
  });
});

describe("foldPoints / mergeStored / rows", () => {
  it("writes each point to one bucket per resolution, grouping by name and bucket", () => {
    const folded = foldPoints([
      { name: "latency", value: 10, ts: T0 + 1_000 },
      { name: "latency", value: 30, ts: T0 + 9_000 },
      { name: "latency", value: 20, ts: T0 + 11_000 },
      { name: "errors", value: 1, ts: T0 + 2_000 },
    ]);
    const fine = folded.get(rollupKey("latency", 10 * S, T0));
    expect(fine?.rollup).toMatchObject({ count: 2, sum: 40, min: 10, max: 30, last: 30, last_at: T0 + 9_000 });
    expect(folded.get(rollupKey("latency", 10 * S, T0 + 10_000))?.rollup.count).toBe(1);
    expect(folded.get(rollupKey("latency", 5 * MIN, T0))?.rollup).toMatchObject({ count: 3, sum: 60, last: 20 });
    expect(folded.get(rollupKey("latency", H, T0))?.rollup.count).toBe(3);
    expect(folded.get(rollupKey("errors", H, T0))?.rollup.count).toBe(1);
    expect(folded.size).toBe(3 + 2 + 3 - 1); // latency: 2 fine + 5m + 1h; errors: 1 + 1 + 1
  });

  it("skips buckets past their retention when given now", () => {
    const now = T0 + 40 * D;
    const resolutions = fold([{ name: "m", value: 1, ts: now - 2 * D }], now).map((b) => b.resolution_ms);
    expect(resolutions.sort((a, b) => a - b)).toEqual([5 * MIN, H]);
    expect(fold([{ name: "m", value: 1, ts: now - 31 * D }], now).map((b) => b.resolution_ms)).toEqual([H]);
  });

  it("rejects non-finite values", () => {
    expect(() => foldPoints([{ name: "m", value: Number.NaN, ts: T0 }])).toThrow(RangeError);
  });

  it("merges stored rows into the batch (and only those that share a key), without mutating inputs", () => {
    const batch = foldPoints([{ name: "m", value: 5, ts: T0 + 1_000 }]);
    const stored = fold([
      { name: "m", value: 7, ts: T0 + 2_000 },
      { name: "m", value: 1, ts: T0 + 20_000 }, // a 10 s bucket the batch does not touch
    ]).map((b) => fromRow(JSON.parse(JSON.stringify(toRow(b)))));
    const merged = mergeStored(batch, stored);
    expect(merged).toHaveLength(3);
    const fine = merged.find((b) => b.resolution_ms === 10 * S);
    expect(fine?.rollup).toMatchObject({ count: 2, sum: 12, min: 5, max: 7, last: 7, last_at: T0 + 2_000 });
    const hour = merged.find((b) => b.resolution_ms === H);
    expect(hour?.rollup.count).toBe(3);
    expect(batch.get(rollupKey("m", 10 * S, T0))?.rollup.count).toBe(1);
  });

  it("round-trips through a flat row with a JSON sketch", () => {
    const [b] = fold([
      { name: "a|b", value: -3.5, ts: T0 },
      { name: "a|b", value: 0, ts: T0 + 1 },
    ]);
    if (b === undefined) throw new Error("no rollup");
    const row = toRow(b);
    expect(typeof row.sketch).toBe("string");
    expect(Object.keys(row).sort()).toEqual(
      ["bucket", "count", "last", "last_at", "max", "min", "name", "resolution_ms", "sketch", "sum"].sort(),
    );
    const back = fromRow(row);
    expect(comparable(back.rollup)).toEqual(comparable(b.rollup));
    expect(fromRow({ ...row, sketch: JSON.parse(row.sketch) }).rollup.count).toBe(2);
  });
});

describe("mergeRollup", () => {
  const rollupArb = fc
    .array(fc.record({ value: fc.integer({ min: -1000, max: 1000 }), ts: fc.integer({ min: 0, max: 100 }) }), {
      minLength: 1,
      maxLength: 20,
    })
    .map((points) => points.map((p) => rollupOf(p.value, p.ts)).reduce((a, b) => mergeRollup(a, b)));

  it("is associative and commutative (every field, including the sketch bins and last value)", () => {
    fc.assert(
      fc.property(rollupArb, rollupArb, rollupArb, (a, b, c) => {
        const left = comparable(mergeRollup(mergeRollup(a, b), c));
        expect(comparable(mergeRollup(a, mergeRollup(b, c)))).toEqual(left);
        expect(comparable(mergeRollup(c, mergeRollup(b, a)))).toEqual(left);
      }),
    );
  });

  it("does not modify its inputs", () => {
    const a = rollupOf(1, 1);
    const b = rollupOf(2, 2);
    mergeRollup(a, b);
    expect(comparable(a)).toEqual(comparable(rollupOf(1, 1)));
  });
});

describe("resolution and step choice", () => {
  it.each([
    [300, 10],
    [3600, 60],
    [3 * 3600, 300],
    [86400, 1800],
    [7 * 86400, 10800],
    [30 * 86400, 43200],
    [365 * 86400, 604800],
  ])("defaultStepSeconds(%i) = %i", (w, step) => {
    expect(defaultStepSeconds(w)).toBe(step);
  });

  it.each([
    // window, step, resolution ms, why
    [60, 60, 10 * S, "rule over 1 min: finest"],
    [300, 10, 10 * S, "5 min at 10 s"],
    [3600, 60, 10 * S, "1 h by minute: 360 fine buckets"],
    [3600, 300, 10 * S, "step allows 5 min, but W/30 = 2 min keeps edges sharp"],
    [6 * 3600, 600, 5 * MIN, "6 h: coarsest ≤ step and ≤ W/30"],
    [86400, 1800, 5 * MIN, "24 h default"],
    [86400, 10, 5 * MIN, "24 h at 10 s would read 8640 buckets: cap"],
    [2 * 86400, 60, 5 * MIN, "10 s buckets only kept 24 h"],
    [7 * 86400, 10800, H, "7 d default"],
    [7 * 86400, 300, 5 * MIN, "7 d at 5 min: 2016 buckets, under the cap"],
    [60 * 86400, 3600, H, "beyond 30 d: hourly"],
    [400 * 86400, 86400, H, "beyond every retention: coarsest"],
  ])("chooseResolution(%i s, step %i s) = %i ms (%s)", (w, step, res) => {
    expect(chooseResolution(w, step, T0)).toBe(res);
  });

  it("planQuery rounds the step to the resolution and caps the number of points", () => {
    expect(planQuery({ windowSeconds: 3600, stepSeconds: 45, now: T0 })).toMatchObject({
      resolution_ms: 10 * S,
      step_ms: 50 * S,
    });
    expect(planQuery({ windowSeconds: 300, stepSeconds: 1, now: T0 })).toMatchObject({ step_ms: 10 * S });
    expect(planQuery({ windowSeconds: 8 * 3600, stepSeconds: 10, now: T0 }).step_ms).toBe(30 * S); // 28800/1000 → 28.8 → 30
    expect(planQuery({ windowSeconds: 300, now: T0 + 5_000 })).toEqual({
      resolution_ms: 10 * S,
      step_ms: 10 * S,
      from: T0 - 300 * S,
      to: T0 + 5_000,
    });
    expect(() => planQuery({ windowSeconds: 0, now: T0 })).toThrow(RangeError);
  });

  it("retentionCutoffs per resolution", () => {
    expect(retentionCutoffs(T0 + 5_000)).toEqual([
      { resolution_ms: 10 * S, before: T0 - D },
      { resolution_ms: 5 * MIN, before: T0 - 30 * D },
      { resolution_ms: H, before: T0 - 90 * D },
    ]);
    expect(retentionCutoffs(T0, 7 * D).map((c) => c.before)).toEqual([T0 - D, T0 - 7 * D, T0 - 7 * D]);
  });
});

describe("querySeries", () => {
  const now = T0 + 65 * S; // inside the step [T0+60 s, T0+120 s)
  // Window 180 s: (T0−115 s, now]; the first bucket read is T0−120 s (it overlaps the window start).
  const points: MetricPoint[] = [
    { name: "m", value: 999, ts: T0 - 121 * S }, // bucket T0−130 s: entirely before the window
    { name: "m", value: 4, ts: T0 - 58 * S },
    { name: "m", value: 1, ts: T0 + 1 * S },
    { name: "m", value: 3, ts: T0 + 12 * S },
    { name: "m", value: 8, ts: T0 + 61 * S },
    { name: "m", value: 777, ts: T0 + 75 * S }, // a 10 s bucket after now (client clock ahead): ignored
  ];
  const rows = fold(points);

  it.each([
    ["count", 4, [0, 1, 2, 1]],
    ["sum", 16, [0, 4, 4, 8]],
    ["avg", 4, [null, 4, 2, 8]],
    ["min", 1, [null, 4, 1, 8]],
    ["max", 8, [null, 4, 3, 8]],
  ] as const)(
    "%s over 4 steps of 60 s; an empty step is 0 for count/sum, null otherwise",
    (aggregation, value, values) => {
      const result = querySeries(rows, { windowSeconds: 180, stepSeconds: 60, aggregation, now });
      expect(result).toMatchObject({ resolution_ms: 10 * S, step_seconds: 60, from: T0 - 120 * S, to: now, value });
      expect(result.series).toEqual(
        [T0 - 120 * S, T0 - 60 * S, T0, T0 + 60 * S].map((t, i) => ({ t, value: values[i] })),
      );
    },
  );

  it("includes the bucket overlapping the window start, excludes the one before it", () => {
    const edge = fold([
      { name: "m", value: 1, ts: T0 - 61 * S }, // bucket T0−70 s ends at T0−60 s: before (T0−55 s, …]
      { name: "m", value: 2, ts: T0 - 59 * S }, // bucket T0−60 s overlaps
    ]);
    expect(querySeries(edge, { windowSeconds: 60, aggregation: "sum", now: T0 + 5 * S }).value).toBe(2);
  });

  it("percentiles over the window match exact nearest-rank within 1%", () => {
    const many: MetricPoint[] = [];
    for (let i = 1; i <= 5000; i++) many.push({ name: "lat", value: i * i, ts: T0 - 250 * S + ((i * 37) % 250_000) });
    const sorted = many.map((p) => p.value).sort((a, b) => a - b);
    const fineRows = fold(many);
    for (const [aggregation, q] of [
      ["p50", 0.5],
      ["p90", 0.9],
      ["p95", 0.95],
      ["p99", 0.99],
    ] as const) {
      const exact = sorted[quantileRank(q, sorted.length) - 1] as number;
      const got = querySeries(fineRows, { windowSeconds: 300, aggregation, now: T0 }).value as number;
      expect(Math.abs(got - exact) / exact).toBeLessThan(0.01);
    }
  });

  it("ignores other resolutions and other windows; an empty window gives 0 or null", () => {
    expect(querySeries([], { windowSeconds: 60, aggregation: "p99", now }).value).toBeNull();
    expect(querySeries([], { windowSeconds: 60, aggregation: "count", now }).value).toBe(0);
    // A 24 h window reads 5 min buckets only: the 10 s and 1 h rows passed too are not counted again.
    // The future point counts here: its 5 min bucket (T0) has started. Ingest should clamp future ts.
    expect(querySeries(rows, { windowSeconds: 86400, aggregation: "count", now }).value).toBe(6);
  });

  // The three forms a read hands the fold (service-tags.ts): rows parsed, each sketch as stored
  // (JSON text, merged without parsing), and totals without a sketch for every other aggregation.
  it.each(AGGREGATIONS.map((a) => [a]))(
    "%s: rows with stored sketches or totals only fold as parsed rows do",
    (aggregation) => {
      const options = { windowSeconds: 180, stepSeconds: 60, aggregation, now };
      const parsed = querySeries(rows, options);
      const stored = rows.map((b) => ({ ...b, rollup: { ...b.rollup, sketch: JSON.stringify(b.rollup.sketch) } }));
      expect(querySeries(stored, options)).toEqual(parsed);
      const totals = rows.map(({ resolution_ms, bucket, rollup: { count, sum, min, max } }) => ({
        resolution_ms,
        bucket,
        rollup: { count, sum, min, max },
      }));
      if (needsSketch(aggregation)) expect(() => querySeries(totals, options)).toThrow(TypeError);
      else expect(querySeries(totals, options)).toEqual(parsed);
    },
  );

  it("a rule's window value equals the series value", () => {
    const { resolution_ms } = planQuery({ windowSeconds: 180, stepSeconds: 180, now });
    const edges = windowEdges(now, 180, 1, resolution_ms);
    const read = rows.filter((b) => b.resolution_ms === resolution_ms);
    for (const aggregation of ["count", "avg", "p95"] as const) {
      expect(valuesByWindow(read, edges, aggregation)[0]).toBe(
        querySeries(rows, { windowSeconds: 180, aggregation, now }).value,
      );
    }
  });

  it("aggregate clamps percentiles into [min, max]", () => {
    const single = [rollupOf(123.456, T0)];
    expect(aggregate(single, "p50")).toBe(123.456);
    expect(aggregate(single, "p99")).toBe(123.456);
  });
});

describe("latestAndTrend", () => {
  const now = T0 + 10 * MIN;
  function steady(from: number, to: number, value: number): MetricPoint[] {
    const out: MetricPoint[] = [];
    for (let ts = from; ts < to; ts += 20 * S) out.push({ name: "m", value, ts });
    return out;
  }

  it.each([
    ["up", 100, 120],
    ["down", 100, 80],
    ["stable", 100, 103],
  ] as const)("%s: previous 5 min at %i, last 5 min at %i", (trend, before, after) => {
    const rows = fold([...steady(now - 10 * MIN, now - 5 * MIN, before), ...steady(now - 5 * MIN, now, after)]);
    const result = latestAndTrend(rows, now);
    expect(result.trend).toBe(trend);
    expect(result.latest).toBe(after);
    expect(result.latest_at).toBe(now - 20 * S);
    expect(result.recent.count).toBe(15);
    expect(result.previous.count).toBe(15);
  });

  it("stable with too little data; latest from any resolution", () => {
    const rows = fold([
      { name: "m", value: 1, ts: now - 7 * MIN },
      { name: "m", value: 50, ts: now - MIN },
    ]);
    expect(latestAndTrend(rows, now)).toMatchObject({ trend: "stable", latest: 50, latest_at: now - MIN });
    expect(latestAndTrend([], now)).toMatchObject({ trend: "stable", latest: null, latest_at: null });
  });

  it("trendQueryRange names the rows to read", () => {
    expect(trendQueryRange(now)).toEqual({ resolution_ms: 10 * S, from: now - 10 * MIN });
  });
});
