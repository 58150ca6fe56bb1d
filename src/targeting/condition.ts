/**
 * The condition evaluator: does a user's attributes object satisfy a condition? Pure and total:
 * it never throws, and anything it cannot make sense of (a malformed condition, a wrong type)
 * simply does not match. Shared by the server's assignment and flag routes and by the SDK.
 *
 * Semantics follow GrowthBook's mongrule.ts, minus JavaScript's implicit coercions, so that the
 * Python SDK can reproduce them exactly: values of different JSON types are never equal and never
 * ordered (`"5"` is not 5, `null < 1` is false); a missing attribute reads as null. The full list
 * is in docs/targeting.md.
 *
 * Work is bounded by a step budget (CONDITION_LIMITS.stepBudget by default): a condition that
 * would exceed it stops and does not match, so hostile attributes or conditions cannot keep the
 * isolate busy. `$regex` runs on a non-backtracking engine (./regex.ts). What costs a step, and in
 * which order, is specified in docs/targeting.md 2.1 and counted identically by the Python SDK and
 * the golden reference (scripts/gen_targeting_vectors.py): moving a step here changes answers there.
 */
import { type Attributes, CONDITION_LIMITS, type Condition, isObject } from "./model";
import { type Budget, BudgetExceeded, type CompiledRegex, compileRegex, regexTest } from "./regex";

export type { Budget } from "./regex";

type Obj = Record<string, unknown>;

/**
 * One request's step budget shared by `count` evaluations (the flags of a `POST /flags/evaluate`,
 * the experiments of a `POST /assign`), so that none is starved: each call hands the next
 * evaluation everything left except a floor (`total / (2 * count)`) kept for each one after it.
 * The sum never exceeds `total`. With one budget passed along, a few costly conditions (an
 * accepted regex on a 4 KB attribute) used it all, and an unrelated `{"n": {"$gt": 5}}` after
 * them answered as not matching (an outside check); now it still has its floor, which a simple
 * condition needs a handful of steps of. A costly one still stops at its share and does not match.
 */
export function budgetShares(total: number, count: number): () => Budget {
  const floor = count > 0 ? Math.floor(total / (2 * count)) : 0;
  let remaining = total;
  let after = count;
  let last: Budget | null = null;
  let granted = 0;
  return () => {
    // What the previous evaluation used (an exhausted budget ends at -1: all of it).
    if (last !== null) remaining -= granted - Math.max(0, last.steps);
    after = Math.max(0, after - 1);
    granted = Math.max(0, remaining - after * floor);
    last = { steps: granted };
    return last;
  };
}

/** An object whose keys all start with `$` (and that has at least one) holds operators. */
export function isOperatorObject(v: Obj): boolean {
  let n = 0;
  for (const k in v) {
    if (k.charCodeAt(0) !== 36 /* $ */) return false;
    n++;
  }
  return n > 0;
}

/**
 * Evaluates `condition` against `attributes`. Pass a shared `budget` to bound the total work of
 * several evaluations (for example every experiment and flag of one request).
 */
export function evalCondition(
  attributes: Attributes,
  condition: Condition,
  budget: Budget = { steps: CONDITION_LIMITS.stepBudget },
): boolean {
  try {
    return evalObject(attributes, condition, budget);
  } catch (err) {
    if (err instanceof BudgetExceeded || err instanceof RangeError) return false; // RangeError: stack
    throw err;
  }
}

function evalObject(obj: unknown, condition: unknown, budget: Budget): boolean {
  if (!isObject(condition)) return false;
  for (const key in condition) {
    const arg = condition[key];
    switch (key) {
      case "$and":
        if (!Array.isArray(arg)) return false;
        for (const c of arg) if (!evalObject(obj, c, budget)) return false;
        break;
      case "$or":
        if (!Array.isArray(arg) || !anyOf(obj, arg, budget)) return false;
        break;
      case "$nor":
        if (!Array.isArray(arg) || anyOf(obj, arg, budget)) return false;
        break;
      case "$not":
        if (!isObject(arg) || evalObject(obj, arg, budget)) return false;
        break;
      default:
        if (!evalValue(arg, getPath(obj, key), budget)) return false;
    }
  }
  return true;
}

