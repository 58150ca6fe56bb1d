import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evalCondition, getPath, paddedVersion, withUserId } from "../../src/targeting/condition";
import { CONDITION_LIMITS, type Condition } from "../../src/targeting/model";
import { compileRegex, regexTest } from "../../src/targeting/regex";
import { validateCondition } from "../../src/targeting/validate";
import golden from "../fixtures/targeting.json";

/** CPU milliseconds (user + system) this process spends running `fn`: the median of five runs. */
function medianCpuMs(fn: () => void): number {
  const runs = Array.from({ length: 5 }, () => {
    const start = process.cpuUsage();
    fn();
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  }).sort((a, b) => a - b);
  return runs[2] as number;
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
  // Each would take seconds to forever on a backtracking engine. Three layers keep evaluation
  // bounded, each tested on its own below: the validator (and the evaluator, for conditions that
  // never went through it) refuses patterns that could backtrack; the engine is a Thompson
  // simulation, linear in the input; and every evaluation runs under a step budget. Attributes are
  // attacker-sized (a request body holds up to 1 MiB); literal conditions are validator-sized.
  const evil = `${"a".repeat(CONDITION_LIMITS.maxRegexInput - 1)}!`;

  it.each(["^(a+)+$", "(a|aa)*b", "(?:a{1,100}){1,9}x", "(?:ab*)+c"])(
    "%s is refused at compile time, and an unvalidated one never matches",
    (pattern) => {
      expect(() => compileRegex(pattern)).toThrow(/nested repetition/);
      expect(validateCondition({ s: { $regex: pattern } })).toEqual([
        expect.objectContaining({ path: ["s", "$regex"], message: expect.stringMatching(/nested repetition/) }),
      ]);
      expect(evalCondition({ s: evil }, { s: { $regex: pattern } })).toBe(false);
    },
  );

  /** Steps the engine charges to search `input` (given a budget it cannot exhaust). */
  const stepsFor = (pattern: string, input: string): number => {
    const budget = { steps: 1e9 };
    regexTest(compileRegex(pattern), input, budget);
    return 1e9 - budget.steps;
  };

  it.each(["a*a*a*a*a*a*b", "a*a*b", "[ab]*c", "^[a-z]*x$", "a{2,40}!?z"])(
    "%s: the engine's work grows linearly with the input, within 2 x states x positions",
    (pattern) => {
      const states = compileRegex(pattern).states.length;
      const sizes = [512, 1024, 2048, 4096];
      const steps = sizes.map((n) => stepsFor(pattern, `${"a".repeat(n - 1)}!`));
      // Per position, each state is visited at most once building the list and once stepping it.
      for (const [k, n] of sizes.entries()) expect(steps[k]).toBeLessThanOrEqual(2 * states * (n + 1));
      // Linear, not quadratic: 8 times the input costs about 8 times the steps (quadratic: 64).
      expect((steps[3] as number) / (steps[0] as number)).toBeGreaterThan(7);
      expect((steps[3] as number) / (steps[0] as number)).toBeLessThan(9);
    },
  );

  // Work past the budget ends the evaluation as "no match", whatever the condition.
  const overBudget: [string, Record<string, unknown>, Condition][] = [
    ["$elemMatch regex over a big array", { t: Array(5000).fill(evil) }, { t: { $elemMatch: { $regex: "a*a*b" } } }],
    [
      "$in over big arrays",
      { t: Array.from({ length: 20_000 }, (_, i) => i) },
      { t: { $in: Array.from({ length: 20_000 }, (_, i) => -i - 1) } },
    ],
  ];

  it.each(overBudget)("%s runs out of the step budget and does not match", (_name, attrs, condition) => {
    const budget = { steps: CONDITION_LIMITS.stepBudget };
    expect(evalCondition(attrs, condition, budget)).toBe(false);
    expect(budget.steps).toBeLessThan(0);
  });

  // The CPU bound, shown on the costliest evaluations there are: the two above spend the
  // whole step budget, the regex nearly all of it, and the last compares an attacker-sized object
  // (its size is bounded by the 1 MiB body, not by the budget). CPU time of this process, so other
  // processes' load does not count; the median of five warm runs, so one GC pause does not decide it.
  it.each([
    ...overBudget,
    ["a*a*a*a*a*a*b on 4096 characters", { s: evil }, { s: { $regex: "a*a*a*a*a*a*b" } }],
    [
      "equality of a huge attribute object with the largest valid literal",
      { o: Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i])) },
      { o: Object.fromEntries(Array.from({ length: 990 }, (_, i) => [`k${i}`, i])) },
    ],
  ] as [string, Record<string, unknown>, Condition][])("%s stays under 50 ms of CPU", (_name, attrs, condition) => {
    evalCondition(attrs, condition); // warm-up (JIT)
    expect(medianCpuMs(() => evalCondition(attrs, condition))).toBeLessThan(50);
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

  it("validation is bounded too: a 300-regex condition validates in well under 50 ms", () => {
    const c = { $or: Array.from({ length: 300 }, (_, i) => ({ [`f${i}`]: { $regex: "^x(?:ab|cd)?\\d{1,3}$" } })) };
    expect(validateCondition(c)).toEqual([]);
    expect(medianCpuMs(() => validateCondition(c))).toBeLessThan(50);
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
