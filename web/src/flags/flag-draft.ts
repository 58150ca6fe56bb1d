/**
 * The flag form's text fields, their checks and the request body, pure so
 * test/unit/web-flag-draft.test.ts tables them. The rules are the server's: the key pattern and
 * value types of src/flags/model.ts and the condition checks of src/targeting/validate.ts, so a
 * draft refused here would be refused by the API with the same paths, and one accepted here is
 * only refused for what needs the store (a key already taken).
 */
import { percentBasisPoints } from "../../../src/experiments/model";
import { evaluateFlag } from "../../../src/flags/evaluate";
import {
  type ClientFlag,
  FLAG_KEY_PATTERN,
  type FlagEvaluation,
  type FlagRule,
  type FlagValueType,
  holdsEveryone,
  MAX_FLAG_RULES,
} from "../../../src/flags/model";
import type { JsonValue } from "../../../src/targeting/model";
import { validateCondition } from "../../../src/targeting/validate";
import { foldConditionErrors, plainErrors } from "../ui/form-errors";
import { matchesWords, withQuery } from "../ui/search";

export interface RuleDraft {
  /** JSON text of the condition; blank: every user. */
  condition: string;
  /** 0-100 as typed. */
  rollout: string;
  /** The value as typed (see valueText). */
  value: string;
}

export interface FlagDraft {
  key: string;
  description: string;
  value_type: FlagValueType;
  default_value: string;
  enabled: boolean;
  rules: RuleDraft[];
}

export interface FlagBody {
  key: string;
  description: string | null;
  value_type: FlagValueType;
  default_value: JsonValue;
  enabled: boolean;
  rules: { condition: Record<string, unknown> | null; rollout_percentage: number; value: JsonValue }[];
}

/** What a value field shows for a value of the flag's type: JSON text for `json`, the plain text otherwise. */
export function valueText(type: FlagValueType, value: unknown): string {
  if (type === "json") return JSON.stringify(value ?? null);
  if (type === "string") return typeof value === "string" ? value : "";
  return value === undefined || value === null ? "" : String(value);
}

/** A value in a sentence or a cell: as the field shows it, and `""` for an empty string. */
export const shownValue = (type: FlagValueType, value: unknown): string => valueText(type, value) || '""';

/** A saved rule as the API returns it (the list, the page's checks). */
export interface SavedRule {
  condition?: Record<string, unknown> | null;
  rollout_percentage: number;
  value: unknown;
}

/** A sensible starting value of each type (a new flag, a new rule, a changed type). */
const BLANK_VALUE: Readonly<Record<FlagValueType, string>> = {
  boolean: "false",
  string: "",
  number: "0",
  json: "{}",
};

/** The value a rule usually serves when the default is `value` (a boolean flag's rules turn it on). */
const ruleValueFor = (type: FlagValueType, defaultText: string): string =>
  type === "boolean" ? (defaultText === "true" ? "false" : "true") : defaultText;

export const emptyFlagDraft = (): FlagDraft => ({
  key: "",
  description: "",
  value_type: "boolean",
  default_value: BLANK_VALUE.boolean,
  enabled: true,
  rules: [],
});

export const newRule = (d: Pick<FlagDraft, "value_type" | "default_value">): RuleDraft => ({
  condition: "",
  rollout: "100",
  value: ruleValueFor(d.value_type, d.default_value),
});

export function flagDraftOf(f: {
  key: string;
  description: string | null;
  value_type: FlagValueType;
  default_value: unknown;
  enabled: boolean;
  rules: SavedRule[];
}): FlagDraft {
  return {
    key: f.key,
    description: f.description ?? "",
    value_type: f.value_type,
    default_value: valueText(f.value_type, f.default_value),
    enabled: f.enabled,
    rules: f.rules.map((r) => ({
      condition: r.condition == null ? "" : JSON.stringify(r.condition, null, 2),
      rollout: String(r.rollout_percentage),
      value: valueText(f.value_type, r.value),
    })),
  };
}

/**
 * A new value type: every value that no longer reads as the new type starts over from its blank,
 * so switching boolean → string keeps "true" as the text "true" and string → number drops "on".
 */
export function withValueType(d: FlagDraft, type: FlagValueType): FlagDraft {
  const keep = (text: string) => ("value" in parseValue(type, text) ? text : BLANK_VALUE[type]);
  return {
    ...d,
    value_type: type,
    default_value: keep(d.default_value),
    rules: d.rules.map((r) => ({ ...r, value: keep(r.value) })),
  };
}

type Parsed<T> = { value: T } | { error: string };

