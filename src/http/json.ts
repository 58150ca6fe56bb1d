import { z } from "@hono/zod-openapi";

/**
 * Free-form JSON fields (variant config, event payload, prediction, features, tags) are nested at most
 * this deep. Without a bound, a 100,000-level array parses fine but overflows the stack later, when the
 * value is structured-cloned into the Durable Object or walked by a client.
 */
export const MAX_JSON_DEPTH = 32;

/** Depth of a parsed JSON value past `max` (jsonItemProblem's walk, with no size bound). */
export function jsonDepthExceeds(value: unknown, max = MAX_JSON_DEPTH): boolean {
  return jsonItemProblem(value, Number.POSITIVE_INFINITY, max) === "deep";
}

const depthMessage = `nested deeper than ${MAX_JSON_DEPTH} levels`;

/**
 * A JSON object's own `__proto__` key (JSON.parse makes it one) cannot be kept: copying the object
 * key by key, as validation does, drops it or sets the copy's prototype. Refused with a 400 rather
 * than lost silently (nested ones are kept as they are, since nothing copies them key by key).
 */
const withoutProtoKey = (v: unknown) => !(v !== null && typeof v === "object" && Object.hasOwn(v, "__proto__"));
const protoMessage = "the key __proto__ is not allowed";

/**
 * `schema` for an object whose own `__proto__` key is refused (400 at `<path>.__proto__`): zod's
 * record skips that key silently, so a tag `{"__proto__": "x"}` used to vanish.
 */
export const withoutProto = <T extends z.ZodType>(schema: T, doc: Record<string, unknown> = {}) =>
  z
    .unknown()
    .meta(doc) // what z.toJSONSchema shows for the input side (the body of oneOrBatch)
    .refine(withoutProtoKey, { message: protoMessage, path: ["__proto__"] })
    .pipe(schema)
    .openapi(doc);

/** A JSON object without a top-level `__proto__` key, then checked by `check`. */
const jsonObject = (check: (value: Record<string, unknown>, ctx: z.RefinementCtx) => void) =>
  z.unknown().refine(withoutProtoKey, protoMessage).pipe(z.record(z.string(), z.unknown()).superRefine(check));

/**
 * JSON's `1e309` (or 309 digits) parses as Infinity, which JSON cannot carry back: stored, it came
 * back as `null` (a json flag's value, a variant's config, an event's payload: an outside fuzz).
 * Refused at the field instead, found by the same walk as the depth and size bounds.
 */
const infiniteMessage = "numbers must be finite: 1e309 and beyond overflow to Infinity, which JSON cannot carry";

/**
 * What JsonValue and JsonObject refuse in `value`: depth past MAX_JSON_DEPTH or a non-finite number
 * (no size bound), else null. A check made after them on the same field (a flag's value_type) skips
 * such a value, so the field gets one error, not two.
 */
export const jsonValueProblem = (value: unknown) => jsonItemProblem(value, Number.POSITIVE_INFINITY);

/** jsonValueProblem as a zod issue. */
const boundedJson = (value: unknown, ctx: z.RefinementCtx) => {
  const problem = jsonValueProblem(value);
  if (problem !== null) ctx.addIssue({ code: "custom", message: itemMessages[problem] });
};

/** Any JSON object, at most MAX_JSON_DEPTH deep, its numbers finite. */
export const JsonObject = jsonObject(boundedJson).openapi({
  type: "object",
  description: `Any JSON object (nested at most ${MAX_JSON_DEPTH} levels)`,
});

/** Any JSON value but undefined, at most MAX_JSON_DEPTH deep, its numbers finite. */
export const JsonValue = z
  .unknown()
  .refine((v) => v !== undefined, "required")
  .superRefine(boundedJson)
  .openapi({ description: `Any JSON value (nested at most ${MAX_JSON_DEPTH} levels)` });

/**
 * Free-form JSON stored per item (an event's payload, a prediction, its features): at most this many
 * characters, counted as its keys and strings plus one for every other value. That is a lower bound
 * of its JSON text, which the depth walk gets for free: ingestion serializes nothing per item.
 * Segment caps a whole event at 32 KB. Lists also bound their pages (store/sql.ts, PAGE_JSON_CHARS),
 * so rows stored before the cap cannot break them either.
 */
