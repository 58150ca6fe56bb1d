import { describe, expect, it } from "vitest";
import { JsonObject, jsonDepthExceeds, MAX_JSON_DEPTH } from "../../src/http/json";

const nested = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};

describe("jsonDepthExceeds", () => {
  it.each([
    { value: 1, max: 0, exceeds: false },
    { value: {}, max: 1, exceeds: false },
    { value: {}, max: 0, exceeds: true },
    { value: { a: { b: [1, 2] } }, max: 3, exceeds: false },
    { value: { a: { b: [1, 2] } }, max: 2, exceeds: true },
    { value: nested(MAX_JSON_DEPTH), max: MAX_JSON_DEPTH, exceeds: false },
    { value: nested(MAX_JSON_DEPTH + 1), max: MAX_JSON_DEPTH, exceeds: true },
  ])("depth check %#", ({ value, max, exceeds }) => {
    expect(jsonDepthExceeds(value, max)).toBe(exceeds);
  });

  // 200,000 levels is twenty times deeper than any recursive walk survives; a million only made
  // the test slow enough to time out on a loaded machine without proving more.
  it("walks a 200,000-level value without overflowing the stack", () => {
    expect(jsonDepthExceeds(nested(200_000))).toBe(true);
  });

  it("JsonObject rejects deep values with a message and accepts shallow ones", () => {
    expect(JsonObject.safeParse({ a: nested(MAX_JSON_DEPTH - 1) }).success).toBe(true);
    const bad = JsonObject.safeParse({ a: nested(MAX_JSON_DEPTH + 5) });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toMatch(/nested deeper/);
  });
});
