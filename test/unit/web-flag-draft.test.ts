// The flag form's pure part: typed values from text, conditions checked as the server checks them,
// errors by API path, the labels the error summary shows, and the "Try it" answer, which must be
// the evaluator's (the same function the service and the SDKs run).
import { describe, expect, it } from "vitest";
import { evaluateFlag } from "../../src/flags/evaluate";
import type { FlagValueType } from "../../src/flags/model";
import {
  emptyFlagDraft,
  type FlagDraft,
  flagBody,
  flagDraftOf,
  flagFieldLabel,
  flagListHref,
  flagMatches,
  formFlagErrors,
  newRule,
  parseCondition,
  parseValue,
  rolloutWarnings,
  ruleSummary,
  toggleWarning,
  tryDraft,
  valueText,
  withValueType,
} from "../../web/src/flags/flag-draft";

const draft = (over: Partial<FlagDraft> = {}): FlagDraft => ({ ...emptyFlagDraft(), key: "new-checkout", ...over });

describe("parseValue", () => {
  it.each<[FlagValueType, string, unknown]>([
    ["boolean", "true", true],
    ["boolean", "false", false],
    ["string", "", ""],
    ["string", " on ", " on "],
    ["number", "0.25", 0.25],
    ["number", "-3", -3],
    ["number", "1e3", 1000],
    ["json", '{"a":[1,2]}', { a: [1, 2] }],
    ["json", '"text"', "text"],
    ["json", "null", null],
  ])("%s %j → %j", (type, text, value) => {
    expect(parseValue(type, text)).toEqual({ value });
  });

  it.each<[FlagValueType, string, RegExp]>([
    ["boolean", "yes", /true or false/],
    ["number", "", /Enter a number/],
    ["number", "abc", /Enter a number/],
    ["number", "Infinity", /Enter a number/],
    ["json", "{a:1}", /valid JSON/],
    ["json", "", /valid JSON/],
  ])("%s %j is refused", (type, text, message) => {
    const out = parseValue(type, text);
    expect("error" in out && out.error).toMatch(message);
  });
});

describe("parseCondition", () => {
  it.each<[string, unknown]>([
    ["", null],
    ["   ", null],
    ['{"country": {"$in": ["FR", "DE"]}}', { country: { $in: ["FR", "DE"] } }],
    ['{"app.version": {"$vgte": "2.4.0"}}', { "app.version": { $vgte: "2.4.0" } }],
  ])("%j → %j", (text, value) => {
    expect(parseCondition(text)).toEqual({ value });
  });

  it.each<[string, RegExp]>([
    ["{country: 1}", /JSON object/],
    ['["a"]', /condition is a JSON object/i],
    ['{"age": {"$between": [1, 2]}}', /^At age\.\$between: [A-Z]/],
    ['{"email": {"$regex": "(a+)+$"}}', /^At email\.\$regex: [A-Z]/],
  ])("%j is refused, naming where", (text, message) => {
    const out = parseCondition(text);
    expect("error" in out && out.error).toMatch(message);
  });
});

