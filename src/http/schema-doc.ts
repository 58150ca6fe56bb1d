/**
 * Turns the OpenAPI document's JSON Schemas into what a reader needs: `$ref`s inlined, `allOf`
 * merged, a nullable `anyOf` read as "or null", a type in words, a field list, and an example
 * value built from the schema (its `example`s, defaults and enums first). Pure: /api/docs
 * (docs-page.ts) and docs/api.md (scripts/gen-api-docs.ts) both render with it, offline.
 */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  enum?: unknown[];
  const?: unknown;
  $ref?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  description?: string;
  example?: unknown;
  default?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  /** Set by resolve(): the schema also admits null. */
  nullable?: boolean;
  /** Set by resolve(): the component this schema came from. */
  title?: string;
}

export type Components = Record<string, JsonSchema>;

const refName = (ref: string) => ref.split("/").pop() ?? ref;
const isNull = (s: JsonSchema) => s.type === "null";

/**
 * A schema with every `$ref` replaced by its component (a reference back into itself stays a
 * named stub, so recursive schemas end), `allOf` merged and null alternatives folded into `nullable`.
 */
export function resolve(schema: JsonSchema, components: Components, seen: readonly string[] = []): JsonSchema {
  if (schema.$ref !== undefined) {
    const name = refName(schema.$ref);
    const target = components[name];
    const { $ref: _, ...rest } = schema;
    if (target === undefined || seen.includes(name)) return { ...rest, title: name, type: "object" };
    return { ...resolve(target, components, [...seen, name]), ...rest, title: name };
  }
  let out: JsonSchema = { ...schema };
  if (out.allOf) {
    const parts = out.allOf.map((s) => resolve(s, components, seen));
    const { allOf: _, ...rest } = out;
    // The schema's own keys win over every part's, and an earlier part's over a later one's.
    const layers = [...parts].reverse();
    out = Object.assign({}, ...layers, rest, {
      properties: Object.assign({}, ...layers.map((p) => p.properties), rest.properties),
      required: [rest, ...parts].flatMap((p) => p.required ?? []),
    });
  }
  const alternatives = out.anyOf ?? out.oneOf;
  if (alternatives) {
    const { anyOf: _a, oneOf: _o, ...rest } = out;
    const nonNull = alternatives.filter((s) => !isNull(s)).map((s) => resolve(s, components, seen));
    const nullable = nonNull.length < alternatives.length || out.nullable === true;
    const only = nonNull.length === 1 ? nonNull[0] : undefined;
    out = only
      ? { ...only, ...rest, ...(nullable ? { nullable } : {}) }
      : { ...rest, anyOf: nonNull, ...(nullable ? { nullable } : {}) };
  }
  if (Array.isArray(out.type) && out.type.includes("null")) {
    const types = out.type.filter((t) => t !== "null");
    out = { ...out, type: types.length === 1 ? types[0] : types, nullable: true };
  }
  if (out.properties) {
    out.properties = Object.fromEntries(
      Object.entries(out.properties).map(([k, v]) => [k, resolve(v, components, seen)]),
    );
  }
  if (out.items) out.items = resolve(out.items, components, seen);
  if (typeof out.additionalProperties === "object")
    out.additionalProperties = resolve(out.additionalProperties, components, seen);
  return out;
}

/** The type in words: `"a" | "b"`, `array of string`, `string (date-time) or null`. */
export function typeText(s: JsonSchema): string {
  let text: string;
  if (s.const !== undefined) text = JSON.stringify(s.const);
  else if (s.enum) text = s.enum.map((v) => JSON.stringify(v)).join(" | ");
  else if (s.anyOf) text = s.anyOf.map(typeText).join(" or ");
  else if (s.type === "array") text = `array of ${s.items ? typeText(s.items) : "any"}`;
  else if (s.type === "object" && !s.properties && typeof s.additionalProperties === "object")
    text = `map of string to ${typeText(s.additionalProperties)}`;
  else if (Array.isArray(s.type)) text = s.type.join(" or ");
  else text = s.type ?? "any JSON";
  if (s.title && s.type === "object") text = `${s.title} object`;
  if (s.format) text += ` (${s.format})`;
  return s.nullable ? `${text} or null` : text;
}

