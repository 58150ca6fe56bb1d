import { describe, expect, it } from "vitest";
import { MODELS_MAX } from "../../src/streaming/model";
import {
  modelRollupName,
  parseModelRollupName,
  type PredictionFacts,
  predictionPoints,
  summarizeModels,
} from "../../src/streaming/models";
import { foldPoints, planQuery } from "../../src/streaming/rollup";

const MIN = 60_000;
const NOW = Date.UTC(2030, 0, 1, 12);

const prediction = (over: Partial<PredictionFacts> = {}): PredictionFacts => ({
  model_name: "m",
  model_version: null,
  confidence: 0.5,
  latency_ms: null,
  ts: NOW - MIN,
  ...over,
});

const plan = (windowSeconds = 3600) => planQuery({ windowSeconds, now: NOW });
const summarize = (predictions: PredictionFacts[], windowSeconds = 3600) =>
  summarizeModels(foldPoints(predictionPoints(predictions), { now: NOW }).values(), plan(windowSeconds));

describe("model rollup names", () => {
  it.each([
    ["churn", "v1", "confidence"],
    ["churn", null, "latency_ms"],
    ['a","b', "v\\1", "confidence"],
    ["[", "]", "latency_ms"],
    ["modèle 🚀", "", "confidence"],
  ] as const)("%j / %j / %s round-trips, and names of different keys differ", (model, version, series) => {
    const name = modelRollupName(model, version, series);
    expect(parseModelRollupName(name)).toEqual({ model_name: model, model_version: version, series });
    expect(modelRollupName(model, version === null ? "null" : null, series)).not.toBe(name);
  });

  it.each([
    ["not json", "{"],
    ["a metric's name", "latency_ms"],
    ["two parts", '["m","confidence"]'],
    ["unknown series", '["m",null,"accuracy"]'],
    ["numeric model", '[1,null,"confidence"]'],
    ["numeric version", '["m",2,"confidence"]'],
  ])("%s is not a model series", (_label, name) => {
    expect(parseModelRollupName(name)).toBeNull();
  });
});

describe("predictionPoints", () => {
  it.each([
    ["no latency: confidence only", prediction({ confidence: 0.7 }), [["confidence", 0.7]]],
    [
      "with latency: both",
      prediction({ confidence: 0.2, latency_ms: 12 }),
      [
        ["confidence", 0.2],
        ["latency_ms", 12],
      ],
    ],
    [
      "a zero latency is a latency",
      prediction({ latency_ms: 0 }),
      [
        ["confidence", 0.5],
        ["latency_ms", 0],
      ],
    ],
  ] as const)("%s", (_label, p, expected) => {
    const points = predictionPoints([p]);
    expect(points.map((x) => [parseModelRollupName(x.name)?.series, x.value])).toEqual(expected);
    expect(points.every((x) => x.ts === p.ts)).toBe(true);
  });
});

