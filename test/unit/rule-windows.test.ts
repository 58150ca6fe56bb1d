import { describe, expect, it } from "vitest";
import {
  AGGREGATIONS,
  type BucketRollup,
  type BucketRun,
  bucketRuns,
  foldPoints,
  planQuery,
  rollupOf,
} from "../../src/streaming/rollup";
import { keptValues, valuesByWindow, windowEdges, windowRuns } from "../../src/streaming/rule-windows";
import { SeededRandom } from "../seeded-random";

const S = 10_000;
const M5 = 300_000;
const H = 3_600_000;
const DAY = 24 * H;
const BASE = 1_800_000_000_000; // on every grid (a multiple of an hour)

/** The fine buckets some runs span, each run checked to lie on its resolution's grid. */
function fineBuckets(runs: readonly BucketRun[], fine: number): number[] {
  const out: number[] = [];
  for (const r of runs) {
    expect(r.from % r.resolution_ms, `${JSON.stringify(r)} starts on its grid`).toBe(0);
    expect(r.to % r.resolution_ms, `${JSON.stringify(r)} ends on its grid`).toBe(0);
    for (let b = r.from; b < r.to; b += fine) out.push(b);
  }
  return out.sort((a, b) => a - b);
}

const rowsOf = (runs: readonly BucketRun[]) => runs.reduce((n, r) => n + (r.to - r.from) / r.resolution_ms, 0);
const triples = (runs: readonly BucketRun[]) => runs.map((r) => [r.resolution_ms, r.from - BASE, r.to - BASE]);

describe("bucketRuns", () => {
  it.each([
    ["shorter than a coarser bucket: fine only", 0, 120_000, S, BASE, [[S, 0, 120_000]]],
    ["an aligned hour: one hourly bucket", 0, H, S, BASE, [[H, 0, H]]],
    [
      "a ragged hour: 10 s edges around 5 min buckets",
      170_000,
      170_000 + H,
      S,
      BASE,
      [
        [S, 170_000, M5],
        [M5, M5, H],
        [S, H, 170_000 + H],
      ],
    ],
    [
      "a ragged day of 5 min buckets: hours in the middle",
      7 * M5,
      7 * M5 + DAY,
      M5,
      BASE,
      [
        [M5, 7 * M5, H],
        [H, H, DAY],
        [M5, DAY, 7 * M5 + DAY],
      ],
    ],
    // 100 days on, the hourly buckets of that day are past the default 90-day metric retention.
    ["coarser buckets no longer kept are not used", 0, 2 * H, M5, BASE + 100 * DAY, [[M5, 0, 2 * H]]],
  ] as const)("%s", (_what, from, to, fine, now, expected) => {
    const runs = bucketRuns(BASE + from, BASE + to, fine, Math.max(now, BASE + to));
    expect(triples(runs)).toEqual(expected);
    expect(fineBuckets(runs, fine)).toEqual(
      fineBuckets([{ resolution_ms: fine, from: BASE + from, to: BASE + to }], fine),
    );
  });

  it("covers exactly the fine buckets asked for, 2,000 seeded ranges", () => {
    const rng = new SeededRandom(7);
    for (let i = 0; i < 2_000; i++) {
      const fine = rng.uniform() < 0.5 ? S : M5;
      const from = BASE + Math.floor(rng.uniform() * 3_000) * fine;
      const to = from + Math.floor(rng.uniform() * 2_000) * fine;
      const runs = bucketRuns(from, to, fine, to);
      expect(fineBuckets(runs, fine)).toEqual(fineBuckets([{ resolution_ms: fine, from, to }], fine));
    }
  });
});

