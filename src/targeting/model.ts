/**
 * The condition language's vocabulary (docs/contract.md, "Targeting, layers, scheduling, flags, audit"):
 * operator names, limits, and the plain types the evaluator, the validator, the server's zod
 * schemas, the SDK and the docs derive from. Zod-free: the SDK imports it.
 *
 * Semantics are GrowthBook's (packages/sdk-js/src/mongrule.ts) without JavaScript's implicit
 * type coercion; docs/targeting.md lists every difference.
 */

/** Operators applied to one attribute's value (inside `{ "<path>": { "$op": ... } }`). */
export const VALUE_OPERATORS = [
  "$eq",
  "$ne",
  "$gt",
  "$gte",
  "$lt",
  "$lte",
  "$in",
  "$nin",
  "$exists",
  "$regex",
  "$not",
  "$size",
  "$elemMatch",
  "$all",
  "$veq",
  "$vne",
  "$vgt",
  "$vgte",
  "$vlt",
  "$vlte",
] as const;
export type ValueOperator = (typeof VALUE_OPERATORS)[number];

/** Any JSON value, as attributes and condition arguments are. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A condition: a JSON object whose keys are attribute paths (dotted) or logical operators.
 * Typed loosely on purpose: its structure is checked by validateCondition when it is saved,
 * and the evaluator never trusts it (a malformed condition simply does not match).
 */
export type Condition = Record<string, unknown>;

/** User attributes: a JSON object. `id` defaults to the user_id (see withUserId). */
export type Attributes = Record<string, unknown>;

/**
 * Bounds that keep evaluation cheap on hostile input. The validator refuses conditions past
 * them; the evaluator additionally runs under a step budget, so even an unvalidated condition
 * over huge attributes stops (and does not match) instead of hanging the isolate.
 */
export const CONDITION_LIMITS = {
  /** Nesting of objects and arrays inside one condition. */
  maxDepth: 12,
  /** JSON values (objects, arrays, scalars) in one condition. */
  maxNodes: 1000,
  /** Code units of a `$regex` pattern. */
  maxRegexLength: 256,
  /** Largest `{n,m}` repetition count in a pattern. */
  maxRepeat: 100,
  /** States of a compiled pattern (repetitions expanded). */
  maxRegexStates: 1000,
  /** A `$regex` never matches a string longer than this (UTF-16 code units). */
  maxRegexInput: 4096,
  /**
   * Elementary steps (comparisons, object keys, regex state transitions) per evaluation; past it:
   * no match. A few ms of CPU once optimised (measured: 100k regex steps in 3-10 ms); the golden
   * set's median case takes a handful of steps, a 1000-value $in against 50 tags 50k.
   */
  stepBudget: 100_000,
} as const;

/** An experiment's layer (docs/contract.md): users whose namespace position is in [start, end). */
export interface Namespace {
  key: string;
  /** 0 <= start < end <= 1. */
  start: number;
  end: number;
}

/** Namespace keys share the experiment-key alphabet. */
export const NAMESPACE_KEY_PATTERN = /^[a-z0-9_-]{1,64}$/;

/**
 * Why an answer is not an exposure. targeting, namespace and coverage are checked in that order
 * for a running experiment (docs/targeting.md); paused and completed experiments answer with
 * their fixed variant.
 */
export const NOT_IN_EXPERIMENT_REASONS = ["targeting", "namespace", "coverage", "paused", "completed"] as const;
export type NotInExperimentReason = (typeof NOT_IN_EXPERIMENT_REASONS)[number];

/** A JSON object (not null, not an array): what a condition, an operator set or a rule is. */
export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
