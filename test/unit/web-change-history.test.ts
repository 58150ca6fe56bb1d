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

  // An experiment's history: the winner by its variant key, the variants by key and split.
  const labels = new Map([
    ["var_1", "control"],
    ["var_2", "treatment"],
  ]);
  const v = (key: string, pct: number, extra: Record<string, unknown> = {}) => ({
    id: `var_${key}`,
    key,
    variant_name: key,
    traffic_percentage: pct,
    config: { long: "x".repeat(80) },
    ...extra,
  });
  it.each<[string, Record<string, unknown>, string[]]>([
    ["a winner named", { winner_variant_id: { from: null, to: "var_2" } }, ["winner: none → treatment"]],
    ["no winner", { winner_variant_id: { from: null, to: null } }, ["winner: none → none"]],
    ["a winner no longer a variant", { winner_variant_id: { from: null, to: "var_9" } }, ["winner: none → var_9"]],
    [
      "variants created",
      { variants: { from: null, to: [v("control", 50), v("treatment", 50)] } },
      ["variants: none → control 50% · treatment 50%"],
    ],
    [
      "a split changed",
      { variants: { from: [v("control", 50), v("b", 50)], to: [v("control", 34), v("b", 33), v("c", 33)] } },
      ["variants: control 50% · b 50% → control 34% · b 33% · c 33%"],
    ],
    [
      "only a config changed",
      { variants: { from: [v("control", 50), v("b", 50)], to: [v("control", 50), v("b", 50, { config: {} })] } },
      ["variants: control 50% · b 50% (names or configs changed)"],
    ],
    ["variants deleted", { variants: { from: [v("control", 100)], to: null } }, ["variants: control 100% → none"]],
    ["variants not of that shape", { variants: { from: [], to: [1] } }, ["variants: [] → [1]"]],
  ])("%s", (_name, changes, lines) => {
    expect(changeLines(entry(changes), labels)).toEqual(lines);
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