export const MAX_ITEM_JSON_CHARS = 32 * 1024;

/**
 * One walk for every bound, iterative (recursion is what deep input would break): "deep" past
 * `maxDepth` levels, "large" past `maxChars` of keys and strings, "infinite" for a number JSON
 * cannot carry back, else null.
 */
export function jsonItemProblem(
  value: unknown,
  maxChars = MAX_ITEM_JSON_CHARS,
  maxDepth = MAX_JSON_DEPTH,
): "deep" | "large" | "infinite" | null {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) return "infinite";
    return charsOf(value) > maxChars ? "large" : null;
  }
  let chars = 0;
  const stack: [object, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [object, number];
    if (depth > maxDepth) return "deep";
    const children = Array.isArray(current) ? current : Object.values(current);
    if (!Array.isArray(current)) for (const key in current) chars += key.length + 1;
    for (const child of children) {
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
      else if (typeof child === "number" && !Number.isFinite(child)) return "infinite";
      else chars += charsOf(child);
    }
    if (chars > maxChars) return "large";
  }
  return null;
}

const charsOf = (primitive: unknown) => (typeof primitive === "string" ? primitive.length + 1 : 1);

const itemMessages = {
  deep: depthMessage,
  large: `too large: at most ${MAX_ITEM_JSON_CHARS} characters of keys and strings`,
  infinite: infiniteMessage,
} as const;

const boundedItem = (value: unknown, ctx: z.RefinementCtx) => {
  const problem = jsonItemProblem(value);
  if (problem !== null) ctx.addIssue({ code: "custom", message: itemMessages[problem] });
};

/** A JSON object stored per item (an event's payload, a prediction's features): depth and size bounded. */
export const ItemJsonObject = jsonObject(boundedItem).openapi({
  type: "object",
  description: `Any JSON object, nested at most ${MAX_JSON_DEPTH} levels, with at most ${MAX_ITEM_JSON_CHARS} characters of keys and strings`,
});

/** A JSON value stored per item (a prediction): depth and size bounded. */
export const ItemJsonValue = z
  .unknown()
  .refine((v) => v !== undefined, "required")
  .superRefine(boundedItem)
  .openapi({
    description: `Any JSON value, nested at most ${MAX_JSON_DEPTH} levels, with at most ${MAX_ITEM_JSON_CHARS} characters of keys and strings`,
  });

/** A UTF-16 surrogate without its other half: valid in a JS string and in JSON's `\ud800`, not in UTF-8. */
const LONE_SURROGATE = /\p{Cs}/u;
export const LONE_SURROGATE_MESSAGE =
  "must be well-formed Unicode: a lone surrogate (such as \\ud800 without its pair) cannot be stored";

/** A path as a chain to its parent, so a deep body costs one link a level, not a copy. */
type PathLink = { key: string; parent: PathLink | null } | null;

const dottedPath = (link: PathLink): string => {
  const keys: string[] = [];
  for (let l = link; l !== null; l = l.parent) keys.push(l.key);
  return keys.reverse().join(".");
};

/**
 * The dotted paths (as `errors[].path`), in document order, of the strings and object keys of a
 * parsed JSON body that hold a lone surrogate, at most `max` of them. SQLite (D1 and the Durable
 * Object's storage) keeps text as UTF-8, where such a string has no spelling: it was stored as
 * replacement characters while the create answer echoed it as sent. Iterative, as bodies may nest
 * deep before the validators refuse them.
 */
export function loneSurrogatePaths(value: unknown, max = 20): string[] {
  const found: string[] = [];
  // [value, its path, whether its own key is the bad part]
  const stack: [unknown, PathLink, boolean][] = [[value, null, false]];
  while (stack.length > 0 && found.length < max) {
    const [current, path, badKey] = stack.pop() as [unknown, PathLink, boolean];
    if (badKey || (typeof current === "string" && LONE_SURROGATE.test(current))) {
      found.push(dottedPath(path));
    } else if (current !== null && typeof current === "object") {
      const keys = Object.keys(current);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i] as string;
        stack.push([(current as Record<string, unknown>)[key], { key, parent: path }, LONE_SURROGATE.test(key)]);
      }
    }
  }
  return found;
}
