// The `limit` of every list (src/http/params.ts): one plain message however the value misses.
import { describe, expect, it } from "vitest";
import { LimitQuery } from "../../src/http/params";

describe("LimitQuery", () => {
  it.each([
    [undefined, 50],
    ["1", 1],
    ["500", 500],
  ])("%j -> %d", (input, limit) => {
    expect(LimitQuery.parse(input)).toBe(limit);
  });

  // Each used to have zod's own wording: "Too big: expected int to be <=9007199254740991",
  // "expected number, received NaN" (a repeated parameter arrives as an array), "Too small...".
  it.each([["0"], ["-5"], ["501"], ["abc"], ["2.5"], ["99999999999999999999"], [["5", "6"]]])(
    "%j is refused",
    (input) => {
      const r = LimitQuery.safeParse(input);
      expect(r.success).toBe(false);
      expect(r.error?.issues.map((i) => i.message)).toEqual([
        "must be a whole number from 1 to 500 (default 50), given once",
      ]);
    },
  );
});