describe("flagBody", () => {
  it("a complete draft becomes the request body", () => {
    const { body, errors } = flagBody(
      draft({
        value_type: "string",
        default_value: "off",
        description: "  the new flow ",
        rules: [
          { condition: '{"country": "FR"}', rollout: "25", value: "on" },
          { condition: "", rollout: "100", value: "everyone" },
        ],
      }),
    );
    expect(errors).toEqual({});
    expect(body).toEqual({
      key: "new-checkout",
      description: "the new flow",
      value_type: "string",
      default_value: "off",
      enabled: true,
      rules: [
        { condition: { country: "FR" }, rollout_percentage: 25, value: "on" },
        { condition: null, rollout_percentage: 100, value: "everyone" },
      ],
    });
  });

  it.each<[string, Partial<FlagDraft>, string[]]>([
    ["no key", { key: " " }, ["key"]],
    ["an upper-case key", { key: "NewCheckout" }, ["key"]],
    ["a 65-character key", { key: "k".repeat(65) }, ["key"]],
    ["a number default that is not one", { value_type: "number", default_value: "ten" }, ["default_value"]],
    [
      "every field of a rule",
      { rules: [{ condition: "{", rollout: "101", value: "maybe" }] },
      ["rules.0.condition", "rules.0.rollout_percentage", "rules.0.value"],
    ],
    [
      "only the second rule",
      {
        rules: [
          { condition: "", rollout: "50", value: "true" },
          { condition: "", rollout: "", value: "true" },
        ],
      },
      ["rules.1.rollout_percentage"],
    ],
    [
      "a negative rollout",
      { rules: [{ condition: "", rollout: "-1", value: "true" }] },
      ["rules.0.rollout_percentage"],
    ],
    [
      "a rollout with three decimals (the server refuses it too)",
      { rules: [{ condition: "", rollout: "33.333", value: "true" }] },
      ["rules.0.rollout_percentage"],
    ],
    ["a rollout with two decimals", { rules: [{ condition: "", rollout: "33.33", value: "true" }] }, []],
  ])("%s: errors at %j", (_name, over, paths) => {
    expect(Object.keys(flagBody(draft(over)).errors).sort()).toEqual([...paths].sort());
  });
});

describe("drafts from flags and back", () => {
  it.each<[FlagValueType, unknown, unknown]>([
    ["boolean", false, true],
    ["string", "off", "on"],
    ["number", 0, 2.5],
    ["json", { theme: "light" }, { theme: "dark", sizes: [1, 2] }],
  ])("%s: a stored flag round-trips through the form unchanged", (type, def, value) => {
    const stored = {
      key: "k1",
      description: null,
      value_type: type,
      default_value: def,
      enabled: false,
      rules: [{ condition: { plan: { $in: ["pro"] } }, rollout_percentage: 12.5, value }],
    };
    const { body, errors } = flagBody(flagDraftOf(stored));
    expect(errors).toEqual({});
    expect(body).toEqual({ ...stored, rules: [{ ...stored.rules[0] }] });
  });

  it("a new rule serves the opposite of a boolean default, and the default otherwise", () => {
    expect(newRule({ value_type: "boolean", default_value: "false" })).toEqual({
      condition: "",
      rollout: "100",
      value: "true",
    });
    expect(newRule({ value_type: "string", default_value: "off" }).value).toBe("off");
  });

  it.each<[FlagValueType, FlagValueType, string, string]>([
    ["boolean", "string", "true", "true"],
    ["string", "number", "on", "0"],
    ["string", "number", "42", "42"],
    ["number", "json", "42", "42"],
    ["json", "boolean", '{"a":1}', "false"],
  ])("changing %s to %s keeps %j as %j", (from, to, text, kept) => {
    const changed = withValueType(
      draft({ value_type: from, default_value: text, rules: [{ condition: "", rollout: "5", value: text }] }),
      to,
    );
    expect(changed.default_value).toBe(kept);
    expect(changed.rules[0]?.value).toBe(kept);
  });

  it.each<[FlagValueType, unknown, string]>([
    ["boolean", true, "true"],
    ["number", 0.5, "0.5"],
    ["string", "", ""],
    ["json", null, "null"],
    ["json", [1, "a"], '[1,"a"]'],
  ])("valueText(%s, %j) = %j", (type, value, text) => {
    expect(valueText(type, value)).toBe(text);
  });
});

