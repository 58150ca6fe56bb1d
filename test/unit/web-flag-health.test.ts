// Rules that never decide and flags that serve one value: tables, then a check of both against
// evaluateFlag (the evaluator of the service and the SDKs) over generated flags and users.
import { describe, expect, it } from "vitest";
import { evaluateFlag } from "../../src/flags/evaluate";
import { type ClientFlag, type FlagRule, holdsEveryone } from "../../src/flags/model";
import type { RuleDraft } from "../../web/src/flags/flag-draft";
import {
  joinWarnings,
  singleValue,
  STALE_AFTER_DAYS,
  staleNote,
  staleness,
  unreachableWarnings,
} from "../../web/src/flags/flag-health";
import { SeededRandom } from "../seeded-random";

const rule = (condition: string, rollout: string, value = "true"): RuleDraft => ({ condition, rollout, value });

describe("holdsEveryone", () => {
  it.each<[Pick<FlagRule, "condition" | "rollout_percentage">, boolean]>([
    [{ rollout_percentage: 100 }, true],
    [{ condition: null, rollout_percentage: 100 }, true],
    [{ condition: {}, rollout_percentage: 100 }, true],
    [{ condition: null, rollout_percentage: 99.99 }, false],
    [{ condition: { country: "FR" }, rollout_percentage: 100 }, false],
    [{ condition: { $or: [] }, rollout_percentage: 100 }, false],
  ])("%j → %s", (r, want) => expect(holdsEveryone(r)).toBe(want));
});

describe("unreachableWarnings", () => {
  it.each<[string, RuleDraft[], number[]]>([
    ["no rules", [], []],
    ["a catch-all last", [rule('{"country":"FR"}', "100"), rule("", "100")], []],
    ["after a blank condition at 100%", [rule("", "100"), rule('{"plan":"pro"}', "100"), rule("", "50")], [1, 2]],
    ["after {} at 100%", [rule("{}", "100"), rule("", "100")], [1]],
    ["a partial rollout lets users through", [rule("", "99"), rule("", "100")], []],
    ["a condition lets users through", [rule('{"beta":true}', "100"), rule("", "100")], []],
    ["a rule being typed decides nothing yet", [rule("{", "100"), rule("", "")], []],
    ["a blank rollout is not 100%", [rule("", ""), rule("", "100")], []],
    ["the first catch-all counts", [rule('{"a":1}', "10"), rule("", "100"), rule("", "100")], [2]],
  ])("%s", (_name, rules, want) => {
    const warnings = unreachableWarnings(rules);
    expect(Object.keys(warnings).map(Number)).toEqual(want);
    for (const i of want) expect(warnings[i]).toMatch(/^Never reached: rule \d+ above it serves every user/);
  });
});

describe("joinWarnings", () => {
  it("keeps each rule's warnings, in the order of the checks", () => {
    expect(joinWarnings({ 1: "A.", 2: "B." }, {}, { 2: "C.", 4: "D." })).toEqual({ 1: "A.", 2: "B. C.", 4: "D." });
    expect(joinWarnings()).toEqual({});
  });
});

const saved = (over: Partial<Parameters<typeof staleness>[0]> = {}): Parameters<typeof staleness>[0] => ({
  enabled: true,
  value_type: "boolean",
  default_value: false,
  rules: [],
  updated_at: "2026-10-01T00:00:00.000Z",
  ...over,
});

