import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evalCondition, getPath, paddedVersion, withUserId } from "../../src/targeting/condition";
import { CONDITION_LIMITS, type Condition } from "../../src/targeting/model";
import { compileRegex, regexTest } from "../../src/targeting/regex";
import { validateCondition } from "../../src/targeting/validate";
import golden from "../fixtures/targeting.json";

/** CPU milliseconds (user + system) spent by this process while running `fn`. */
function cpuMs(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

describe("regex engine agrees with JavaScript's RegExp (u mode) on the accepted subset", () => {
  const regexCases = golden.conditions.filter((c) => c.name.startsWith("regex "));
  it.each(regexCases.map((c) => [c.name, c] as const))("%s", (_n, c) => {
    const pattern = (c.condition.s as { $regex: string }).$regex;
    const input = (c.attributes as { s: string }).s;
    expect(regexTest(compileRegex(pattern), input, { steps: 1e7 })).toBe(new RegExp(pattern, "u").test(input));
    // The condition also bounds the input's length.
    const bounded = input.length <= CONDITION_LIMITS.maxRegexInput && new RegExp(pattern, "u").test(input);
    expect(evalCondition(c.attributes, c.condition)).toBe(bounded);
  });

  it("on generated strings over a small alphabet", () => {
    const patterns = ["^a*b$", "a{2,3}", "(?:ab|ba)c", "^[a-c]+$", "\\bab", "b?a+$", "^(?:a|b)c?$", "[^a]b", "^$"];
    fc.assert(
      fc.property(fc.constantFrom(...patterns), fc.string({ unit: fc.constantFrom("a", "b", "c", " ") }), (p, s) => {
        return regexTest(compileRegex(p), s, { steps: 1e7 }) === new RegExp(p, "u").test(s);
      }),
      { numRuns: 3000 },
    );
  });
});

describe("hostile input", () => {
  // Each would take seconds to forever on a backtracking engine; here each evaluation must stay
  // under 50 ms of CPU. The patterns are refused when saved, but the evaluator must also survive
  // patterns that never went through the validator. Attributes are attacker-sized (a request body
  // holds up to 1 MiB); literal conditions are validator-sized (at most 1000 values).
  const evil = `${"a".repeat(CONDITION_LIMITS.maxRegexInput - 1)}!`;
  const hostile: [string, Record<string, unknown>, Condition][] = [
    ["(a+)+$", { s: evil }, { s: { $regex: "^(a+)+$" } }],
    ["(a|aa)*b", { s: evil }, { s: { $regex: "(a|aa)*b" } }],
    ["polynomial a*a*a*a*b", { s: evil }, { s: { $regex: "a*a*a*a*a*a*b" } }],
    ["large counted repetition", { s: evil }, { s: { $regex: `(?:a{1,100}){1,9}x` } }],
    ["$elemMatch regex over a big array", { t: Array(5000).fill(evil) }, { t: { $elemMatch: { $regex: "a*a*b" } } }],
    [
      "$in over big arrays",
      { t: Array.from({ length: 20_000 }, (_, i) => i) },
      { t: { $in: Array.from({ length: 20_000 }, (_, i) => -i - 1) } },
    ],
    [
      "equality of a huge attribute object with the largest valid literal",
      { o: Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i])) },
      { o: Object.fromEntries(Array.from({ length: 990 }, (_, i) => [`k${i}`, i])) },
    ],
  ];

  it.each(hostile)("%s stays under 50 ms of CPU", (_name, attrs, condition) => {
    // Warm up once (JIT), then measure the worst of three runs.
    evalCondition(attrs, condition);
    let worst = 0;
    for (let k = 0; k < 3; k++)
      worst = Math.max(
        worst,
        cpuMs(() => evalCondition(attrs, condition)),
      );
    expect(worst).toBeLessThan(50);
  });

  it("a condition nested 10,000 deep does not throw (it does not match)", () => {
    let c: Condition = { a: 1 };
    for (let i = 0; i < 10_000; i++) c = { $and: [c] };
    expect(evalCondition({ a: 1 }, c)).toBe(false);
    expect(validateCondition(c)).toHaveLength(1);
  });

  it("exhausting the budget means no match; a shared budget bounds several evaluations", () => {
    const budget = { steps: 50 };
    const big = { t: Array.from({ length: 100 }, (_, i) => i) };
    expect(evalCondition(big, { t: { $in: [-1] } }, budget)).toBe(false);
    expect(budget.steps).toBeLessThan(0);
    expect(evalCondition({ a: 1 }, { a: 1 }, budget)).toBe(false); // already spent
    expect(evalCondition({ a: 1 }, { a: 1 })).toBe(true);
  });

  it("paths never reach the prototype", () => {
    expect(getPath({}, "constructor")).toBeNull();
    expect(getPath({}, "__proto__")).toBeNull();
    expect(getPath({ a: {} }, "a.toString")).toBeNull();
    expect(evalCondition({}, { "constructor.name": "Object" })).toBe(false);
  });

  it("validation is bounded too: a 1,000-value condition validates in well under 50 ms", () => {
    const c = { $or: Array.from({ length: 300 }, (_, i) => ({ [`f${i}`]: { $regex: "^x(?:ab|cd)?\\d{1,3}$" } })) };
    expect(validateCondition(c)).toEqual([]);
    expect(cpuMs(() => validateCondition(c))).toBeLessThan(50);
  });
});

describe("details", () => {
  it.each([
    ["1.2.3", "    1-    2-    3-~"],
    ["v1.2.3+build.5", "    1-    2-    3-~"],
    ["1.0.0-beta.2", "    1-    0-    0-beta-    2"],
    ["", "    0"],
  ])("paddedVersion(%j) = %j", (v, key) => {
    expect(paddedVersion(v)).toBe(key);
  });

  it("id defaults to the user id, an explicit id wins", () => {
    expect(withUserId(undefined, "u")).toEqual({ id: "u" });
    expect(withUserId({ plan: "pro" }, "u")).toEqual({ plan: "pro", id: "u" });
    expect(withUserId({ id: "other" }, "u")).toEqual({ id: "other" });
  });
});
