/**
 * Refuses malformed or oversized conditions before they are saved (a 400 naming the path), so
 * that the evaluator only ever meets conditions that mean something. The evaluator stays total
 * regardless: this is about telling the author, not about safety.
 */
import { CONDITION_LIMITS, isObject, VALUE_OPERATORS, type ValueOperator } from "./model";
import { isOperatorObject } from "./condition";
import { compileRegex } from "./regex";

export interface ConditionIssue {
  /** Where, inside the condition: keys and array indexes. */
  path: (string | number)[];
  message: string;
}

type Path = (string | number)[];
type Obj = Record<string, unknown>;
const VALUE_OPS = new Set<string>(VALUE_OPERATORS);
const COMBINATORS = new Set(["$and", "$or", "$nor"]);

/** Problems with `condition`, empty when it is valid. Stops after 20. */
export function validateCondition(condition: unknown): ConditionIssue[] {
  const issues: ConditionIssue[] = [];
  const add = (path: Path, message: string) => {
    if (issues.length < 20) issues.push({ path, message });
  };
  if (!isObject(condition)) {
    add([], "a condition is a JSON object");
    return issues;
  }
  // Size first, with bounded recursion, so the structural walk below only sees small input.
  const nodes = { count: 0 };
  if (!withinBounds(condition, 1, nodes)) {
    add(
      [],
      `conditions nest at most ${CONDITION_LIMITS.maxDepth} levels and hold at most ${CONDITION_LIMITS.maxNodes} values`,
    );
    return issues;
  }
  checkCondition(condition, [], add);
  checkFinite(condition, [], add);
  return issues;
}

/**
 * JSON's 1e309 parses as Infinity, which JSON cannot carry back: the stored condition would say
 * null there, so `{"n": 1e999}` would be saved as `{"n": null}`, a rule for every user without `n`.
 * Refused at its path instead (an outside fuzz); flag values already are (src/flags/model.ts).
 */
function checkFinite(v: unknown, path: Path, add: Add): void {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) add(path, "must be a finite number (JSON cannot carry Infinity or NaN; 1e309 overflows)");
  } else if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) checkFinite(x, [...path, i], add);
  } else if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) checkFinite(x, [...path, k], add);
  }
}

function withinBounds(v: unknown, depth: number, nodes: { count: number }): boolean {
  if (++nodes.count > CONDITION_LIMITS.maxNodes || depth > CONDITION_LIMITS.maxDepth) return false;
  if (Array.isArray(v)) return v.every((x) => withinBounds(x, depth + 1, nodes));
  if (isObject(v)) return Object.values(v).every((x) => withinBounds(x, depth + 1, nodes));
  return true;
}

type Add = (path: Path, message: string) => void;

function checkCondition(c: Obj, path: Path, add: Add): void {
  for (const [key, arg] of Object.entries(c)) {
    const at = [...path, key];
    if (COMBINATORS.has(key)) {
      if (!Array.isArray(arg) || arg.length === 0) {
        add(at, `${key} takes a non-empty array of conditions`);
        continue;
      }
      for (const [i, sub] of arg.entries()) {
        if (isObject(sub)) checkCondition(sub, [...at, i], add);
        else add([...at, i], "expected a condition (a JSON object)");
      }
    } else if (key === "$not") {
      if (isObject(arg)) checkCondition(arg, at, add);
      else add(at, "$not takes a condition (a JSON object)");
    } else if (key.startsWith("$")) {
      add(at, `unknown top-level operator ${key} (use $and, $or, $nor, $not or an attribute path)`);
    } else if (key === "" || key.split(".").some((part) => part === "")) {
      add(at, "attribute paths are dot-separated non-empty names");
    } else if (key.split(".").includes("__proto__")) {
      // Attributes never hold a __proto__ key (the routes refuse it), and a copy of this condition
      // made key by key would drop it: a rule meant for some users would then match everyone.
      add(at, "the key __proto__ is not allowed in an attribute path");
    } else {
      checkValueCondition(arg, at, add);
    }
  }
}

/** A literal (matched by equality) or an object of operators. */
function checkValueCondition(v: unknown, path: Path, add: Add): void {
  if (!isObject(v)) return; // a literal: any JSON value
  const keys = Object.keys(v);
  const dollar = keys.filter((k) => k.startsWith("$"));
  if (dollar.length === 0) return; // a literal object, matched by deep equality
  if (dollar.length !== keys.length) {
    add(path, "an object mixes operators and plain keys; use only operators (or only keys, for equality)");
    return;
  }
  for (const op of keys) checkOperator(op, v[op], [...path, op], add);
}

function checkOperator(op: string, arg: unknown, path: Path, add: Add): void {
  if (!VALUE_OPS.has(op)) {
    add(path, `unknown operator ${op}`);
    return;
  }
  switch (op as ValueOperator) {
    case "$eq":
    case "$ne":
      return;
    case "$gt":
    case "$gte":
    case "$lt":
    case "$lte":
      if (typeof arg !== "number" && typeof arg !== "string") add(path, `${op} takes a number or a string`);
      return;
    case "$in":
    case "$nin":
      if (!Array.isArray(arg)) add(path, `${op} takes an array`);
      return;
    case "$all":
      if (!Array.isArray(arg)) add(path, "$all takes an array");
      else {
        for (const [i, x] of arg.entries()) checkValueCondition(x, [...path, i], add);
      }
      return;
    case "$exists":
      if (typeof arg !== "boolean") add(path, "$exists takes true or false");
      return;
    case "$regex":
      if (typeof arg !== "string") add(path, "$regex takes a string");
      else {
        try {
          compileRegex(arg);
        } catch (err) {
          add(path, `invalid or unsafe pattern: ${(err as Error).message}`);
        }
      }
      return;
    case "$not":
      checkValueCondition(arg, path, add);
      return;
    case "$size":
      if (isObject(arg)) checkValueCondition(arg, path, add);
      else if (!(typeof arg === "number" && Number.isInteger(arg) && arg >= 0)) {
        add(path, "$size takes a non-negative integer or an operator object");
      }
      return;
    case "$elemMatch":
      if (!isObject(arg)) add(path, "$elemMatch takes a condition or an operator object");
      // As the evaluator reads it: only operators apply to each element, else a condition on it.
      else if (isOperatorObject(arg)) checkValueCondition(arg, path, add);
      else checkCondition(arg, path, add);
      return;
    case "$veq":
    case "$vne":
    case "$vgt":
    case "$vgte":
    case "$vlt":
    case "$vlte":
      if (typeof arg !== "string" || arg === "") add(path, `${op} takes a version string such as "2.1.0"`);
      return;
  }
}
