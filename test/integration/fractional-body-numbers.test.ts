/**
 * Fractional number fields of JSON bodies (decimalNumber in src/http/params.ts). Each answered in
 * zod's words: "Too small: expected number to be >0", "Too big: expected number to be <=100", and
 * for `1e999` (Infinity once parsed) or a number sent as text "Invalid input: expected number,
 * received …". Each is now one error at its path naming the range, as whole numbers are
 * (validation-messages.test.ts), and what was accepted still is.
 */
import { describe, expect, it } from "vitest";
import { as, expectProblem } from "../helpers";

const S = "/api/v1/streaming-analytics";
const AB = "/api/v1/ab-testing";
const RATE = '"kind":"binomial","baseline_mean":0.1';
const RULE = '"name":"r","metric_name":"m","aggregation":"max","type":"anomaly","severity":"info","window_seconds":300';
const VARIANTS =
  '"variants":[{"key":"control","variant_name":"A","variant_type":"control","traffic_percentage":50},' +
  '{"key":"green","variant_name":"B","variant_type":"treatment","traffic_percentage":50}]';
const experiment = (key: string, extra: string) => `{"key":"${key}","experiment_name":"E",${VARIANTS},${extra}}`;

const LIFT = "a number greater than 0 and at most 100";
const FRACTION = "must be a number greater than 0 and less than 1";
const SENSITIVITY = "must be a number from 0.5 to 100";
const SHARE = "must be a number from 0 to 1";
const VALUE = "must be a finite number between -1e15 and 1e15";

