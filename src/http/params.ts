import { z } from "@hono/zod-openapi";

/** The `:id` path parameter of every resource route: opaque, bounded so it cannot bloat a query. */
export const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: "id", in: "path" } }),
});

/** Plain decimal digits: no sign, space, point, exponent or `0x` (docs/api.md, Conventions). */
const WHOLE = /^[0-9]+$/;

/** Digits with an optional decimal point (`0.75`, `.75`, `1`): no sign, space, exponent or `0x`. */
const DECIMAL = /^[0-9]*\.?[0-9]+$/;

/**
 * `number` fed only query values spelled as `pattern`. A query value is a string (an array when
 * repeated): anything else reaches `number` unconverted and fails there, with its one message.
 */
const spelled = (pattern: RegExp, number: z.ZodNumber) =>
  z.preprocess((v) => (typeof v === "string" && pattern.test(v) ? Number(v) : v), number);
type Spelled = ReturnType<typeof spelled>;

/**
 * `min` to `max`, one `error` for every way to miss (zod's own said "expected number, received NaN").
 * Both bounds abort: a miss is one error at its path, and an object's own checks add no second one
 * about the same number.
 */
const bounded = (number: z.ZodNumber, min: number, max: number, error: string) =>
  number.min(min, { error, abort: true }).max(max, { error, abort: true });

interface RangeOptions {
  min: number;
  max: number;
}

/**
 * A whole-number query parameter: plain decimal digits given once, from `min` to `max`, `default`
 * when absent (or, with `absent` instead, undefined, `absent` saying what that means). Every way to
 * miss gets one message naming the range and the default. A coerced number took `0x10` as 16, ` 5`
 * as 5, `1e2` as 100 and `5.0` as 5, and a repeated parameter said "expected number, received NaN".
 */
export function wholeQuery(o: RangeOptions & { default: number }): z.ZodDefault<Spelled>;
export function wholeQuery(o: RangeOptions & { absent: string }): z.ZodOptional<Spelled>;
export function wholeQuery({ min, max, ...o }: RangeOptions & { default?: number; absent?: string }) {
  const otherwise = o.default !== undefined ? `default ${o.default}` : `default: ${o.absent}`;
  const error = `must be a whole number from ${min} to ${max} (${otherwise}), given once`;
  // Digits are always whole: `int` makes the OpenAPI type integer.
  const schema = spelled(WHOLE, bounded(z.number({ error }).int({ error, abort: true }), min, max, error));
  return o.default !== undefined ? schema.default(o.default) : schema.optional();
}

/**
 * A whole-number field of a JSON body, from `min` to `max` `unit`. One message for every way to
 * miss, naming the range: zod said "Invalid input: expected int, received number" for 1.5, and
 * for 1e20 two errors at one path ("Too big: expected int to be <=9007199254740991" and the range).
 * A missing field says `required: …` with the same range (src/http/zod-messages.ts's convention).
 */
export const wholeNumber = ({ min, max, unit }: RangeOptions & { unit: string }) => {
  const { number, error } = rangedNumber(`a whole number from ${min} to ${max} (${unit})`);
  return bounded(number.int({ error, abort: true }), min, max, error);
};

/**
 * A number of a JSON body whose every miss says `must be <range>`, or `required: <range>` when it
 * is missing: `number` carries the message for what is no finite number (`1e999`, Infinity once
 * parsed; a number sent as text; null), and `bound` for its bounds, each aborting so that a miss
 * is one error at its path.
 */
export const rangedNumber = (range: string) => {
  const error = `must be ${range}`;
  const number = z.number({ error: (issue) => (issue.input === undefined ? `required: ${range}` : error) });
  return { number, error, bound: { error, abort: true } };
};

/** A fractional number's lower bound, inclusive (`min`) or not (`above`). */
type Low = { min: number; above?: never } | { above: number; min?: never };
/** Its upper bound, inclusive (`max`) or not (`below`), or none. */
type High = { max: number; below?: never } | { below: number; max?: never } | { max?: never; below?: never };

