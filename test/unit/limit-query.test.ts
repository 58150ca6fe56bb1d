// The strict query numbers (src/http/params.ts): `limit` of every list, and the factories behind
// window, step, minutes and min_confidence. Plain decimal digits given once, or one plain message.
import { describe, expect, it } from "vitest";
import { decimalQuery, LimitQuery, wholeQuery } from "../../src/http/params";

const LIMIT_MESSAGE = "must be a whole number from 1 to 500 (default 50), given once";

describe("LimitQuery", () => {
  it.each([
    [undefined, 50],
    ["1", 1],
    ["50", 50],
    ["500", 500],
    ["007", 7],
  ])("%j -> %d", (input, limit) => {
    expect(LimitQuery.parse(input)).toBe(limit);
  });

  // Each used to have zod's own wording: "Too big: expected int to be <=9007199254740991",
  // "expected number, received NaN" (a repeated parameter arrives as an array), "Too small...".
  // And a coerced number took hex, spaces, exponents and `5.0` as the number they spell.
  it.each([
    ["0"],
    ["-5"],
    ["501"],
    ["abc"],
    ["2.5"],
    ["99999999999999999999"],
    [["5", "6"]],
    ["0x10"],
    [" 5"],
    ["5 "],
    ["1e2"],
    ["5.0"],
    ["+5"],
    ["-1"],
    [""],
    ["0b11"],
    ["Infinity"],
    [`1${"0".repeat(400)}`],
  ])("%j is refused", (input) => {
    const r = LimitQuery.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message)).toEqual([LIMIT_MESSAGE]);
  });
});

describe("wholeQuery", () => {
  it("names its own range and default; without one, absent stays undefined and the message says what it means", () => {
    const window = wholeQuery({ min: 60, max: 604800, default: 3600 });
    expect(window.parse(undefined)).toBe(3600);
    expect(window.parse("60")).toBe(60);
    expect(window.safeParse("0x100").error?.issues.map((i) => i.message)).toEqual([
      "must be a whole number from 60 to 604800 (default 3600), given once",
    ]);
    const step = wholeQuery({ min: 10, max: 100, absent: "about 60 points" });
    expect(step.parse(undefined)).toBeUndefined();
    expect(step.parse("10")).toBe(10);
    expect(step.safeParse(["10", "20"]).error?.issues.map((i) => i.message)).toEqual([
      "must be a whole number from 10 to 100 (default: about 60 points), given once",
    ]);
  });
});

describe("decimalQuery", () => {
  const confidence = decimalQuery({ min: 0, max: 1, example: "0.8" });
  const MESSAGE = "must be a decimal number from 0 to 1 (such as 0.8), given once";

  it.each([
    [undefined, undefined],
    ["0", 0],
    ["1", 1],
    ["0.75", 0.75],
    [".5", 0.5],
    ["1.0", 1],
    ["0.000", 0],
  ])("%j -> %j", (input, value) => {
    expect(confidence.parse(input)).toBe(value);
  });

  it.each([
    ["0x1"],
    [" 0.5"],
    ["0.5 "],
    ["5e-1"],
    ["+0.5"],
    ["-0"],
    ["1."],
    ["1.5"],
    [""],
    ["abc"],
    ["NaN"],
    ["Infinity"],
    [["0.1", "0.2"]],
  ])("%j is refused", (input) => {
    const r = confidence.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message)).toEqual([MESSAGE]);
  });
});
