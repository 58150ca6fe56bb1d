// The live view's pure chart logic (web/src/live): trend arrows, value axes, units, the picks in
// the URL and events per minute over the window. Table-driven (the store is in live-store.test.ts).
import { describe, expect, it } from "vitest";
import { AGGREGATIONS } from "../../src/streaming/rollup";
import type { Operator } from "../../src/streaming/rules";
import type { Trend } from "../../src/streaming/trend";
import { WHOLE_STEPS, yRange } from "../../web/src/live/axis";
import { mergeMinuteSeries, rateOverWindow, seriesMinutesFor } from "../../web/src/live/events-rate";
import { badWayFromRules, liveTrend, trendText, trendTone } from "../../web/src/live/trend";
import { fmtValue, metricUnit, seriesUnit } from "../../web/src/live/units";
import { AGGREGATION_CHOICES, aggregationOf, groupByOf, readView, writeView } from "../../web/src/live/url-state";

describe("liveTrend: a 2× move of the newest points is never stable", () => {
  it.each<[string, Trend, (number | null)[], Trend]>([
    ["10× spike after a flat series, server says stable", "stable", [150, 150, 150, 1500], "up"],
    ["10× spike after a single point", "stable", [150, 1500], "up"],
    ["10× drop", "stable", [1000, 1000, 100], "down"],
    ["spike with empty steps between", "stable", [150, null, null, 150, null, 1500], "up"],
    ["2× exactly is a move", "stable", [100, 100, 200], "up"],
    ["1.5× leaves the server's call", "stable", [100, 100, 150], "stable"],
    ["small wiggle keeps the server's up", "up", [100, 102, 104], "up"],
    ["rise from zero", "stable", [0, 0, 5], "up"],
    ["negative values falling 10×", "stable", [-1, -1, -10], "down"],
    ["one point: the server's call", "down", [1500], "down"],
    ["no points", "up", [null, null], "up"],
    ["the fall right after a spike is a move too", "stable", [150, 1500, 150], "down"],
    [
      "back to normal after one spike in many points: the server's call",
      "stable",
      [150, 150, 150, 1500, 150],
      "stable",
    ],
    // A new metric's level shift (an outside walk: 170 ms for 20 s, then 1,600 ms): the server has
    // no previous 5 minutes yet and says stable; the newest points all sit 9× above what came before.
    ["a level shift that has lasted three points", "stable", [170, 170, 1600, 1600, 1600], "up"],
    ["a level shift, most of the window", "stable", [170, 175, ...Array(20).fill(1600)], "up"],
    ["a level shift down", "stable", [900, 880, 910, 90, 95, 88], "down"],
    ["back down after a short shift is a fall, as after a spike", "stable", [170, 170, 1600, 1600, 170], "down"],
    [
      "mixed newest points after a long flat run: the server's call",
      "stable",
      [170, 170, 170, 170, 1600, 170],
      "stable",
    ],
  ])("%s", (_name, server, values, want) => {
    expect(liveTrend(server, values)).toBe(want);
  });
});

describe("badWayFromRules and the arrow's tone", () => {
  const rules = (...ops: (Operator | null)[]) => ops.map((operator) => ({ operator }));
  it.each<[string, (Operator | null)[], "up" | "down" | "unknown"]>([
    ["no rules", [], "unknown"],
    ["fires on >", ["gt"], "up"],
    ["fires on ≥", ["gte"], "up"],
    ["fires on <", ["lt"], "down"],
    ["fires on ≤ twice", ["lte", "lte"], "down"],
    ["two-sided anomaly rule", [null], "unknown"],
    ["anomaly plus >", [null, "gt"], "up"],
    ["rules disagree", ["gt", "lt"], "unknown"],
  ])("%s", (_name, ops, want) => {
    expect(badWayFromRules(rules(...ops))).toBe(want);
  });

  it.each<[Trend, "up" | "down" | "unknown", string, string]>([
    ["up", "up", "bad", "rising (bad)"],
    ["up", "down", "good", "rising (good)"],
    ["down", "up", "good", "falling (good)"],
    ["down", "down", "bad", "falling (bad)"],
    ["up", "unknown", "neutral", "rising"],
    ["stable", "up", "neutral", "stable"],
  ])("%s with %s bad → %s", (trend, bad, tone, text) => {
    const t = trendTone(trend, bad);
    expect(t).toBe(tone);
    expect(trendText(trend, t)).toBe(text);
  });
});

