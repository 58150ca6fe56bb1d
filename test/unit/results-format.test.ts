import { describe, expect, it } from "vitest";
import { makeFormat, type ValueFormat } from "../../web/src/experiments/results/format";
import { fmtConfidence } from "../../web/src/ui/format";

const f = makeFormat("en-US");
const PCT: ValueFormat = { format: "percent", currency: null };
const USD: ValueFormat = { format: "currency", currency: "USD" };
const EUR: ValueFormat = { format: "currency", currency: "EUR" };
const NUM: ValueFormat = { format: "number", currency: null };

describe("values in the metric's format", () => {
  it.each([
    [0.0852, PCT, "8.5%"],
    [0.152, PCT, "15.2%"],
    [0.004, PCT, "0.4%"],
    [0.00042, PCT, "0.042%"],
    [12.3, USD, "$12.30"],
    [1234.5, EUR, "€1,234.50"],
    [3.14259, NUM, "3.14"],
    [0.00123, NUM, "0.0012"],
    [null, PCT, "—"],
    [Number.NaN, NUM, "—"],
    // A currency metric without a currency code falls back to a plain number, not a made-up one.
    [5, { format: "currency", currency: null } as ValueFormat, "5"],
  ])("%s as %j → %s", (v, fmt, out) => {
    expect(f.value(v, fmt)).toBe(out);
  });
});

describe("differences: percentage points for rates", () => {
  it.each([
    [0.067, PCT, "+6.7 pp"],
    [-0.021, PCT, "-2.1 pp"],
    [0, PCT, "0 pp"],
    [1.2, USD, "+$1.20"],
    [-0.5, USD, "-$0.50"],
    [0.4, NUM, "+0.4"],
    [null, NUM, "—"],
  ])("%s as %j → %s", (v, fmt, out) => {
    expect(f.difference(v, fmt)).toBe(out);
  });
});

describe("lift and its interval", () => {
  it.each([
    [0.452, "+45.2%"],
    [-0.1234, "-12.3%"],
    [0, "0%"],
    [null, "—"],
  ])("lift %s → %s", (v, out) => {
    expect(f.lift(v)).toBe(out);
  });
  it.each([
    [0.041, 0.205, "+4.1% to +20.5%"],
    [-0.03, 0.1, "-3% to +10%"],
    [null, 0.1, "—"],
  ])("interval %s..%s → %s", (lo, hi, out) => {
    expect(f.interval(lo, hi, f.lift)).toBe(out);
  });
});

describe("chance to beat control is never a flat 100% or 0%", () => {
  it.each([
    [1, ">99.9%"],
    [0.99999, ">99.9%"],
    [0.9991, ">99.9%"],
    [0.999, "99.9%"],
    [0.873, "87.3%"],
    [0.5, "50%"],
    [0.001, "0.1%"],
    [0.0004, "<0.1%"],
    [0, "<0.1%"],
    [null, "—"],
  ])("%s → %s", (v, out) => {
    expect(f.chance(v)).toBe(out);
  });
});

describe("numerator / denominator", () => {
  it.each([
    [85, 1000, PCT, "85 / 1,000"],
    [12345.5, 1000, USD, "$12,345.50 / 1,000"],
    [42, 10, NUM, "42 / 10"],
    [null, 10, NUM, "—"],
  ])("%s / %s as %j → %s", (n, d, fmt, out) => {
    expect(f.ratio(n, d, fmt)).toBe(out);
  });
});

it("confidence levels read as percentages", () => {
  expect([0.9, 0.95, 0.99, 0.995].map(f.level)).toEqual(["90%", "95%", "99%", "99.5%"]);
});

// The one confidence format of the dashboard: a test's level, a model's mean confidence and its
// quantiles, a prediction's confidence, the live card's mean.
it.each<[number | null | undefined, string, string]>([
  [0.95, "en-US", "95%"],
  [0.873, "en-US", "87.3%"],
  [0.8726, "en-US", "87.3%"],
  [0.05, "en-US", "5%"],
  [0, "en-US", "0%"],
  [1, "en-US", "100%"],
  [0.95, "de-DE", "95\u00a0%"],
  [null, "en-US", "—"],
  [undefined, "en-US", "—"],
  [Number.NaN, "en-US", "—"],
])("fmtConfidence(%j, %s) = %j", (v, locale, text) => {
  expect(fmtConfidence(v, locale)).toBe(text);
});