describe("a rule's windows read as runs", () => {
  // Rows read per series, the most over every 10 s of a day of `now`s: the fine read against the runs.
  it.each([
    [60, 1, 7, 7],
    [600, 1, 61, 32],
    [3600, 1, 361, 42],
    [86_400, 1, 289, 36],
    [604_800, 1, 169, 169], // already hourly: nothing coarser is stored
    [3600, 31, 32, 32], // an anomaly rule's windows at hourly buckets: one run, one query
  ])("window %i s × %i: at most %i rows read finely, %i as runs", (windowSeconds, windows, fine, asRuns) => {
    let most = { fine: 0, runs: 0, queries: 0 };
    for (let t = 0; t < DAY; t += S) {
      const now = BASE + t + 1_234;
      const { resolution_ms } = planQuery({ windowSeconds: windowSeconds * windows, stepSeconds: windowSeconds, now });
      const edges = windowEdges(now, windowSeconds, windows, resolution_ms);
      const runs = windowRuns(edges, resolution_ms, now);
      most = {
        fine: Math.max(most.fine, ((edges[0] as number) - (edges[windows] as number)) / resolution_ms),
        runs: Math.max(most.runs, rowsOf(runs)),
        queries: Math.max(most.queries, runs.length),
      };
    }
    expect(most.fine).toBe(fine);
    expect(most.runs).toBe(asRuns);
    expect(most.queries).toBeLessThanOrEqual(windows === 1 ? 5 : 1);
  });

  it("splits buckets into consecutive windows ending now, the current one first", () => {
    const at = (bucket: number, value: number): BucketRollup => ({
      name: "m",
      resolution_ms: S,
      bucket,
      rollup: rollupOf(value, bucket),
    });
    const now = 1_000_005_000; // inside the bucket starting at 1_000_000_000
    const rows = [at(1_000_000_000, 1), at(999_950_000, 2), at(999_940_000, 3), at(999_890_000, 7), at(999_870_000, 9)];
    // W = 60 s: window 0 from bucketStart(now − 60 s) = 999_940_000; window 1 from 999_880_000.
    expect(valuesByWindow(rows, windowEdges(now, 60, 3, S), "sum")).toEqual([6, 7, 9]);
    expect(valuesByWindow(rows, windowEdges(now, 60, 4, S), "avg")).toEqual([2, 7, 9, null]);
  });

  it("gives every aggregation what the fine buckets give (seeded points over two days)", () => {
    const rng = new SeededRandom(11);
    const now = BASE + 2 * DAY + 4_321;
    const points = Array.from({ length: 6_000 }, () => ({
      name: "m",
      value: Math.exp(rng.normal()) * 100,
      ts: now - Math.floor(rng.uniform() * 2 * DAY),
    }));
    // Points dated ahead of now (the clock skew lets them in) must not leak into the current window.
    points.push({ name: "m", value: 1e6, ts: now + 4 * 60_000 });
    const stored = [...foldPoints(points, { now }).values()];
    for (const [windowSeconds, windows] of [
      [600, 1],
      [3600, 1],
      [5400, 1],
      [86_400, 1],
      [60, 31],
      [900, 8],
    ] as const) {
      const { resolution_ms } = planQuery({ windowSeconds: windowSeconds * windows, stepSeconds: windowSeconds, now });
      const edges = windowEdges(now, windowSeconds, windows, resolution_ms);
      const runs = windowRuns(edges, resolution_ms, now);
      const inRuns = stored.filter((b) =>
        runs.some((r) => r.resolution_ms === b.resolution_ms && b.bucket >= r.from && b.bucket < r.to),
      );
      const fine = stored.filter((b) => b.resolution_ms === resolution_ms);
      for (const aggregation of AGGREGATIONS) {
        const got = valuesByWindow(inRuns, edges, aggregation);
        const want = valuesByWindow(fine, edges, aggregation);
        const what = `${windowSeconds} s × ${windows}, ${aggregation}`;
        // Sums add the same values in another order: equal up to the last bits. The rest is exact.
        if (aggregation === "sum" || aggregation === "avg") {
          const off = got.map((v, i) =>
            v === null || want[i] === null
              ? v === want[i]
              : Math.abs(v - (want[i] as number)) <= Math.abs(want[i] as number) * 1e-12,
          );
          expect(off, `${what}: ${got} against ${want}`).toEqual(want.map(() => true));
        } else expect(got, what).toEqual(want);
      }
    }
  });
});

describe("keptValues", () => {
  // Four windows of 100: [300, 400) is the current one; retention keeps buckets from 150 on.
  const edges = [400, 300, 200, 100, 0];
  it.each([
    ["baseline windows wholly kept stay", 0, [5, 0, 0, 0]],
    ["a baseline window reaching past retention has no value, not a zero count", 150, [5, 0, null, null]],
    ["one starting exactly at the oldest kept bucket stays", 100, [5, 0, 0, null]],
    ["the current window keeps what it has", 350, [5, null, null, null]],
  ] as const)("%s", (_what, keptFrom, expected) => {
    expect(keptValues([5, 0, 0, 0], edges, keptFrom)).toEqual(expected);
  });
});
