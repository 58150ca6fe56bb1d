// Fractional number fields of JSON bodies (decimalNumber in src/http/params.ts): sensitivity, alpha,
// power, mde_relative, baseline_stddev, confidence, confidence_level, sequential_tuning and a
// namespace's start and end. Each said zod's own words ("Too small: expected number to be >0",
// "Invalid input: expected number, received number" for 1e999, which JSON.parse reads as Infinity);
// now one message naming the range, one error per path, and the same values accepted.
import { z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { decimalNumber } from "../../src/http/params";
import { boundedValue } from "../../src/http/values";

const messages = (schema: z.ZodType, input: unknown) => schema.safeParse(input).error?.issues.map((i) => i.message);

const sensitivity = decimalNumber({ min: 0.5, max: 100 });
const alpha = decimalNumber({ above: 0, below: 1 });
const lift = decimalNumber({ above: 0, max: 100 });
const stddev = decimalNumber({ above: 0 });
const tuning = decimalNumber({ min: 1, max: 1e9, unit: "users" });

describe("decimalNumber accepts what the bounds allow, unchanged", () => {
  it.each<[string, z.ZodType, number]>([
    ["the lower bound, inclusive", sensitivity, 0.5],
    ["the upper bound, inclusive", sensitivity, 100],
    ["a fraction between", sensitivity, 3.25],
    ["just above an exclusive bound", alpha, Number.MIN_VALUE],
    ["just below an exclusive bound", alpha, 0.9999999999999999],
    ["alpha as 1 - 0.95 computes", alpha, 0.050000000000000044],
    ["an inclusive upper bound after an exclusive lower one", lift, 100],
    ["no upper bound", stddev, 1e300],
    ["a whole number", tuning, 1000],
  ])("%s (%s)", (_name, schema, value) => {
    expect(schema.parse(value)).toBe(value);
  });
});

describe("decimalNumber: one message naming the range for every way to miss", () => {
  const SENSITIVITY = "must be a number from 0.5 to 100";
  const ALPHA = "must be a number greater than 0 and less than 1";
  const LIFT = "must be a number greater than 0 and at most 100";
  const STDDEV = "must be a number greater than 0";
  const TUNING = "must be a number from 1 to 1000000000 (users)";

  it.each<[string, z.ZodType, unknown, string]>([
    ["below an inclusive bound", sensitivity, 0.49, SENSITIVITY],
    ["above an inclusive bound", sensitivity, 100.5, SENSITIVITY],
    ["negative", sensitivity, -3, SENSITIVITY],
    ["1e999 (Infinity once parsed)", sensitivity, Number.POSITIVE_INFINITY, SENSITIVITY],
    ["-1e999", sensitivity, Number.NEGATIVE_INFINITY, SENSITIVITY],
    ["NaN", sensitivity, Number.NaN, SENSITIVITY],
    ["a numeric string", sensitivity, "3", SENSITIVITY],
    ["null", sensitivity, null, SENSITIVITY],
    ["a boolean", sensitivity, true, SENSITIVITY],
    ["an array", sensitivity, [3], SENSITIVITY],
    ["missing", sensitivity, undefined, "required: a number from 0.5 to 100"],
    ["an exclusive lower bound itself", alpha, 0, ALPHA],
    ["an exclusive upper bound itself", alpha, 1, ALPHA],
    ["far past both (one error, not two)", alpha, 1e308, ALPHA],
    ["zero for a positive field", lift, 0, LIFT],
    ["past an inclusive upper bound", lift, 100.01, LIFT],
    ["1e999 for a positive field", lift, Number.POSITIVE_INFINITY, LIFT],
    ["zero, no upper bound", stddev, 0, STDDEV],
    ["1e999, no upper bound", stddev, Number.POSITIVE_INFINITY, STDDEV],
    ["missing, no upper bound", stddev, undefined, "required: a number greater than 0"],
    ["with its unit", tuning, 0.5, TUNING],
  ])("%s", (_name, schema, input, message) => {
    expect(messages(schema, input)).toEqual([message]);
  });
});

describe("decimalNumber inside an object", () => {
  // POST /power's own check ("the lifted rate must stay below 1") ran after zod's non-aborting
  // "Too big: expected number to be <=100": two errors at mde_relative for one number.
  const power = z.object({ mde_relative: decimalNumber({ above: 0, max: 100 }) }).superRefine((p, ctx) => {
    if (0.1 * (1 + p.mde_relative) >= 1) ctx.addIssue({ code: "custom", path: ["mde_relative"], message: "too big" });
  });

  it.each<[unknown, string[]]>([
    [{ mde_relative: 100.5 }, ["must be a number greater than 0 and at most 100"]],
    [{ mde_relative: 0 }, ["must be a number greater than 0 and at most 100"]],
    [{ mde_relative: 50 }, ["too big"]],
  ])("%j: %j", (input, expected) => {
    expect(messages(power, input)).toEqual(expected);
  });
});

describe("boundedValue: metric values, results' metric_value, latency_ms", () => {
  const value = boundedValue("doc");
  const latency = boundedValue("doc", { nonNegative: true });
  const VALUE = "must be a finite number between -1e15 and 1e15";
  const LATENCY = "must be a finite number between 0 and 1e15";

  it.each<[z.ZodType, number]>([
    [value, 1e15],
    [value, -1e15],
    [value, 0.5],
    [latency, 0],
    [latency, 1e15],
  ])("%#: %d is accepted", (schema, v) => {
    expect(schema.parse(v)).toBe(v);
  });

  it.each<[z.ZodType, unknown, string]>([
    [value, 1e15 + 1, VALUE],
    [value, -1e308, VALUE],
    [value, Number.POSITIVE_INFINITY, VALUE],
    [value, "5", VALUE],
    [value, undefined, "required: a finite number between -1e15 and 1e15"],
    [latency, -1, LATENCY],
    [latency, Number.NEGATIVE_INFINITY, LATENCY],
  ])("%#: %j is one message", (schema, input, message) => {
    expect(messages(schema, input)).toEqual([message]);
  });
});
