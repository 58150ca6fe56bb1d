/**
 * Pure flag evaluation, shared by `POST /flags/evaluate` and the SDK: the first rule whose
 * condition matches the attributes and whose rollout holds the user gives its value; otherwise
 * the default. A disabled flag gives its default to everyone.
 */
import { inRollout } from "../evaluation/bucketing";
import { budgetShares, evalCondition, withUserId } from "../targeting/condition";
import { type Attributes, CONDITION_LIMITS } from "../targeting/model";
import type { Budget } from "../targeting/regex";
import type { ClientFlag, FlagEvaluation } from "./model";

export function evaluateFlag(
  flag: ClientFlag,
  userId: string,
  attributes?: Attributes,
  budget: Budget = { steps: CONDITION_LIMITS.stepBudget },
): FlagEvaluation {
  if (!flag.enabled) return { value: flag.default_value, rule_index: null, reason: "disabled" };
  let attrs: Attributes | undefined;
  for (let i = 0; i < flag.rules.length; i++) {
    const rule = flag.rules[i] as ClientFlag["rules"][number];
    // Rollout first: it is the cheaper test, and a user outside it never needs the condition.
    if (!inRollout(flag.key, userId, rule.rollout_percentage)) continue;
    if (rule.condition != null) {
      attrs ??= withUserId(attributes, userId);
      if (!evalCondition(attrs, rule.condition, budget)) continue;
    }
    return { value: rule.value, rule_index: i, reason: "rule" };
  }
  return { value: flag.default_value, rule_index: null, reason: "default" };
}

/** Every flag of `flags` (or those named), keyed by flag key; unknown names are `not_found`. */
export function evaluateFlags(
  flags: readonly ClientFlag[],
  userId: string,
  attributes?: Attributes,
  only?: readonly string[],
  totalSteps: number = CONDITION_LIMITS.stepBudget,
): Record<string, FlagEvaluation> {
  // No prototype: a flag keyed "__proto__" must become a property, not replace the prototype.
  const out: Record<string, FlagEvaluation> = Object.create(null);
  if (only === undefined) {
    const share = budgetShares(totalSteps, flags.length);
    for (const f of flags) out[f.key] = evaluateFlag(f, userId, attributes, share());
    return out;
  }
  const byKey = new Map(flags.map((f) => [f.key, f]));
  const share = budgetShares(totalSteps, only.length);
  for (const key of only) {
    const f = byKey.get(key);
    out[key] =
      f === undefined
        ? { value: null, rule_index: null, reason: "not_found" }
        : evaluateFlag(f, userId, attributes, share());
  }
  return out;
}