/** A typed value from its text, or the reason it is not one (plain language, ready to show). */
export function parseValue(type: FlagValueType, text: string): Parsed<JsonValue> {
  switch (type) {
    case "boolean":
      if (text === "true") return { value: true };
      if (text === "false") return { value: false };
      return { error: "Choose true or false." };
    case "string":
      return { value: text };
    case "number": {
      const n = text.trim() === "" ? Number.NaN : Number(text);
      return Number.isFinite(n) ? { value: n } : { error: "Enter a number, such as 3 or 0.25." };
    }
    case "json":
      try {
        return { value: JSON.parse(text) as JsonValue };
      } catch {
        return { error: 'Enter valid JSON, such as {"color": "blue"}, [1, 2] or "text".' };
      }
  }
}

/** A condition from its text: blank is every user; otherwise a valid condition, or its first problem. */
export function parseCondition(text: string): Parsed<Record<string, unknown> | null> {
  if (text.trim() === "") return { value: null };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {
      error: 'Enter a JSON object, such as {"country": {"$in": ["FR", "DE"]}}, or leave it blank for everyone.',
    };
  }
  const [issue] = validateCondition(json);
  if (issue === undefined) return { value: json as Record<string, unknown> };
  const message = `${issue.message.charAt(0).toUpperCase()}${issue.message.slice(1)}.`;
  return { error: issue.path.length ? `At ${issue.path.join(".")}: ${message}` : message };
}

export function parseRollout(text: string): Parsed<number> {
  const n = text.trim() === "" ? Number.NaN : Number(text);
  // Hundredths, as the server takes them (percentBasisPoints): 33.333 is not rounded behind the form's back.
  return percentBasisPoints(n) !== null
    ? { value: n }
    : { error: "Enter a share from 0 to 100, with at most 2 decimals." };
}

/** The request body (POST /flags, and PATCH as a whole), or the problems keyed by API path. */
export function flagBody(d: FlagDraft): { body: FlagBody; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const key = d.key.trim();
  if (!key) errors.key = "Enter a key, such as new-checkout: your code asks for the flag by it.";
  else if (!FLAG_KEY_PATTERN.test(key))
    errors.key = "Use lowercase letters, digits, - and _ only, at most 64 characters.";
  const take = <T>(path: string, parsed: Parsed<T>, fallback: T): T => {
    if ("error" in parsed) {
      errors[path] = parsed.error;
      return fallback;
    }
    return parsed.value;
  };
  const defaultValue = take("default_value", parseValue(d.value_type, d.default_value), null);
  if (d.rules.length > MAX_FLAG_RULES) errors.rules = `A flag has at most ${MAX_FLAG_RULES} rules.`;
  const rules = d.rules.map((r, i) => ({
    condition: take(`rules.${i}.condition`, parseCondition(r.condition), null),
    rollout_percentage: take(`rules.${i}.rollout_percentage`, parseRollout(r.rollout), 0),
    value: take(`rules.${i}.value`, parseValue(d.value_type, r.value), null),
  }));
  return {
    body: {
      key,
      description: d.description.trim() || null,
      value_type: d.value_type,
      default_value: defaultValue,
      enabled: d.enabled,
      rules,
    },
    errors,
  };
}

/**
 * The API names a problem inside a condition by its full path (`rules.0.condition.age.$gt`); the
 * form has one field per condition, so such errors are shown there, with the inner path kept in
 * the message.
 */
export function formFlagErrors(apiErrors: Readonly<Record<string, string>>): Record<string, string> {
  return plainErrors(foldConditionErrors(apiErrors, /^(rules\.\d+\.condition)\.(.+)$/));
}

const LABELS: Record<string, string> = {
  key: "Key",
  description: "Description",
  value_type: "Type",
  default_value: "Default value",
  enabled: "On",
  rules: "Rules",
};
const RULE_FIELDS: Record<string, string> = {
  condition: "condition",
  rollout_percentage: "rollout",
  value: "value",
};

/** The label of an API path as the form shows it: `rules.1.value` → "Rule 2 value". */
export function flagFieldLabel(path: string): string {
  const m = /^rules\.(\d+)\.([a-z_]+)/.exec(path);
  if (m) return `Rule ${Number(m[1]) + 1} ${RULE_FIELDS[m[2] ?? ""] ?? m[2]}`;
  return LABELS[path] ?? LABELS[path.split(".")[0] ?? ""] ?? (path || "Form");
}