describe("singleValue and staleNote", () => {
  const now = Date.parse("2026-12-03T00:00:00.000Z"); // 63 days after updated_at
  it.each<[string, Parameters<typeof staleness>[0], unknown, string | null]>([
    ["off", saved({ enabled: false, rules: [{ rollout_percentage: 100, value: true }] }), false, "it is off"],
    ["no rules", saved(), false, "it has no rules"],
    [
      "a 100% rule for everyone",
      saved({ rules: [{ rollout_percentage: 100, value: true }] }),
      true,
      "rule 1 holds every user",
    ],
    [
      "0% rules are skipped",
      saved({
        rules: [
          { rollout_percentage: 0, value: true },
          { condition: {}, rollout_percentage: 100, value: true },
        ],
      }),
      true,
      "rule 2 holds every user",
    ],
    ["every rule at 0%", saved({ rules: [{ rollout_percentage: 0, value: true }] }), false, "every rule is at 0%"],
    ["a partial rollout", saved({ rules: [{ rollout_percentage: 50, value: true }] }), undefined, null],
    [
      "a targeted rule",
      saved({ rules: [{ condition: { country: "FR" }, rollout_percentage: 100, value: true }] }),
      undefined,
      null,
    ],
  ])("%s", (_name, flag, value, why) => {
    const single = singleValue(flag);
    expect(single === null ? null : single.why).toBe(why);
    if (single) expect(single.value).toEqual(value);
    const stale = staleness(flag, now);
    if (why === null) expect(stale).toBeNull();
    else
      expect(stale && staleNote(stale)).toBe(
        `Every user has got ${String(value)} for 63 days (${why}): ready to remove from your code?`,
      );
  });

  it.each([
    [STALE_AFTER_DAYS - 1, false],
    [STALE_AFTER_DAYS, true],
  ])("unchanged for %i days: stale %s", (days, stale) => {
    const flag = saved({ updated_at: new Date(now - days * 86_400_000).toISOString() });
    expect(staleness(flag, now) !== null).toBe(stale);
  });

  it("says what a string or JSON flag serves", () => {
    const flag = saved({ value_type: "json", default_value: { layout: "grid" }, enabled: false });
    expect(staleness(flag, now)).toEqual({ value: '{"layout":"grid"}', why: "it is off", days: 63 });
    expect(staleness(saved({ value_type: "string", default_value: "" }), now)?.value).toBe('""');
    expect(staleness(saved({ updated_at: "not a date" }), now)).toBeNull();
  });
});

describe("against evaluateFlag, over generated flags", () => {
  const random = new SeededRandom(20261203);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random.uniform() * xs.length)] as T;
  const conditions = [null, {}, { country: "FR" }, { plan: { $in: ["pro", "team"] } }, { age: { $gte: 18 } }];
  const rollouts = [0, 10, 50, 99.99, 100, 100, 100];
  const users = Array.from({ length: 400 }, (_, i) => ({
    id: `user-${i}`,
    attributes: { country: pick(["FR", "DE", "BR"]), plan: pick(["free", "pro", "team"]), age: 10 + (i % 50) },
  }));

  it("a flag read as single-valued gives every user that value; rules read as unreachable never decide", () => {
    let singles = 0;
    let unreachable = 0;
    for (let f = 0; f < 300; f++) {
      const rules = Array.from({ length: Math.floor(random.uniform() * 4) }, (_, i) => ({
        condition: pick(conditions),
        rollout_percentage: pick(rollouts),
        value: i + 1,
      }));
      const flag: ClientFlag = {
        key: `f${f}`,
        value_type: "number",
        default_value: 0,
        enabled: random.uniform() > 0.2,
        rules,
      };
      const single = singleValue(flag);
      const warned = unreachableWarnings(
        rules.map((r) => rule(r.condition === null ? "" : JSON.stringify(r.condition), String(r.rollout_percentage))),
      );
      const values = new Set<unknown>();
      for (const u of users) {
        const answer = evaluateFlag(flag, u.id, u.attributes);
        values.add(answer.value);
        if (answer.rule_index !== null) expect(warned[answer.rule_index], `flag ${f}`).toBeUndefined();
      }
      if (single) {
        singles++;
        expect([...values], `flag ${f}`).toEqual([single.value]);
      }
      unreachable += Object.keys(warned).length;
    }
    // The generator reaches both cases often enough for the checks to mean something.
    expect(singles).toBeGreaterThan(50);
    expect(unreachable).toBeGreaterThan(30);
  });
});