// GrowthBook: an empty $or is true (and so an empty $nor is false).
function anyOf(obj: unknown, conditions: readonly unknown[], budget: Budget): boolean {
  if (conditions.length === 0) return true;
  for (const c of conditions) if (evalObject(obj, c, budget)) return true;
  return false;
}

/**
 * The value at a dotted path, through plain objects only (own properties: `constructor` or
 * `__proto__` never reach the prototype). Missing, or a non-object on the way: null.
 */
export function getPath(obj: unknown, path: string): unknown {
  if (path.indexOf(".") === -1) {
    return isObject(obj) && Object.hasOwn(obj, path) ? (obj[path] ?? null) : null;
  }
  let current = obj;
  for (const part of path.split(".")) {
    if (!isObject(current) || !Object.hasOwn(current, part)) return null;
    current = current[part];
  }
  return current ?? null;
}

function evalValue(condition: unknown, value: unknown, budget: Budget): boolean {
  if (--budget.steps < 0) throw new BudgetExceeded();
  if (isObject(condition) && isOperatorObject(condition)) {
    for (const op in condition) {
      if (!evalOperator(op, value, condition[op], budget)) return false;
    }
    return true;
  }
  return jsonEqual(value, condition ?? null, budget);
}

function evalOperator(op: string, value: unknown, arg: unknown, budget: Budget): boolean {
  switch (op) {
    case "$eq":
      return jsonEqual(value, arg, budget);
    case "$ne":
      return !jsonEqual(value, arg, budget);
    case "$gt":
      return order(value, arg) === 1;
    case "$gte": {
      const o = order(value, arg);
      return o === 1 || o === 0;
    }
    case "$lt":
      return order(value, arg) === -1;
    case "$lte": {
      const o = order(value, arg);
      return o === -1 || o === 0;
    }
    case "$in":
      return Array.isArray(arg) && isIn(value, arg, budget);
    case "$nin":
      return Array.isArray(arg) && !isIn(value, arg, budget);
    case "$exists":
      return typeof arg === "boolean" && (value !== null) === arg;
    case "$regex":
      return typeof arg === "string" && typeof value === "string" && regexMatches(arg, value, budget);
    case "$not":
      return !evalValue(arg, value, budget);
    case "$size":
      return Array.isArray(value) && evalValue(arg, value.length, budget);
    case "$elemMatch":
      return Array.isArray(value) && isObject(arg) && elemMatch(value, arg, budget);
    case "$all":
      return Array.isArray(value) && Array.isArray(arg) && all(value, arg, budget);
    case "$veq":
    case "$vne":
    case "$vgt":
    case "$vgte":
    case "$vlt":
    case "$vlte":
      return typeof value === "string" && typeof arg === "string" && versionTest(op, value, arg);
    default:
      return false; // unknown operator (refused when saved): never matches
  }
}

/**
 * -1, 0 or 1 for two numbers or two strings (strings by UTF-16 code units, JavaScript's
 * order); 2 for values that have no order between them (which every comparison treats as false).
 */
function order(a: unknown, b: unknown): number {
  if ((typeof a === "number" && typeof b === "number") || (typeof a === "string" && typeof b === "string")) {
    return a < b ? -1 : a > b ? 1 : a === b ? 0 : 2;
  }
  return 2;
}