describe("yRange", () => {
  it.each<[string, (number | null)[], boolean, number[], [number, number]]>([
    ["counts start at 0", [3, 5, 8], true, [], [0, 9]],
    ["tiny counts stay whole, not 0.1 apart", [1, 1, 1], true, [], [0, 2]],
    ["no data: a unit range", [null, null], false, [], [0, 1]],
    ["latencies with headroom", [100, 200], false, [], [90, 210]],
    ["non-negative data never gets a negative axis", [0, 10], false, [], [0, 11]],
    ["a flat value gets a band", [150], false, [], [135, 165]],
    ["a flat zero gets a band", [0], false, [], [0, 1]],
    ["threshold above the data stays in view", [100, 200], false, [1000], [10, 1090]],
    ["threshold below the data stays in view", [500, 600], false, [100], [50, 650]],
    ["negative values", [-10, 10], false, [], [-12, 12]],
    ["negative counts are not clamped", [-2, 3], true, [], [-3, 4]],
  ])("%s", (_name, values, count, marks, want) => {
    const [lo, hi] = yRange(values, { count, marks });
    expect(lo).toBeCloseTo(want[0], 9);
    expect(hi).toBeCloseTo(want[1], 9);
  });

  it("whole-number steps are whole and ascending", () => {
    expect(WHOLE_STEPS.slice(0, 6)).toEqual([1, 2, 5, 10, 20, 50]);
    expect(WHOLE_STEPS.every((v, i) => Number.isInteger(v) && (i === 0 || v > (WHOLE_STEPS[i - 1] ?? 0)))).toBe(true);
  });
});

describe("units", () => {
  it.each([
    ["checkout.latency_ms", "ms", false],
    ["db.query.duration_milliseconds", "ms", false],
    ["job.duration_seconds", "s", false],
    ["job_s", "s", false],
    ["response_bytes", "B", false],
    ["cpu_pct", "%", false],
    ["http.errors_total", "", true],
    ["queue.count", "", true],
    ["temperature", "", false],
    ["items", "", false],
    ["ms", "ms", false],
  ])("%s → %j", (name, symbol, count) => {
    expect(metricUnit(name)).toEqual({ symbol, count });
  });

  it("count aggregation counts points, whatever the metric", () => {
    expect(seriesUnit("checkout.latency_ms", "count")).toEqual({ symbol: "points", count: true });
    expect(seriesUnit("checkout.latency_ms", "p95")).toEqual({ symbol: "ms", count: false });
  });

  it.each([
    [1500, "ms", "1,500 ms"],
    [12.5, "%", "12.5%"],
    [3, "points", "3 points"],
    [0.5, "", "0.5"],
    [null, "ms", "—"],
  ])("fmtValue(%j, %j) = %j", (v, symbol, want) => {
    expect(fmtValue(v, { symbol, count: false })).toBe(want);
  });
});

