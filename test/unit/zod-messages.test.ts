import { describe, expect, it } from "vitest";
import { outOfRange } from "../../src/http/time";
import { missingFieldMessage } from "../../src/http/zod-messages";

describe("missingFieldMessage", () => {
  it.each([
    [{ code: "invalid_value", input: undefined, values: ["a", "b"] }, 'required: one of "a"|"b"'],
    [{ code: "invalid_value", input: undefined, values: [1, true] }, "required: one of 1|true"],
    [{ code: "invalid_type", input: undefined, expected: "number" }, "required: expected number"],
    [{ code: "invalid_union", input: undefined }, "required"],
    [{ code: "too_small", input: undefined }, undefined],
    [{ code: "invalid_value", input: "c", values: ["a", "b"] }, undefined],
    [{ code: "invalid_type", input: null, expected: "string" }, undefined],
  ])("%j → %j", (issue, message) => {
    expect(missingFieldMessage(issue)).toBe(message);
  });
});

describe("outOfRange", () => {
  const RANGE = "must be between 2000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z";
  it.each([
    [
      1_764_800_000,
      `${RANGE}; 1764800000 looks like epoch seconds: send milliseconds (1764800000000) or an ISO-8601 time`,
    ],
    [946_684_800, `${RANGE}; 946684800 looks like epoch seconds: send milliseconds (946684800000) or an ISO-8601 time`],
    [946_684_799, RANGE], // one second before 2000 as seconds: not a time we take either way
    [5, RANGE],
    [-1, RANGE],
    [1.5e9 + 0.5, RANGE],
    [1e17, RANGE],
  ])("%d", (ms, message) => {
    expect(outOfRange(ms)).toBe(message);
  });
});
