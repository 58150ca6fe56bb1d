import { describe, expect, it } from "vitest";
import { planFlush } from "../../src/streaming/coalesce";
import { sourceHealth } from "../../src/streaming/health";
import { computeTrend, relativeChange } from "../../src/streaming/trend";

const NOW = 1_900_000_000_000;
const MIN = 60_000;

describe("sourceHealth", () => {
  it.each([
    ["never received anything", null, 0, null, "idle"],
    ["event 10 s ago", NOW - 10_000, 3, null, "healthy"],
    ["event exactly 5 min ago", NOW - 5 * MIN, 0, null, "idle"],
    ["event 4 min 59 s ago, counter lagging", NOW - 5 * MIN + 1000, 0, null, "healthy"],
    ["last event 30 min ago", NOW - 30 * MIN, 0, null, "idle"],
    ["last event exactly 60 min ago", NOW - 60 * MIN, 0, null, "idle"],
    ["last event 61 min ago", NOW - 61 * MIN, 0, null, "stale"],
    ["error 1 min ago despite traffic", NOW - 1000, 50, NOW - MIN, "error"],
    ["error 6 min ago, traffic since", NOW - 1000, 50, NOW - 6 * MIN, "healthy"],
    ["error 6 min ago, silent 2 h", NOW - 120 * MIN, 0, NOW - 6 * MIN, "stale"],
    ["event timestamp in the future (skew)", NOW + 60_000, 0, null, "healthy"],
  ] as const)("%s → %s", (_label, lastEventAt, count, lastErrorAt, expected) => {
    expect(
      sourceHealth({ last_event_at: lastEventAt, events_last_5m: count, last_error_at: lastErrorAt, now: NOW }),
    ).toBe(expected);
  });
});

describe("computeTrend", () => {
  it.each([
    ["up 10%", { count: 10, sum: 1100 }, { count: 10, sum: 1000 }, "up"],
    ["down 10%", { count: 10, sum: 900 }, { count: 10, sum: 1000 }, "down"],
    ["within 5%", { count: 10, sum: 1040 }, { count: 10, sum: 1000 }, "stable"],
    ["from zero to positive", { count: 5, sum: 5 }, { count: 5, sum: 0 }, "up"],
    ["both zero", { count: 5, sum: 0 }, { count: 5, sum: 0 }, "stable"],
    ["negative means: -100 → -50 is up", { count: 5, sum: -250 }, { count: 5, sum: -500 }, "up"],
    ["too few recent points", { count: 2, sum: 1000 }, { count: 10, sum: 10 }, "stable"],
    ["no previous data", { count: 10, sum: 1000 }, { count: 0, sum: 0 }, "stable"],
  ] as const)("%s → %s", (_label, recent, previous, expected) => {
    expect(computeTrend(recent, previous)).toBe(expected);
  });

  it("relative change is symmetric and bounded", () => {
    expect(relativeChange(110, 100)).toBeCloseTo(10 / 110);
    expect(relativeChange(0, 0)).toBe(0);
    expect(relativeChange(-1, 1)).toBe(-2);
  });
});

describe("planFlush (≤ 10 messages a second)", () => {
  it.each([
    ["nothing pending", { pending: 0, last_flush_at: null }, { action: "idle" }],
    ["first batch ever", { pending: 3, last_flush_at: null }, { action: "flush" }],
    ["quiet for a while", { pending: 3, last_flush_at: NOW - 500 }, { action: "flush" }],
    ["exactly 100 ms later", { pending: 3, last_flush_at: NOW - 100 }, { action: "flush" }],
    ["burst 30 ms after a flush", { pending: 3, last_flush_at: NOW - 30 }, { action: "schedule", at: NOW + 70 }],
    ["clock went back 10 s", { pending: 3, last_flush_at: NOW + 10_000 }, { action: "flush" }],
  ] as const)("%s", (_label, input, expected) => {
    expect(planFlush({ ...input, now: NOW })).toEqual(expected);
  });
});