describe("errors and labels", () => {
  it("an error inside a condition is shown at the condition's field, with the inner path", () => {
    expect(
      formFlagErrors({
        "rules.1.condition.age.$gt": "must be a number",
        "rules.1.condition.plan": "second problem",
        key: "taken",
      }),
    ).toEqual({ "rules.1.condition": "At age.$gt: must be a number", key: "Taken" });
  });

  it.each([
    ["key", "Key"],
    ["default_value", "Default value"],
    ["rules", "Rules"],
    ["rules.0.condition", "Rule 1 condition"],
    ["rules.2.rollout_percentage", "Rule 3 rollout"],
    ["rules.9.value", "Rule 10 value"],
    ["rules.0.condition.age.$gt", "Rule 1 condition"],
    ["", "Form"],
  ])("%j reads %j", (path, label) => {
    expect(flagFieldLabel(path)).toBe(label);
  });

  it("a rule in a sentence", () => {
    expect(ruleSummary("boolean", { condition: { country: "FR" }, rollout_percentage: 25, value: true })).toBe(
      '{"country":"FR"} · 25% → true',
    );
    expect(ruleSummary("string", { condition: null, rollout_percentage: 100, value: "" })).toBe('everyone · 100% → ""');
    expect(ruleSummary("number", { rollout_percentage: 5, value: 2 })).toBe("everyone · 5% → 2");
  });
});