describe("summarizeModels", () => {
  it("nothing in the window: no models", () => {
    expect(summarize([])).toEqual({ models: [], models_omitted: 0 });
    expect(summarize([prediction({ ts: NOW - 2 * 3600_000 })])).toEqual({ models: [], models_omitted: 0 });
  });

  it.each([
    [
      "busiest model first, then by name",
      [
        prediction({ model_name: "b" }),
        prediction({ model_name: "a" }),
        prediction({ model_name: "c" }),
        prediction({ model_name: "c" }),
      ],
      [
        ["c", 2],
        ["a", 1],
        ["b", 1],
      ],
    ],
  ] as const)("%s", (_label, input, expected) => {
    expect(summarize([...input]).models.map((m) => [m.model_name, m.predictions])).toEqual(expected);
  });

  it.each([
    ["busiest version first", ["v1", "v2", "v2"], ["v2", "v1"]],
    ["ties by name", ["v2", "v1"], ["v1", "v2"]],
    ["no version after every named one, at a tie", [null, "z"], ["z", null]],
    ["but a busier unversioned stream comes first", [null, null, "a"], [null, "a"]],
  ] as const)("versions: %s", (_label, versions, expected) => {
    const [model] = summarize(versions.map((v) => prediction({ model_version: v }))).models;
    expect(model?.versions.map((v) => v.model_version)).toEqual(expected);
    expect(model?.versions.reduce((s, v) => s + v.share, 0)).toBeCloseTo(1, 12);
  });

  it("mean, min, max and shares are exact; latency only over the predictions that carried it", () => {
    const [model] = summarize([
      prediction({ model_version: "a", confidence: 0.2, latency_ms: 10 }),
      prediction({ model_version: "a", confidence: 0.4 }),
      prediction({ model_version: "a", confidence: 0.9, latency_ms: 30 }),
      prediction({ model_version: "b", confidence: 1 }),
    ]).models;
    const [a, b] = model?.versions ?? [];
    expect(a).toMatchObject({
      model_version: "a",
      predictions: 3,
      share: 0.75,
      confidence: { min: 0.2, max: 0.9 },
      latency_ms: { count: 2, mean: 20, max: 30 },
    });
    expect(a?.confidence.mean).toBeCloseTo(0.5, 12);
    expect(b).toMatchObject({ predictions: 1, share: 0.25, latency_ms: null, confidence: { mean: 1, min: 1, max: 1 } });
    // One value: every quantile is that value (clamped to [min, max]).
    expect(Object.values(b?.confidence.quantiles ?? {})).toEqual([1, 1, 1, 1, 1]);
  });

  it("last_at is the newest prediction of the version in the window", () => {
    const [model] = summarize([
      prediction({ ts: NOW - 30 * MIN }),
      prediction({ ts: NOW - 2 * MIN }),
      prediction({ ts: NOW + MIN }), // future: past the window's end
    ]).models;
    expect(model?.versions[0]?.last_at).toBe(NOW - 2 * MIN);
    expect(model?.predictions).toBe(2);
  });

  it("series: every step of the plan, empty ones as zero and nulls", () => {
    const p = plan(600);
    const [model] = summarize(
      [prediction({ ts: NOW - 5 * MIN, latency_ms: 40 }), prediction({ ts: NOW - 5 * MIN, confidence: 1 })],
      600,
    ).models;
    const series = model?.versions[0]?.series ?? [];
    expect(series.map((s) => s.t)).toEqual(
      Array.from({ length: series.length }, (_, i) => Math.floor(p.from / p.step_ms) * p.step_ms + i * p.step_ms),
    );
    const busy = series.filter((s) => s.predictions > 0);
    expect(busy).toEqual([{ t: NOW - 5 * MIN, predictions: 2, mean_confidence: 0.75, latency_p95_ms: 40 }]);
    expect(series.filter((s) => s.predictions === 0).every((s) => s.mean_confidence === null)).toBe(true);
  });

  it(`keeps the ${MODELS_MAX} busiest models and counts the rest`, () => {
    const many = Array.from({ length: MODELS_MAX + 3 }, (_, i) =>
      Array.from({ length: i + 1 }, () => prediction({ model_name: `m${String(i).padStart(3, "0")}` })),
    ).flat();
    const { models, models_omitted } = summarize(many);
    expect(models).toHaveLength(MODELS_MAX);
    expect(models_omitted).toBe(3);
    expect(models[0]?.model_name).toBe(`m${String(MODELS_MAX + 2).padStart(3, "0")}`);
    expect(models.some((m) => m.model_name === "m000")).toBe(false);
  });

  it("ignores rows that are not model series or not in the plan's resolution", () => {
    const rows = [...foldPoints([{ name: "latency_ms", value: 3, ts: NOW - MIN }], { now: NOW }).values()];
    expect(summarizeModels(rows, plan())).toEqual({ models: [], models_omitted: 0 });
    const modelRows = [...foldPoints(predictionPoints([prediction()]), { now: NOW }).values()];
    // Only the plan's resolution counts: the same prediction is in three resolutions, counted once.
    expect(summarizeModels(modelRows, plan()).models[0]?.predictions).toBe(1);
  });
});