/** Bounds and rules in words: "1-200 characters", "0 to 100", "at most 50 items", "pattern ...". */
export function constraintText(s: JsonSchema): string {
  const parts: string[] = [];
  const range = (lo: number | undefined, hi: number | undefined, unit: string) => {
    if (lo !== undefined && hi !== undefined) parts.push(`${lo} to ${hi}${unit}`);
    else if (lo !== undefined) parts.push(`at least ${lo}${unit}`);
    else if (hi !== undefined) parts.push(`at most ${hi}${unit}`);
  };
  range(s.minimum, s.maximum, "");
  if (s.exclusiveMinimum !== undefined) parts.push(`above ${s.exclusiveMinimum}`);
  if (s.exclusiveMaximum !== undefined) parts.push(`below ${s.exclusiveMaximum}`);
  if (s.multipleOf !== undefined) parts.push(`multiple of ${s.multipleOf}`);
  range(s.minLength, s.maxLength, " characters");
  range(s.minItems, s.maxItems, " items");
  if (s.pattern) parts.push(`pattern ${s.pattern}`);
  if (s.default !== undefined) parts.push(`default ${JSON.stringify(s.default)}`);
  return parts.join("; ");
}

export interface FieldRow {
  /** Dotted path; `[]` marks array items (`variants[].key`). */
  path: string;
  depth: number;
  type: string;
  required: boolean;
  notes: string;
}

const MAX_DEPTH = 4;

/** Every field of a resolved object schema, nested objects and arrays of objects included. */
export function fieldRows(s: JsonSchema, prefix = "", depth = 0): FieldRow[] {
  if (!s.properties || depth > MAX_DEPTH) return [];
  const rows: FieldRow[] = [];
  for (const [name, prop] of Object.entries(s.properties)) {
    const path = prefix ? `${prefix}.${name}` : name;
    const notes = [prop.description, constraintText(prop)].filter(Boolean).join("; ");
    rows.push({ path, depth, type: typeText(prop), required: s.required?.includes(name) ?? false, notes });
    if (prop.properties) rows.push(...fieldRows(prop, path, depth + 1));
    else if (prop.items?.properties) rows.push(...fieldRows(prop.items, `${path}[]`, depth + 1));
  }
  return rows;
}

const EXAMPLE_TIME = "2026-11-29T12:00:00.000Z";

/** A value the schema accepts: its own example, else its default, first enum value, or a plain one. */
export function exampleOf(s: JsonSchema, depth = 0): unknown {
  if (s.example !== undefined) return s.example;
  if (s.const !== undefined) return s.const;
  if (s.default !== undefined) return s.default;
  if (s.enum && s.enum.length > 0) return s.enum[0];
  if (s.anyOf?.[0]) return exampleOf(s.anyOf[0], depth);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case "object": {
      if (depth > MAX_DEPTH) return {};
      if (s.properties)
        return Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, exampleOf(v, depth + 1)]));
      if (typeof s.additionalProperties === "object" && Object.keys(s.additionalProperties).length > 0)
        return { key: exampleOf(s.additionalProperties, depth + 1) };
      return {};
    }
    case "array":
      return s.items && depth <= MAX_DEPTH ? [exampleOf(s.items, depth + 1)] : [];
    case "integer":
    case "number": {
      const lo = s.minimum ?? s.exclusiveMinimum;
      const hi = s.maximum ?? s.exclusiveMaximum;
      let n = lo !== undefined && hi !== undefined ? (lo + hi) / 2 : lo !== undefined ? lo + 1 : 1;
      if (type === "integer") n = Math.round(n);
      else if (s.multipleOf !== undefined) n = Math.round(n / s.multipleOf) * s.multipleOf;
      return n;
    }
    case "boolean":
      return true;
    case "string":
      if (s.format === "date-time") return EXAMPLE_TIME;
      if (s.format === "uri") return "https://example.com/hook";
      return s.minLength !== undefined && s.minLength > 6 ? "x".repeat(s.minLength) : "string";
    case "null":
      return null;
    default:
      return s.properties ? exampleOf({ ...s, type: "object" }, depth) : {};
  }
}
