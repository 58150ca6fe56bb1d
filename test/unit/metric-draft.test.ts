// The metric form's checks and body (web/src/metrics/metric-draft.ts), case by case.
import { describe, expect, it } from "vitest";
import { emptyMetricDraft, metricBody, metricFieldLabel } from "../../web/src/metrics/metric-draft";

describe("metricBody", () => {
  const base = emptyMetricDraft("conversion");

  it("prefills key and name from ?name=, trimmed, with the undefined-metric defaults", () => {
    expect(emptyMetricDraft(" Conversion ")).toMatchObject({
      key: "Conversion",
      name: "Conversion",
      kind: "mean",
      direction: "increase",
      format: "number",
    });
  });

  it.each([
    [{}, {}, { key: "conversion", name: "conversion", currency: null, capping: null }],
    [{ name: "  " }, {}, { name: "conversion" }],
    [{ format: "currency", currency: "eur" }, {}, { currency: "EUR" }],
    [{ format: "number", currency: "EUR" }, {}, { currency: null }],
    [{ capping: "absolute", capping_value: "1000" }, {}, { capping: { type: "absolute", value: 1000 } }],
    [{ capping: "percentile", capping_value: "0.99" }, {}, { capping: { type: "percentile", value: 0.99 } }],
    [{ key: "" }, { key: "Enter the metric_name your results carry, e.g. conversion." }, {}],
    [{ key: "a\tb" }, { key: "Remove the control characters (tabs, line breaks)." }, {}],
    [{ key: "x".repeat(129) }, { key: "Use at most 128 characters." }, {}],
    [
      { format: "currency", currency: "dollars" },
      { currency: "Enter a three-letter ISO 4217 code, such as USD or EUR." },
      {},
    ],
    [{ capping: "absolute", capping_value: "" }, { "capping.value": "Enter a cap value." }, {}],
    [{ capping: "absolute", capping_value: "-5" }, { "capping.value": "An absolute cap must be greater than 0" }, {}],
    [
      { capping: "percentile", capping_value: "99" },
      {
        "capping.value": "A percentile cap is a quantile strictly between 0 and 1 (0.99 caps at the 99th percentile)",
      },
      {},
    ],
  ] as const)("%j → errors %j", (patch, errors, body) => {
    const out = metricBody({ ...base, ...patch });
    expect(out.errors).toEqual(errors);
    expect(out.body).toMatchObject(body);
  });

  it.each([
    ["capping.value", "Cap value"],
    ["direction", "Good when"],
    ["", "Form"],
  ])("label of %j is %j", (path, label) => {
    expect(metricFieldLabel(path)).toBe(label);
  });
});
