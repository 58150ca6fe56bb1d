/**
 * The feature-flag vocabulary (API.md "Feature flags"), zod-free: drizzle, the zod schemas, the
 * evaluation config and the dashboard derive from it.
 */

export const FLAG_VALUE_TYPES = ["boolean", "string", "number", "json"] as const;
export type FlagValueType = (typeof FLAG_VALUE_TYPES)[number];

/** Any JSON value; which ones a flag accepts depends on its value_type (valueMatchesType). */
export type FlagValue = null | boolean | number | string | FlagValue[] | { [key: string]: FlagValue };

/** Same key rule as experiments, so a flag and an experiment can share a name. */
export const FLAG_KEY_PATTERN = /^[a-z0-9_-]{1,64}$/;
export const MAX_FLAG_RULES = 100;

export interface FlagRule {
  /** A targeting condition (src/targeting); absent: every user. */
  condition?: Record<string, unknown>;
  /** 0-100: the share of matching users the rule serves (rollout bucketing, API.md). */
  rollout_percentage: number;
  value: FlagValue;
}

/**
 * Whether `value` is a value of `type`. `json` takes objects and arrays only: a scalar belongs to
 * one of the other types, and keeping them apart lets SDKs hand back typed values.
 */
export function valueMatchesType(type: FlagValueType, value: unknown): boolean {
  switch (type) {
    case "boolean":
      return typeof value === "boolean";
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "json":
      return value !== null && typeof value === "object";
  }
}

export const valueTypeMessage = (type: FlagValueType) =>
  type === "json" ? "must be a JSON object or array (value_type json)" : `must be a ${type} (value_type ${type})`;

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
  if (!valueMatchesType(type, defaultValue)) problems.push({ path: "default_value", message: valueTypeMessage(type) });
  rules.forEach((rule, i) => {
    if (!valueMatchesType(type, rule.value))
      problems.push({ path: `rules.${i}.value`, message: valueTypeMessage(type) });
  });
  return problems;
}

/** A flag as the evaluation config carries it (`GET /config`'s `flags`): what evaluation needs. */
export interface ClientFlag {
  key: string;
  value_type: FlagValueType;
  default_value: FlagValue;
  enabled: boolean;
  /** In order: the first rule that holds the user wins. */
  rules: FlagRule[];
}