describe("a fractional body field out of its range is one error naming the range", () => {
  it.each([
    ["mde_relative 0", `${AB}/power`, `{${RATE},"mde_relative":0}`, "mde_relative", `must be ${LIFT}`],
    ["mde_relative past 100", `${AB}/power`, `{${RATE},"mde_relative":100.5}`, "mde_relative", `must be ${LIFT}`],
    ["mde_relative 1e999", `${AB}/power`, `{${RATE},"mde_relative":1e999}`, "mde_relative", `must be ${LIFT}`],
    ["mde_relative as text", `${AB}/power`, `{${RATE},"mde_relative":"0.05"}`, "mde_relative", `must be ${LIFT}`],
    ["mde_relative missing", `${AB}/power`, `{${RATE}}`, "mde_relative", `required: ${LIFT}`],
    ["alpha 1", `${AB}/power`, `{${RATE},"mde_relative":0.05,"alpha":1}`, "alpha", FRACTION],
    ["alpha 0", `${AB}/power`, `{${RATE},"mde_relative":0.05,"alpha":0}`, "alpha", FRACTION],
    ["alpha -1e999", `${AB}/power`, `{${RATE},"mde_relative":0.05,"alpha":-1e999}`, "alpha", FRACTION],
    ["power 80 (a percentage)", `${AB}/power`, `{${RATE},"mde_relative":0.05,"power":80}`, "power", FRACTION],
    [
      "baseline_stddev 0",
      `${AB}/power`,
      '{"kind":"mean","baseline_mean":10,"baseline_stddev":0,"mde_relative":0.05}',
      "baseline_stddev",
      "must be a number greater than 0",
    ],
    ["sensitivity 0.4", `${S}/alert-rules`, `{${RULE},"sensitivity":0.4}`, "sensitivity", SENSITIVITY],
    ["sensitivity 1e999", `${S}/alert-rules`, `{${RULE},"sensitivity":1e999}`, "sensitivity", SENSITIVITY],
    ["sensitivity null", `${S}/alert-rules`, `{${RULE},"sensitivity":null}`, "sensitivity", SENSITIVITY],
    ["confidence 1.5", `${S}/predictions`, '{"model_name":"m","prediction":1,"confidence":1.5}', "confidence", SHARE],
    [
      "a batch's confidence 1e999",
      `${S}/predictions`,
      '{"predictions":[{"model_name":"m","prediction":1,"confidence":1e999}]}',
      "predictions.0.confidence",
      SHARE,
    ],
    [
      "confidence_level 0.3",
      `${AB}/experiments`,
      experiment("cl", '"analysis_settings":{"confidence_level":0.3}'),
      "analysis_settings.confidence_level",
      "must be a number from 0.5 to 0.9999",
    ],
    [
      "sequential_tuning 0",
      `${AB}/experiments`,
      experiment("st", '"analysis_settings":{"sequential_tuning":0}'),
      "analysis_settings.sequential_tuning",
      "must be a number from 1 to 1000000000",
    ],
    [
      "a namespace's start -0.1",
      `${AB}/experiments`,
      experiment("ns", '"namespace":{"key":"n","start":-0.1,"end":0.5}'),
      "namespace.start",
      SHARE,
    ],
    [
      "a namespace's end 1e999",
      `${AB}/experiments`,
      experiment("ne", '"namespace":{"key":"n","start":0,"end":1e999}'),
      "namespace.end",
      SHARE,
    ],
    // The ±1e15 bounded values (boundedValue in src/http/values.ts) already named their range when
    // out of it; 1e999, a negative latency and a missing value said zod's words.
    ["a metric value 1e999", `${S}/metrics`, '{"name":"m","value":1e999}', "value", VALUE],
    [
      "a metric value missing",
      `${S}/metrics`,
      '{"name":"m"}',
      "value",
      "required: a finite number between -1e15 and 1e15",
    ],
    [
      "a result's metric_value -1e999",
      `${AB}/experiments/x/results`,
      '{"metric_name":"m","variant_id":"v","metric_value":-1e999}',
      "metric_value",
      VALUE,
    ],
    [
      "a negative latency_ms",
      `${S}/predictions`,
      '{"model_name":"m","prediction":1,"confidence":0.5,"latency_ms":-1}',
      "latency_ms",
      "must be a finite number between 0 and 1e15",
    ],
    [
      "latency_ms 1e999",
      `${S}/predictions`,
      '{"model_name":"m","prediction":1,"confidence":0.5,"latency_ms":1e999}',
      "latency_ms",
      "must be a finite number between 0 and 1e15",
    ],
  ])("%s", async (_name, path, body, field, message) => {
    const c = await as("fractional-body-refused");
    const problem = await expectProblem(await c.postRaw(path, body), 400);
    expect(problem.errors).toEqual([{ path: field, message }]);
  });

  it("the bounds themselves are accepted as before", async () => {
    const c = await as("fractional-body-bounds");
    const ok = async (path: string, body: string, status: number) => {
      const res = await c.postRaw(path, body);
      expect(res.status, `${body}: ${await res.clone().text()}`).toBe(status);
      return res.json() as Promise<Record<string, unknown>>;
    };
    await ok(`${AB}/power`, `{${RATE},"mde_relative":0.05,"alpha":0.050000000000000044,"power":0.999}`, 200);
    await ok(`${AB}/power`, '{"kind":"mean","baseline_mean":10,"baseline_stddev":1e-9,"mde_relative":100}', 200);
    for (const sensitivity of [0.5, 100, 2.75]) {
      const rule = await ok(`${S}/alert-rules`, `{${RULE},"sensitivity":${sensitivity}}`, 201);
      expect(rule.sensitivity).toBe(sensitivity);
    }
    await ok(`${S}/metrics`, '{"metrics":[{"name":"m","value":1e15},{"name":"m","value":-1e15}]}', 202);
    await ok(`${S}/predictions`, '{"model_name":"m","prediction":1,"confidence":0.5,"latency_ms":0}', 201);
    await ok(
      `${S}/predictions`,
      '{"predictions":[{"model_name":"m","prediction":1,"confidence":0},{"model_name":"m","prediction":1,"confidence":1}]}',
      201,
    );
    const e = await ok(
      `${AB}/experiments`,
      experiment(
        "bounds",
        '"analysis_settings":{"confidence_level":0.9999,"sequential_tuning":1},"namespace":{"key":"n","start":0,"end":1}',
      ),
      201,
    );
    expect(e.namespace).toEqual({ key: "n", start: 0, end: 1 });
    expect(e.analysis_settings).toMatchObject({ confidence_level: 0.9999, sequential_tuning: 1 });
  });
});