describe("tryDraft", () => {
  const rules = [
    { condition: '{"country": "FR"}', rollout: "100", value: "true" },
    { condition: "", rollout: "0", value: "true" },
  ];

  it.each<[string, Partial<FlagDraft>, string, string, unknown]>([
    [
      "a matching user gets rule 1",
      { rules },
      "u1",
      '{"country": "FR"}',
      { value: true, rule_index: 0, reason: "rule" },
    ],
    [
      "another country falls to the default",
      { rules },
      "u1",
      '{"country": "DE"}',
      { value: false, rule_index: null, reason: "default" },
    ],
    ["no attributes: the default", { rules }, "u1", "", { value: false, rule_index: null, reason: "default" }],
    [
      "off: the default for everyone",
      { rules, enabled: false },
      "u1",
      '{"country": "FR"}',
      { value: false, rule_index: null, reason: "disabled" },
    ],
  ])("%s", (_name, over, user, attributes, result) => {
    expect(tryDraft(draft(over), user, attributes)).toEqual({ result });
  });

  it("gives the evaluator's answer for every user of a partial rollout (same buckets as the service)", () => {
    const d = draft({ rules: [{ condition: "", rollout: "30", value: "true" }] });
    let served = 0;
    for (let i = 0; i < 2000; i++) {
      const out = tryDraft(d, `user-${i}`, "");
      const expected = evaluateFlag(
        {
          key: "new-checkout",
          value_type: "boolean",
          default_value: false,
          enabled: true,
          rules: [{ rollout_percentage: 30, value: true }],
        },
        `user-${i}`,
      );
      expect(out).toEqual({ result: expected });
      if (expected.value === true) served++;
    }
    expect(served / 2000).toBeGreaterThan(0.26);
    expect(served / 2000).toBeLessThan(0.34);
  });

  it.each<[string, Partial<FlagDraft>, string, string, RegExp]>([
    ["no user", {}, " ", "", /user id/],
    ["attributes that are not an object", {}, "u1", "[1]", /JSON object/],
    ["attributes that are not JSON", {}, "u1", "{country: FR}", /JSON object/],
    ["a draft with errors", { key: "" }, "u1", "", /Fix the flag's errors/],
  ])("%s: says why", (_name, over, user, attributes, message) => {
    const out = tryDraft(draft(over), user, attributes);
    expect("error" in out && out.error).toMatch(message);
  });
});

describe("the list: search and the on/off switch", () => {
  const flag = { key: "new-checkout", description: "iOS only, one page" };

  it.each<[string, boolean]>([
    ["", true],
    ["checkout", true],
    ["CHECKOUT ios", true],
    ["  one   page ", true],
    ["android", false],
    ["checkout android", false],
  ])("%j matches: %s", (query, match) => {
    expect(flagMatches(flag, query)).toBe(match);
  });

  it("a flag without a description is searched by key", () => {
    expect(flagMatches({ key: "dark-mode", description: null }, "dark")).toBe(true);
    expect(flagMatches({ key: "dark-mode", description: null }, "null")).toBe(false);
  });

  const base = { key: "k", value_type: "boolean" as const, default_value: false };
  const some = { condition: { country: "FR" }, rollout_percentage: 100 };
  const all = { condition: null, rollout_percentage: 100 };
  it.each<[string, boolean, { condition: Record<string, unknown> | null; rollout_percentage: number }[], string]>([
    ["turning off", true, [some], "Every user gets false from k, whatever its rules say."],
    ["turning on, no rules", false, [], "k has no rules: every user still gets false."],
    ["turning on, one rule", false, [some], "k's rule applies again; the others get false."],
    ["turning on, 3 rules", false, [some, some, some], "k's 3 rules apply again; the others get false."],
    [
      "turning on, the 2nd of 3 serves everyone (an outside walk: it said 3 rules apply)",
      false,
      [some, all, some],
      "k's 2 rules apply again; rule 2 serves every user, so the rule after it never decides.",
    ],
    ["turning on, the last serves everyone", false, [some, all], "k's 2 rules apply again; rule 2 serves every user."],
  ])("%s", (_name, enabled, rules, warning) => {
    expect(toggleWarning({ ...base, enabled, rules })).toBe(warning);
  });
});

describe("rolloutWarnings", () => {
  const saved = {
    value_type: "boolean" as const,
    rules: [
      { condition: { country: "FR" }, rollout_percentage: 50, value: true },
      { condition: null, rollout_percentage: 10, value: true },
    ],
  };
  const rule = (condition: string, rollout: string, value = "true") => ({ condition, rollout, value });

  it.each<[string, ReturnType<typeof rule>[], Record<number, string>]>([
    ["unchanged", [rule('{"country":"FR"}', "50"), rule("", "10")], {}],
    ["raised", [rule('{"country": "FR"}', "80"), rule("", "10")], {}],
    [
      "rule 1 lowered from 50% to 10%",
      [rule('{"country": "FR"}', "10"), rule("", "10")],
      { 0: "Lowering from 50% to 10% takes the value from about 80% of the matching users who have it now." },
    ],
    [
      "rule 2 lowered to 0",
      [rule('{"country":"FR"}', "50"), rule("", "0")],
      { 1: "Lowering from 10% to 0% takes the value from about 100% of the matching users who have it now." },
    ],
    ["swapped: nothing to compare with", [rule("", "5"), rule('{"country":"FR"}', "50")], {}],
    ["a new condition is a new rule", [rule('{"country":"DE"}', "10"), rule("", "10")], {}],
    ["a new value is a new rule", [rule('{"country":"FR"}', "10", "false"), rule("", "10")], {}],
    ["a blank rollout is not a number yet", [rule('{"country":"FR"}', ""), rule("", "10")], {}],
    ["an added third rule", [rule('{"country":"FR"}', "50"), rule("", "10"), rule("", "1")], {}],
  ])("%s", (_name, rules, warnings) => {
    expect(rolloutWarnings(saved, rules)).toEqual(warnings);
  });

  it("a new flag has nothing to lower", () => {
    expect(rolloutWarnings(null, [rule("", "1")])).toEqual({});
  });
});

describe("flagListHref: the list's search and stale pick in the URL", () => {
  it.each<[string, boolean, string]>([
    ["", false, "/flags"],
    ["checkout", false, "/flags?q=checkout"],
    ["", true, "/flags?stale=1"],
    ["new checkout", true, "/flags?q=new+checkout&stale=1"],
    ["50% & more", false, "/flags?q=50%25+%26+more"],
  ])("%j, stale %s → %s", (q, stale, want) => {
    expect(flagListHref(q, stale)).toBe(want);
    const read = new URL(want, "http://x").searchParams;
    expect([read.get("q") ?? "", read.get("stale") === "1"]).toEqual([q, stale]);
  });
});
