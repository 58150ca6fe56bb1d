import { describe, expect, it } from "vitest";
import type { ModelsSummary } from "../../web/src/api/types";
import {
  CONFIDENCE_DELTA,
  LATENCY_RATIO,
  MIN_PREDICTIONS_TO_COMPARE,
  parseWindow,
  versionLabel,
  versionNotes,
  WINDOWS,
  windowOf,
  windowSearch,
} from "../../web/src/models/compare";

type Version = ModelsSummary["models"][number]["versions"][number];

const version = (over: {
  model_version?: string | null;
  predictions?: number;
  mean?: number;
  p95?: number | null;
}): Version => ({
  model_version: over.model_version === undefined ? "v1" : over.model_version,
  predictions: over.predictions ?? 1000,
  share: 0.5,
  confidence: { mean: over.mean ?? 0.8, min: 0, max: 1, quantiles: { p10: 0, p25: 0, p50: 0, p75: 0, p90: 0 } },
  latency_ms:
    over.p95 === null ? null : { count: 1, mean: 1, max: 1, quantiles: { p50: 1, p95: over.p95 ?? 40, p99: 1 } },
  last_at: "2030-01-01T00:00:00.000Z",
  series: [],
});

describe("the page's windows", () => {
  it.each([
    ["", "1h"],
    ["?window=15m", "15m"],
    ["?window=7d", "7d"],
    ["?window=3600", "1h"],
    ["?window=", "1h"],
  ])("%j reads as %s", (search, key) => {
    expect(parseWindow(new URLSearchParams(search))).toBe(key);
  });

  it("every window round-trips through its address; the default is the plain address", () => {
    for (const w of WINDOWS) {
      const search = windowSearch(w.key);
      expect(parseWindow(new URLSearchParams(search))).toBe(w.key);
      expect(windowOf(w.key).seconds).toBe(w.seconds);
    }
    expect(windowSearch("1h")).toBe("");
  });

  it("the longest window is what the API accepts", () => {
    expect(Math.max(...WINDOWS.map((w) => w.seconds))).toBe(604_800);
  });
});

describe("versionNotes", () => {
  const reference = version({ model_version: "v1", mean: 0.8, p95: 40 });

  it.each([
    ["the reference itself", reference, []],
    ["same confidence, same latency", version({ model_version: "v2" }), []],
    [
      "less confident by the threshold: worse",
      version({ model_version: "v2", mean: 0.8 - CONFIDENCE_DELTA }),
      [{ text: "Mean confidence 5 pp lower than v1 (75% against 80%)", worse: true }],
    ],
    ["less confident by under the threshold", version({ model_version: "v2", mean: 0.76 }), []],
    [
      "a confidence with a decimal",
      version({ model_version: "v2", mean: 0.873 }),
      [{ text: "Mean confidence 7.3 pp higher than v1 (87.3% against 80%)", worse: false }],
    ],
    [
      "more confident",
      version({ model_version: "v2", mean: 0.9 }),
      [{ text: "Mean confidence 10 pp higher than v1 (90% against 80%)", worse: false }],
    ],
    [
      "slower by the ratio: worse",
      version({ model_version: "v2", p95: 40 * LATENCY_RATIO }),
      [{ text: "p95 latency 1.3× v1's", worse: true }],
    ],
    ["slower by under the ratio", version({ model_version: "v2", p95: 49 }), []],
    [
      "faster by the ratio",
      version({ model_version: "v2", p95: 40 / LATENCY_RATIO }),
      [{ text: "p95 latency 80% of v1's", worse: false }],
    ],
    [
      "both",
      version({ model_version: "v2", mean: 0.6, p95: 100 }),
      [
        { text: "Mean confidence 20 pp lower than v1 (60% against 80%)", worse: true },
        { text: "p95 latency 2.5× v1's", worse: true },
      ],
    ],
    [
      "no latency where the reference has one",
      version({ model_version: "v2", p95: null }),
      [{ text: "No latency reported (v1 reports it)", worse: false }],
    ],
    [
      "too few predictions",
      version({ model_version: "v2", predictions: MIN_PREDICTIONS_TO_COMPARE - 1, mean: 0.1 }),
      [{ text: "Too few predictions to compare with v1", worse: false }],
    ],
    ["exactly enough predictions", version({ model_version: "v2", predictions: MIN_PREDICTIONS_TO_COMPARE }), []],
  ] as const)("%s", (_label, v, expected) => {
    expect(versionNotes(v, reference)).toEqual(expected);
  });

  it("names an unversioned reference", () => {
    const unversioned = version({ model_version: null, mean: 0.9 });
    expect(versionNotes(version({ model_version: "v2", mean: 0.7 }), unversioned)[0]?.text).toBe(
      "Mean confidence 20 pp lower than (no version) (70% against 90%)",
    );
  });

  it.each([
    [null, "(no version)"],
    ["", '""'],
    ["v2", "v2"],
  ])("version %j is shown as %s (distinct keys for null and an empty name)", (v, label) => {
    expect(versionLabel(v)).toBe(label);
  });

  it("a reference without latency: no latency note either way", () => {
    expect(versionNotes(version({ model_version: "v2", p95: 1000 }), version({ p95: null }))).toEqual([]);
  });
});
