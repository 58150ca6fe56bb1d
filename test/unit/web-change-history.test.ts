// An audit entry in words, as the flag page (and any page showing a history) lists it.
import { describe, expect, it } from "vitest";
import { actionLabel, changeLines, ruleChangeLines, showValue } from "../../web/src/ui/change-history";

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
      "a flag's rules, rule by rule",
      { rules: { from: [], to: [{ rollout_percentage: 10, value: true }] } },
      ["rule 1 added: everyone · 10% → true"],
    ],
    [
      "rules not of that shape, as compact JSON",
      { rules: { from: [], to: [{ value: true }] } },
      ['rules: [] → [{"value":true}]'],
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

// A flag's rules are ordered; each line names a rule by its position.
describe("ruleChangeLines", () => {
  const fr = { condition: { country: "FR" }, rollout_percentage: 25, value: true };
  const de = { condition: { country: "DE" }, rollout_percentage: 50, value: true };
  const all = { condition: null, rollout_percentage: 100, value: false };
  it.each<[string, unknown, unknown, string[] | null]>([
    ["unchanged", [fr, de], [fr, de], []],
    ["a rollout raised", [fr, de], [{ ...fr, rollout_percentage: 50 }, de], ["rule 1: rollout 25% → 50%"]],
    [
      "several fields of one rule",
      [fr, de],
      [fr, { ...de, condition: { country: "IT" }, value: false }],
      ['rule 2: condition {"country":"DE"} → {"country":"IT"}; value true → false'],
    ],
    [
      "a condition removed: everyone",
      [fr],
      [{ ...fr, condition: null }],
      ['rule 1: condition {"country":"FR"} → everyone'],
    ],
    ["a rule added at the end", [fr], [fr, de], ['rule 2 added: {"country":"DE"} · 50% → true']],
    [
      "a rule added at the top: the others are not changed",
      [fr, de],
      [all, fr, de],
      ["rule 1 added: everyone · 100% → false"],
    ],
    ["a rule removed from the middle", [fr, all, de], [fr, de], ["rule 2 removed: everyone · 100% → false"]],
    ["two rules swapped", [fr, de], [de, fr], ['rule 1 moved to 2: {"country":"FR"} · 25% → true']],
    ["a rule moved to the top", [fr, de, all], [all, fr, de], ["rule 3 moved to 1: everyone · 100% → false"]],
    [
      "a rule changed after one added above it",
      [fr, de],
      [all, fr, { ...de, rollout_percentage: 75 }],
      ["rule 1 added: everyone · 100% → false", "rule 3 (was 2): rollout 50% → 75%"],
    ],
    [
      "every rule replaced by fewer",
      [fr, de],
      [all],
      [
        'rule 1: condition {"country":"FR"} → everyone; rollout 25% → 100%; value true → false',
        'rule 2 removed: {"country":"DE"} · 50% → true',
      ],
    ],
    [
      "a rule added above an edited one: the edit is matched by its condition",
      [fr, all],
      [{ condition: { plan: "pro" }, rollout_percentage: 100, value: true }, { ...fr, rollout_percentage: 50 }, all],
      ['rule 1 added: {"plan":"pro"} · 100% → true', "rule 2 (was 1): rollout 25% → 50%"],
    ],
    [
      "an edited rule and a removed one: matched by condition, not by position",
      [fr, de],
      [{ ...de, value: false }],
      ['rule 1 removed: {"country":"FR"} · 25% → true', "rule 1 (was 2): value true → false"],
    ],
    ["a flag created with rules", null, [fr], ['rule 1 added: {"country":"FR"} · 25% → true']],
    ["a flag deleted", [fr], null, ['rule 1 removed: {"country":"FR"} · 25% → true']],
    ["a string value, and an empty one", [{ ...all, value: "a" }], [{ ...all, value: "" }], ['rule 1: value a → ""']],
    ["not rules", [fr], [{ value: 1 }], null],
    ["not a list", [fr], { value: 1 }, null],
  ])("%s", (_name, from, to, lines) => {
    expect(ruleChangeLines(from, to)).toEqual(lines);
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
