/**
 * Feature-flag vocabulary (docs/contract.md, "Targeting, layers, scheduling, flags, audit") and the flag
 * shape of the evaluation config (`GET /config`'s `flags`). Zod-free: the SDK, the server's
 * schemas and storage all derive from it.
 */
import type { Condition, JsonValue } from "../targeting/model";

export const FLAG_VALUE_TYPES = ["boolean", "string", "number", "json"] as const;
export type FlagValueType = (typeof FLAG_VALUE_TYPES)[number];

/**
 * Why a flag has its value: `rule` (rule_index says which), `default` (no rule held the user),
 * `disabled` (the flag is off: its default for everyone), `not_found` (no such flag; value null).
 */
export const FLAG_REASONS = ["rule", "default", "disabled", "not_found"] as const;
export type FlagReason = (typeof FLAG_REASONS)[number];

/** Flag keys share the experiment-key alphabet. */
export const FLAG_KEY_PATTERN = /^[a-z0-9_-]{1,64}$/;

export interface FlagRule {
  /** Who the rule applies to; null or absent: everyone. */
  condition?: Condition | null;
  /** 0-100, two decimals significant (bucketing.inRollout). */
  rollout_percentage: number;
  value: JsonValue;
}

/** A flag as the config carries it: everything evaluation needs, nothing else. */
export interface ClientFlag {
  key: string;
  value_type: FlagValueType;
  default_value: JsonValue;
  enabled: boolean;
  /** In order: the first rule that holds the user wins. */
  rules: FlagRule[];
}

/**
 * Whether a rule holds every user: no condition (null, absent or `{}`, which matches any attributes)
 * and a rollout of 100%. evaluateFlag never passes such a rule, so the rules after it never decide.
 */
export const holdsEveryone = (rule: Pick<FlagRule, "condition" | "rollout_percentage">): boolean =>
  (rule.condition == null || Object.keys(rule.condition).length === 0) && rule.rollout_percentage >= 100;

/** One flag's answer (`POST /flags/evaluate`'s `flags.<key>`, and the SDK's). */
export interface FlagEvaluation {
  value: JsonValue;
  /** Index of the rule that gave the value, or null. */
  rule_index: number | null;
  reason: FlagReason;
}

/** Whether `value` has the JSON type `type` declares (any JSON value is a `json`). */
function matchesValueType(type: FlagValueType, value: unknown): boolean {
  switch (type) {
    case "boolean":
      return typeof value === "boolean";
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "json":
      return value !== undefined;
  }
}

/** A stored flag value (default or rule value): any JSON, of the flag's value_type. */
export type FlagValue = JsonValue;

/** Rules per flag: bounds the work of one evaluation and the size of the config. */
export const MAX_FLAG_RULES = 100;

// JSON's 1e309 parses as Infinity: a number, but not one JSON can carry back, so say which.
const valueTypeMessage = (type: FlagValueType, value: unknown) =>
  typeof value === "number" && type === "number"
    ? "must be a finite number (JSON cannot carry Infinity or NaN; 1e309 overflows)"
    : `must be a ${type} (value_type ${type})`;

export interface FlagProblem {
  /** Dotted, from the flag's root: `default_value`, `rules.2.value`. */
  path: string;
  message: string;
}

/** Every value of a flag that is not of its value_type, each named by its path. */
export function flagValueProblems(
  type: FlagValueType,
  defaultValue: unknown,
  rules: readonly { value: unknown }[],
): FlagProblem[] {
  const problems: FlagProblem[] = [];
  if (!matchesValueType(type, defaultValue))
    problems.push({ path: "default_value", message: valueTypeMessage(type, defaultValue) });
  rules.forEach((rule, i) => {
    if (!matchesValueType(type, rule.value))
      problems.push({ path: `rules.${i}.value`, message: valueTypeMessage(type, rule.value) });
  });
  return problems;
}
