// An audit entry in words, as the flag page (and any page showing a history) lists it.
import { describe, expect, it } from "vitest";
import { actionLabel, changeLines, showValue } from "../../web/src/ui/change-history";

const entry = (changes: Record<string, unknown>) => ({
  at: "2026-12-03T10:00:00.000Z",
  actor: "ana@example.com",
  action: "updated",
  changes,
  reason: null,
});

describe("changeLines", () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ["a changed field", { enabled: { from: true, to: false } }, ["enabled: true → false"]],
    [
      "a field set for the first time",
      { description: { from: null, to: "new flow" } },
      ["description: none → new flow"],
    ],
    [
      "rules as compact JSON",
      { rules: { from: [], to: [{ rollout_percentage: 10, value: true }] } },
      ['rules: [] → [{"rollout_percentage":10,"value":true}]'],
    ],
    ["an empty string", { default_value: { from: "off", to: "" } }, ['default_value: off → ""']],
    ["a value that is not a from/to pair", { key: "k1" }, ["key: k1"]],
    ["nothing changed", {}, []],
  ])("%s", (_name, changes, lines) => {
    expect(changeLines(entry(changes))).toEqual(lines);
  });

  it("cuts a long value to one line", () => {
    const long = "x".repeat(200);
    const [line] = changeLines(entry({ description: { from: null, to: long } }));
    expect(line).toBe(`description: none → ${"x".repeat(59)}…`);
    expect(showValue(long)).toHaveLength(60);
  });
});

describe("actionLabel", () => {
  it.each([
    ["created", "created"],
    ["variant_added", "variant added"],
    ["start_refused", "start refused"],
  ])("%s → %s", (action, label) => {
    expect(actionLabel(action)).toBe(label);
  });
});
