// One request's condition budget shared by its flags or experiments (budgetShares in
// src/targeting/condition.ts): never more than the total, and a floor kept for each later one.
import { describe, expect, it } from "vitest";
import type { ClientFlag } from "../../src/flags/model";
import { evaluateFlags } from "../../src/flags/evaluate";
import { budgetShares } from "../../src/targeting/condition";
import { CONDITION_LIMITS } from "../../src/targeting/model";

describe("budgetShares", () => {
  // uses[i]: the steps evaluation i takes if allowed (Infinity: it exhausts whatever it gets).
  it.each([
    { total: 1000, uses: [1, 1, 1, 1], granted: [625, 749, 873, 997] },
    { total: 1000, uses: [Infinity, 1, 1, 1], granted: [625, 125, 249, 373] },
    { total: 1000, uses: [Infinity, Infinity, Infinity, 1], granted: [625, 125, 125, 125] },
    { total: 1000, uses: [1, Infinity], granted: [750, 999] },
    { total: 1000, uses: [Infinity], granted: [1000] },
    { total: 10, uses: Array<number>(12).fill(Infinity), granted: [10, ...Array<number>(11).fill(0)] },
  ])("total $total, uses $uses", ({ total, uses, granted }) => {
    const share = budgetShares(total, uses.length);
    const seen: number[] = [];
    let used = 0;
    for (const want of uses) {
      const budget = share();
      seen.push(budget.steps);
      // As the evaluator spends: one step at a time; an exhausted budget ends at -1.
      const take = Math.min(want, budget.steps + 1);
      budget.steps -= take;
      used += Math.min(take, seen.at(-1) as number);
    }
    expect(seen).toEqual(granted);
    expect(used).toBeLessThanOrEqual(total);
  });

  it("each later evaluation keeps at least total / (2 * count), whatever came before", () => {
    const total = 100_000;
    for (const count of [1, 2, 5, 20, 100]) {
      const share = budgetShares(total, count);
      for (let i = 0; i < count; i++) {
        const budget = share();
        expect(budget.steps).toBeGreaterThanOrEqual(Math.floor(total / (2 * count)));
        budget.steps = -1; // every one exhausts its share
      }
    }
  });
});

// From an outside hostile-requests check: five accepted but costly flags (an $or of regexes on a
// long attribute) used the whole request budget, and an unrelated flag after them answered
// `default` for a user its rule matches.
describe("a costly flag no longer starves the others", () => {
  const costly = (key: string): ClientFlag => ({
    key,
    value_type: "boolean",
    default_value: false,
    enabled: true,
    rules: Array.from({ length: 100 }, () => ({
      condition: { $or: Array.from({ length: 50 }, () => ({ ua: { $regex: "a*a*a*a*a*a*b" } })) },
      rollout_percentage: 100,
      value: true,
    })),
  });
  const cheap: ClientFlag = {
    key: "ev-gt",
    value_type: "boolean",
    default_value: false,
    enabled: true,
    rules: [{ condition: { n: { $gt: 5 } }, rollout_percentage: 100, value: true }],
  };
  const flags = [...["cpu-0", "cpu-1", "cpu-2", "cpu-3", "cpu-4"].map(costly), cheap];
  const attributes = { n: 10, ua: "a".repeat(4000) };

  it("the cheap flag matches after five costly ones, all flags or named", () => {
    expect(evaluateFlags(flags, "u", attributes)["ev-gt"]).toEqual({ value: true, rule_index: 0, reason: "rule" });
    expect(
      evaluateFlags(flags, "u", attributes, ["cpu-0", "cpu-1", "cpu-2", "cpu-3", "cpu-4", "ev-gt"])["ev-gt"],
    ).toEqual({
      value: true,
      rule_index: 0,
      reason: "rule",
    });
  });

  it("each costly flag still stops at its share and does not match", () => {
    const total = CONDITION_LIMITS.stepBudget;
    const out = evaluateFlags(flags, "u", attributes, undefined, total);
    expect(Object.values(out).map((e) => e.reason)).toEqual([
      "default",
      "default",
      "default",
      "default",
      "default",
      "rule",
    ]);
  });
});