describe("picks in the URL", () => {
  it("offers exactly the server's aggregations", () => {
    expect([...AGGREGATION_CHOICES].sort()).toEqual([...AGGREGATIONS].sort());
  });

  it.each<[string, string, number, Record<string, string>, Record<string, string>]>([
    ["empty", "", 900, {}, {}],
    ["a window", "window=3600", 3600, {}, {}],
    ["an unknown window falls back", "window=42", 900, {}, {}],
    ["a non-numeric window falls back", "window=abc", 900, {}, {}],
    ["per-metric aggregation, dots in names", "agg.checkout.latency_ms=p95", 900, { "checkout.latency_ms": "p95" }, {}],
    ["an unknown aggregation is dropped", "agg.x=median", 900, {}, {}],
    ["group by", "group_by.req%3Acount=region", 900, {}, { "req:count": "region" }],
    ["an empty group by is dropped", "group_by.x=", 900, {}, {}],
    ["a prefix without a metric is dropped", "agg.=p95&group_by.=region", 900, {}, {}],
  ])("reads %s", (_name, search, windowSeconds, aggregation, groupBy) => {
    expect(readView(new URLSearchParams(search))).toEqual({ windowSeconds, aggregation, groupBy });
  });

  it("round-trips, keeps other parameters, and leaves the default window out", () => {
    const view = {
      windowSeconds: 3600,
      aggregation: { "b.ms": "p99", "a.ms": "avg" },
      groupBy: { "a.ms": "region" },
    } as const;
    const search = writeView(view, new URLSearchParams("tab=x&window=300&agg.old=max"));
    expect(search).toBe("?tab=x&window=3600&agg.a.ms=avg&agg.b.ms=p99&group_by.a.ms=region");
    expect(readView(new URLSearchParams(search))).toEqual(view);
    expect(writeView({ windowSeconds: 900, aggregation: {}, groupBy: { x: "" } })).toBe("");
  });

  it("falls back to a rule's aggregation only without a pick", () => {
    const view = readView(new URLSearchParams("agg.a=avg"));
    expect(aggregationOf(view, "a", "max")).toBe("avg");
    expect(aggregationOf(view, "b", "max")).toBe("max");
    expect(aggregationOf(view, "b")).toBe("avg");
    expect(groupByOf(view, "b")).toBe("");
  });
});

describe("rateOverWindow", () => {
  const series = Array.from({ length: 30 }, (_, i) => ({ t: new Date(i * 60_000).toISOString(), count: i }));
  it.each<[string, number, number, number, number, boolean]>([
    // window s, minutes, per minute, peak, clipped
    ["5 minutes: the last 5 points", 300, 5, (25 + 26 + 27 + 28 + 29) / 5, 29, false],
    ["15 minutes", 900, 15, (15 + 29) / 2, 29, false],
    ["1 hour: the whole 30-minute series, said so", 3600, 30, 14.5, 29, true],
  ])("%s", (_name, windowSeconds, minutes, perMinute, peak, clipped) => {
    const r = rateOverWindow(series, windowSeconds);
    expect(r.minutes).toBe(minutes);
    expect(r.points).toHaveLength(minutes);
    expect(r.perMinute).toBeCloseTo(perMinute, 9);
    expect(r.peak).toBe(peak);
    expect(r.clipped).toBe(clipped);
  });

  it("an empty series is zero, not NaN", () => {
    expect(rateOverWindow([], 300)).toEqual({ minutes: 0, points: [], perMinute: 0, peak: 0, clipped: true });
  });
});

describe("seriesMinutesFor", () => {
  it.each([
    [300, 30], // a short window still gets the snapshot's 30 minutes
    [900, 30],
    [3600, 60],
    [21600, 360],
    [86400, 1440],
    [604800, 1440], // beyond a day: a day (the chart says it is clipped)
  ])("window %i s asks for %i minutes", (windowSeconds, minutes) => {
    expect(seriesMinutesFor(windowSeconds)).toBe(minutes);
  });
});

describe("mergeMinuteSeries", () => {
  const at = (minute: number, count: number) => ({
    t: new Date(Date.UTC(2026, 11, 3, 12, minute)).toISOString(),
    count,
  });
  const held = [at(0, 1), at(1, 2), at(2, 3), at(3, 4), at(4, 5)];
  it.each([
    ["no held series: the fresh one", undefined, [at(3, 9), at(4, 9)], [at(3, 9), at(4, 9)]],
    ["held no longer than fresh: the fresh one", [at(4, 1)], [at(3, 9), at(4, 9)], [at(3, 9), at(4, 9)]],
    [
      "a snapshot over a longer poll: its minutes replace, the older stay",
      held,
      [at(3, 9), at(4, 9)],
      [at(0, 1), at(1, 2), at(2, 3), at(3, 9), at(4, 9)],
    ],
    [
      "a snapshot a minute later: same length, the oldest minute drops",
      held,
      [at(4, 9), at(5, 7)],
      [at(1, 2), at(2, 3), at(3, 4), at(4, 9), at(5, 7)],
    ],
  ])("%s", (_label, before, fresh, want) => {
    expect(mergeMinuteSeries(before, fresh)).toEqual(want);
  });
});
