// Flag values against their value_type (src/flags/model.ts): the messages a 400 carries.
import { describe, expect, it } from "vitest";
import { flagValueProblems } from "../../src/flags/model";

describe("flagValueProblems", () => {
  it.each([
    ["number", 1.5, []],
    ["number", "1", [{ path: "default_value", message: "must be a number (value_type number)" }]],
    // JSON's 1e309 parses as Infinity: a number, so the message says what is wrong with it.
    ["number", Number.POSITIVE_INFINITY, [{ path: "default_value", message: expect.stringMatching(/finite number/) }]],
    ["boolean", 0, [{ path: "default_value", message: "must be a boolean (value_type boolean)" }]],
    ["string", "x", []],
    ["json", null, []],
  ] as const)("%s %j", (type, value, problems) => {
    expect(flagValueProblems(type, value, [{ value }])).toEqual(
      problems.flatMap((p) => [p, { ...p, path: "rules.0.value" }]),
    );
  });
});
