import { describe, expect, it } from "vitest";
import type { ModelsSummary } from "../../web/src/api/types";
import { MODEL_CSV_HEADER, modelCsv } from "../../web/src/models/model-csv";
import { readCsv } from "./csv-reader";

type Model = ModelsSummary["models"][number];
type Version = Model["versions"][number];

const version = (model_version: string | null, series: Version["series"]): Version => ({
  model_version,
  predictions: series.reduce((n, p) => n + p.predictions, 0),
  share: 0.5,
  confidence: { mean: 0.5, min: 0, max: 1, quantiles: { p10: 0, p25: 0, p50: 0, p75: 0, p90: 0 } },
  latency_ms: null,
  last_at: "2030-01-01T00:01:00.000Z",
  series,
});

const T0 = "2030-01-01T00:00:00.000Z";
const T1 = "2030-01-01T00:01:00.000Z";

describe("modelCsv", () => {
  it("one row per version and step, the header first; empty statistics are empty cells", () => {
    const model: Model = {
      model_name: 'churn, "eu"',
      predictions: 5,
      versions: [
        version("v1", [
          { t: T0, predictions: 0, mean_confidence: null, latency_p95_ms: null },
          { t: T1, predictions: 4, mean_confidence: 0.8125, latency_p95_ms: 41.5 },
        ]),
        version(null, [
          { t: T0, predictions: 1, mean_confidence: 0.25, latency_p95_ms: null },
          { t: T1, predictions: 0, mean_confidence: null, latency_p95_ms: null },
        ]),
      ],
    };
    expect(readCsv(modelCsv(model, 60))).toEqual([
      [...MODEL_CSV_HEADER],
      ['churn, "eu"', "v1", T0, "60", "0", "", ""],
      ['churn, "eu"', "v1", T1, "60", "4", "0.8125", "41.5"],
      ['churn, "eu"', "", T0, "60", "1", "0.25", ""],
      ['churn, "eu"', "", T1, "60", "0", "", ""],
    ]);
  });

  it("a version named like a formula is written as text", () => {
    const model: Model = {
      model_name: "m",
      predictions: 1,
      versions: [version("=cmd()", [{ t: T0, predictions: 1, mean_confidence: 1, latency_p95_ms: null }])],
    };
    expect(readCsv(modelCsv(model, 10))[1]?.[1]).toBe("'=cmd()");
  });
});