/**
 * A fractional number field of a JSON body, within its bounds, `unit` (if any) said after the range.
 * One message for every way to miss, naming the range, as `wholeNumber` does: zod said "Too small:
 * expected number to be >0" or "Too big: expected number to be <=100", and for `1e999` (Infinity
 * once parsed) or a string "Invalid input: expected number, received …". A missing field says
 * `required: …` with the same range.
 */
export const decimalNumber = (o: Low & High & { unit?: string }) => {
  const low = o.above !== undefined ? `greater than ${o.above}` : `at least ${o.min}`;
  const high = o.below !== undefined ? ` and less than ${o.below}` : o.max !== undefined ? ` and at most ${o.max}` : "";
  const bounds = o.min !== undefined && o.max !== undefined ? `from ${o.min} to ${o.max}` : `${low}${high}`;
  const { number: base, bound } = rangedNumber(`a number ${bounds}${o.unit ? ` (${o.unit})` : ""}`);
  // A bound that did not abort let PowerIn's own check add "the lifted rate must stay below 1" to
  // "Too big: expected number to be <=100": two errors at mde_relative for one number.
  const number = o.above !== undefined ? base.gt(o.above, bound) : base.min(o.min, bound);
  return o.below !== undefined ? number.lt(o.below, bound) : o.max !== undefined ? number.max(o.max, bound) : number;
};

/**
 * A fractional query parameter, optional: decimal digits with an optional point, given once, from
 * `min` to `max`. One message for every way to miss, with `example` as a value to send.
 */
export const decimalQuery = ({ min, max, example }: RangeOptions & { example: string }) => {
  const error = `must be a decimal number from ${min} to ${max} (such as ${example}), given once`;
  return spelled(DECIMAL, bounded(z.number({ error }), min, max, error)).optional();
};

/**
 * `schema` as a query parameter given once. Hono's validator hands a repeated parameter to zod as an
 * array, which a string or enum refused in zod's words ("expected string, received array"): it is
 * one error instead, saying what the parameter takes. A value given once meets `schema` alone, with
 * its own messages (a time's range, a key's characters).
 */
export const givenOnce = <T extends z.ZodType>(schema: T, takes: string) =>
  z.preprocess((v, ctx) => {
    if (!Array.isArray(v)) return v;
    ctx.addIssue({ code: "custom", message: `must be ${takes}, given once`, input: v });
    return z.NEVER;
  }, schema);

/**
 * A text query parameter of `min` (default 0) to `max` characters, given once. Every way to miss is
 * one message (zod said "Too small: expected string to have >=1 characters" for an empty one).
 */
export const textQuery = ({ min = 0, max, takes }: { min?: number; max: number; takes?: string }) => {
  const words = takes ?? (min > 0 ? `${min} to ${max} characters` : `at most ${max} characters`);
  const error = `must be ${words}, given once`;
  const text = z.string({ error }).max(max, { error });
  return givenOnce(min > 0 ? text.min(min, { error }) : text, words);
};

/** An enum query parameter given once: one message naming the values for a wrong one or a repeat. */
export const enumQuery = <const T extends readonly [string, ...string[]]>(values: T) => {
  const words = `one of ${values.join(", ")}`;
  return givenOnce(z.enum(values, { error: `must be ${words}, given once` }), words);
};

/** The `limit` query parameter of every list: 1 to 500, default 50 (API.md's conventions). */
export const LimitQuery = wholeQuery({ min: 1, max: 500, default: 50 });

/**
 * The paging fields of every list's query (API.md, Conventions): spread beside the list's own filters.
 * A cursor is bounded at 400 characters: GET /streaming-analytics/metrics keys on the metric's name,
 * and a 200-character name makes a cursor of 288.
 */
export const pageQueryFields = {
  limit: LimitQuery,
  cursor: textQuery({ max: 400, takes: "the next_cursor of the list's previous page" }).optional(),
};

/** Every list's answer: `{ items, next_cursor }`, as an OpenAPI component named `name`. */
export const listOf = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ items: z.array(item), next_cursor: z.string().nullable() }).openapi(name);
