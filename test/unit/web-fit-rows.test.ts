// A JSON textarea's height follows its lines, within bounds.
import { describe, expect, it } from "vitest";
import { fitRows } from "../../web/src/ui/fit-rows";

describe("fitRows", () => {
  const pretty = JSON.stringify({ country: { $in: ["FR", "DE"] }, plan: "pro" }, null, 2); // 9 lines
  it.each<[string, string, number | undefined, number]>([
    ["blank: the minimum", "", undefined, 3],
    ["one line: the minimum", '{"plan":"pro"}', undefined, 3],
    ["a lower minimum", '{"plan":"pro"}', 2, 2],
    ["two lines: one more than its lines", "{\n}", undefined, 3],
    ["pretty-printed: every line and one", pretty, undefined, 10],
    ["a pasted page: the maximum", "x\n".repeat(100), undefined, 14],
  ])("%s", (_name, text, min, rows) => {
    expect(fitRows(text, min)).toBe(rows);
  });
});
