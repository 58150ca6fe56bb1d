import { describe, expect, it } from "vitest";
import {
  ItemJsonObject,
  JsonObject,
  jsonDepthExceeds,
  jsonItemProblem,
  MAX_ITEM_JSON_CHARS,
  MAX_JSON_DEPTH,
} from "../../src/http/json";

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

describe("jsonItemProblem: depth and size of an item's stored JSON in one walk", () => {
  const chars = (n: number) => "x".repeat(n);
  it.each([
    // Counted: each key and string plus one, and one for every other value.
    { name: "a number", value: 1, max: 1, problem: null },
    { name: "a string at the bound", value: chars(9), max: 10, problem: null },
    { name: "a string past it", value: chars(10), max: 10, problem: "large" },
    { name: "keys count", value: { [chars(5)]: 1, [chars(3)]: true }, max: 12, problem: null },
    { name: "keys count, past", value: { [chars(5)]: 1, [chars(3)]: true }, max: 11, problem: "large" },
    { name: "array of numbers", value: Array(100).fill(7), max: 100, problem: null },
    { name: "array of numbers, past", value: Array(101).fill(7), max: 100, problem: "large" },
    { name: "nested strings add up", value: { a: { b: [chars(40), chars(40)] } }, max: 86, problem: null },
    { name: "nested strings add up, past", value: { a: { b: [chars(40), chars(40)] } }, max: 85, problem: "large" },
    { name: "null is one value", value: { a: null }, max: 3, problem: null },
    { name: "deep beats large", value: nested(MAX_JSON_DEPTH + 1), max: 0, problem: "deep" },
    { name: "as deep as allowed", value: nested(MAX_JSON_DEPTH), max: 10, problem: null },
    // JSON's 1e309 parses as Infinity, which JSON.stringify stores as null.
    { name: "Infinity at the top", value: Number.POSITIVE_INFINITY, max: 10, problem: "infinite" },
    { name: "-Infinity nested", value: { a: [1, { b: Number.NEGATIVE_INFINITY }] }, max: 100, problem: "infinite" },
    { name: "NaN in an array", value: [Number.NaN], max: 100, problem: "infinite" },
    { name: "the largest double is finite", value: { a: Number.MAX_VALUE, b: -0, c: 5e-324 }, max: 100, problem: null },
    {
      name: "a non-finite number is told before the size of its container",
      value: [chars(50), Number.POSITIVE_INFINITY],
      max: 10,
      problem: "infinite",
    },
  ])("$name", ({ value, max, problem }) => {
    expect(jsonItemProblem(value, max)).toBe(problem);
  });

  it("agrees with jsonDepthExceeds on depth", () => {
    for (let d = MAX_JSON_DEPTH - 2; d <= MAX_JSON_DEPTH + 2; d++) {
      expect(jsonItemProblem(nested(d), Number.POSITIVE_INFINITY) === "deep").toBe(jsonDepthExceeds(nested(d)));
    }
  });

  it("ItemJsonObject says which bound a payload broke", () => {
    expect(ItemJsonObject.safeParse({ note: chars(MAX_ITEM_JSON_CHARS - 10) }).success).toBe(true);
    const large = ItemJsonObject.safeParse({ note: chars(MAX_ITEM_JSON_CHARS) });
    expect(large.error?.issues.map((i) => i.message)).toEqual([
      `too large: at most ${MAX_ITEM_JSON_CHARS} characters of keys and strings`,
    ]);
    const deep = ItemJsonObject.safeParse({ a: nested(MAX_JSON_DEPTH + 5) });
    expect(deep.error?.issues[0]?.message).toMatch(/nested deeper/);
  });
});

// Found by an outside probe: a variant config's top-level "__proto__" key was dropped silently.
describe("a top-level __proto__ key is refused, not lost", () => {
  it.each([
    ["JsonObject", JsonObject],
    ["ItemJsonObject", ItemJsonObject],
  ] as const)("%s", (_name, schema) => {
    const bad = schema.safeParse(JSON.parse('{"__proto__": {"admin": true}, "a": 1}'));
    expect(bad.error?.issues.map((i) => i.message)).toEqual(["the key __proto__ is not allowed"]);
    // Nested, JSON.parse keeps it as an own key and nothing copies it key by key: kept as sent.
    const nested = schema.safeParse(JSON.parse('{"a": {"__proto__": {"x": 1}}}'));
    expect(JSON.stringify(nested.data)).toBe('{"a":{"__proto__":{"x":1}}}');
    expect(schema.safeParse({ a: 1, b: [1, { c: null }] }).data).toEqual({ a: 1, b: [1, { c: null }] });
  });
});