/** Equality of JSON values: same type, numbers by value, arrays in order, objects by key set. */
function jsonEqual(a: unknown, b: unknown, budget: Budget): boolean {
  if (--budget.steps < 0) throw new BudgetExceeded();
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i], budget)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  // `a` is the attribute side (any size), `b` the condition's (validated, small): walk b's keys,
  // then only count a's as far as one past b's, so a huge attribute object costs little.
  const ao = a as Obj;
  const bo = b as Obj;
  let nb = 0;
  for (const k in bo) {
    if (!Object.hasOwn(ao, k) || !jsonEqual(ao[k], bo[k], budget)) return false;
    nb++;
  }
  let na = 0;
  for (const _ in ao) if (++na > nb) return false;
  return na === nb;
}

// An array attribute is "in" when any of its elements is (GrowthBook's intersection).
function isIn(value: unknown, list: readonly unknown[], budget: Budget): boolean {
  if (Array.isArray(value)) {
    for (const v of value) if (contains(list, v, budget)) return true;
    return false;
  }
  return contains(list, value, budget);
}

function contains(list: readonly unknown[], value: unknown, budget: Budget): boolean {
  for (const x of list) if (jsonEqual(value, x, budget)) return true;
  return false;
}

function elemMatch(values: readonly unknown[], arg: Obj, budget: Budget): boolean {
  const operators = isOperatorObject(arg);
  for (const v of values) {
    if (operators ? evalValue(arg, v, budget) : evalObject(v, arg, budget)) return true;
  }
  return false;
}

// Every item of `arg` (a value or an operator object) matches some element.
function all(values: readonly unknown[], arg: readonly unknown[], budget: Budget): boolean {
  outer: for (const expected of arg) {
    for (const v of values) if (evalValue(expected, v, budget)) continue outer;
    return false;
  }
  return true;
}

// Compiled patterns, bounded: a flood of distinct patterns only costs recompilation.
const regexCache = new Map<string, CompiledRegex | null>();
const MAX_CACHED_REGEXES = 500;

function regexMatches(pattern: string, input: string, budget: Budget): boolean {
  if (input.length > CONDITION_LIMITS.maxRegexInput) return false;
  let re = regexCache.get(pattern);
  if (re === undefined) {
    try {
      re = compileRegex(pattern);
    } catch {
      re = null; // refused when saved; an unvalidated one never matches
    }
    if (regexCache.size >= MAX_CACHED_REGEXES) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re !== null && regexTest(re, input, budget);
}

/**
 * GrowthBook's version key: drop a leading `v` and any `+build`, split on `.` and `-`, append
 * `~` to a plain x.y.z (so a release sorts after its pre-releases: `~` is the largest printable
 * ASCII character), left-pad numeric parts to 5 with spaces, and join with `-`. Comparing the
 * keys as strings compares the versions.
 *
 * The build part runs to the end of the string, line terminators included (the `s` flag):
 * GrowthBook's `\+.*$` stops at one, so "1.0.0+build\n.9" kept its build and compared as 1.0.0.0.9
 * (an outside fuzz against the Python SDK and the reference, which drop it).
 */
export function paddedVersion(input: string): string {
  const parts = (input === "" ? "0" : input).replace(/(^v|\+.*$)/gs, "").split(/[-.]/);
  if (parts.length === 3) parts.push("~");
  return parts.map((p) => (/^[0-9]+$/.test(p) ? p.padStart(5, " ") : p)).join("-");
}

function versionTest(op: string, actual: string, expected: string): boolean {
  const a = paddedVersion(actual);
  const b = paddedVersion(expected);
  switch (op) {
    case "$veq":
      return a === b;
    case "$vne":
      return a !== b;
    case "$vgt":
      return a > b;
    case "$vgte":
      return a >= b;
    case "$vlt":
      return a < b;
    default:
      return a <= b;
  }
}

/** The attributes conditions see: `id` defaults to the user id (docs/contract.md). */
export function withUserId(attributes: Attributes | undefined, userId: string): Attributes {
  if (attributes === undefined) return { id: userId };
  if (Object.hasOwn(attributes, "id") && attributes.id !== undefined) return attributes;
  return { ...attributes, id: userId };
}