/** One rule in a sentence, for the list: `country in [FR, DE] · 25% → true`. */
export function ruleSummary(type: FlagValueType, rule: SavedRule): string {
  const who = rule.condition == null ? "everyone" : JSON.stringify(rule.condition);
  return `${who} · ${rule.rollout_percentage}% → ${shownValue(type, rule.value)}`;
}

/**
 * The draft as it reads now, tried on one user with the same evaluator as the service and the
 * SDKs (src/flags/evaluate.ts): the answer this flag would give once saved. `attributes` is the
 * JSON text of the user's attributes (blank: none).
 */
export function tryDraft(
  d: FlagDraft,
  userId: string,
  attributes: string,
): { result: FlagEvaluation } | { error: string } {
  if (userId.trim() === "") return { error: "Enter a user id." };
  let attrs: Record<string, unknown> | undefined;
  if (attributes.trim() !== "") {
    try {
      const parsed: unknown = JSON.parse(attributes);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
      attrs = parsed as Record<string, unknown>;
    } catch {
      return { error: 'Attributes are a JSON object, such as {"country": "FR", "plan": "pro"}.' };
    }
  }
  const { body, errors } = flagBody(d);
  if (Object.keys(errors).length > 0) return { error: "Fix the flag's errors first." };
  const flag: ClientFlag = {
    key: body.key,
    value_type: body.value_type,
    default_value: body.default_value,
    enabled: body.enabled,
    rules: body.rules,
  };
  return { result: evaluateFlag(flag, userId, attrs) };
}

/** The list's address for a search and the "stale only" pick: only the parts that filter anything. */
export const flagListHref = (q: string, staleOnly: boolean): string =>
  withQuery("/flags", { q, stale: staleOnly ? "1" : undefined });

/** The list's search: every word typed is in the flag's key or description (matchesWords). */
export const flagMatches = (flag: { key: string; description: string | null }, query: string): boolean =>
  matchesWords([flag.key, flag.description], query);

/** What turning a flag on or off does, said before it is done (the list's switch asks first). */
export function toggleWarning(flag: {
  key: string;
  enabled: boolean;
  value_type: FlagValueType;
  default_value: unknown;
  rules: readonly Pick<FlagRule, "condition" | "rollout_percentage">[];
}): string {
  const fallback = shownValue(flag.value_type, flag.default_value);
  if (flag.enabled) return `Every user gets ${fallback} from ${flag.key}, whatever its rules say.`;
  if (flag.rules.length === 0) return `${flag.key} has no rules: every user still gets ${fallback}.`;
  // Rules after one that holds every user never decide: they are not "applying again".
  const everyone = flag.rules.findIndex(holdsEveryone);
  const live = everyone >= 0 ? everyone + 1 : flag.rules.length;
  const head = `${flag.key}'s ${live === 1 ? "rule applies" : `${live} rules apply`} again`;
  if (everyone < 0) return `${head}; the others get ${fallback}.`;
  const after = flag.rules.length - live;
  const never = after === 1 ? ", so the rule after it never decides" : `, so the ${after} rules after it never decide`;
  return `${head}; rule ${live} serves every user${after > 0 ? never : ""}.`;
}

/**
 * Warnings for rollouts lowered against the saved flag. Raising a rollout never takes the value from
 * anyone (the bucket is fixed per user and flag); lowering it takes it from the users whose bucket
 * lies between the two, and the form says so before it is saved. Rules have no ids, so a rule is
 * "the same" as a saved one when it sits at the same position with the same condition and value
 * (after a reorder or an edit of either, there is nothing to compare it with).
 */
export function rolloutWarnings(
  saved: {
    value_type: FlagValueType;
    rules: readonly SavedRule[];
  } | null,
  rules: readonly RuleDraft[],
): Record<number, string> {
  const out: Record<number, string> = {};
  if (saved === null) return out;
  rules.forEach((r, i) => {
    const before = saved.rules[i];
    if (before === undefined) return;
    const condition = parseCondition(r.condition);
    const value = parseValue(saved.value_type, r.value);
    const same =
      "value" in condition &&
      "value" in value &&
      JSON.stringify(condition.value) === JSON.stringify(before.condition ?? null) &&
      JSON.stringify(value.value) === JSON.stringify(before.value);
    const rollout = parseRollout(r.rollout);
    const was = before.rollout_percentage;
    if (!same || !("value" in rollout) || rollout.value >= was) return;
    const now = rollout.value;
    const lost = Math.round(((was - now) / was) * 100);
    out[i] =
      `Lowering from ${was}% to ${now}% takes the value from about ${lost}% of the matching users who have it now.`;
  });
  return out;
}
