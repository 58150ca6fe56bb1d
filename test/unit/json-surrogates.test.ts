import { describe, expect, it } from "vitest";
import { loneSurrogatePaths } from "../../src/http/json";

// A lone surrogate has no UTF-8 spelling, so SQLite stored "a\ud800b" as replacement characters
// while the create answer echoed it as sent (outside probe, D7). Every JSON body is checked.
describe("loneSurrogatePaths", () => {
  it.each([
    ["a plain string", "abc", []],
    ["an empty object", {}, []],
    ["a pair (an emoji) is well-formed", { comment: "a\ud83d\ude00b" }, []],
    ["BMP text, accents, CJK, U+FFFD itself", { s: "é 漢 \ufffd ✓" }, []],
    ["a lone high surrogate", { comment: "a\ud800b" }, ["comment"]],
    ["a lone low surrogate", { comment: "\udc00" }, ["comment"]],
    ["a pair written backwards", { s: "\ude00\ud83d" }, ["s"]],
    ["a high surrogate at the end", { s: "abc\ud83d" }, ["s"]],
    ["the whole body", "\ud800", [""]],
    ["in an array, by index", { events: [{ event_type: "ok" }, { event_type: "x\ud800" }] }, ["events.1.event_type"]],
    ["in a key", { payload: { "k\udfff": 1 } }, ["payload.k\udfff"]],
    ["numbers, booleans and null pass", { a: 1, b: true, c: null, d: [1.5, false] }, []],
    [
      "several, in document order",
      { a: "\ud800", b: [{ c: "ok" }, "\udc00"], "\ud801": "x", d: { e: "\ud802" } },
      ["a", "b.1", "\ud801", "d.e"],
    ],
  ] as const)("%s", (_name, body, paths) => {
    expect(loneSurrogatePaths(body)).toEqual(paths);
  });

  it("names at most `max`", () => {
    const body = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "\ud800"]));
    expect(loneSurrogatePaths(body, 3)).toEqual(["k0", "k1", "k2"]);
  });

  it("walks a body nested 100,000 deep without recursion (one path link a level, not a copy)", () => {
    let deep: unknown = "\ud800";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const [path] = loneSurrogatePaths(deep);
    expect(path?.split(".")).toHaveLength(100_000);
  });
});
