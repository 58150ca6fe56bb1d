/**
 * A small JSON Schema (OpenAPI 3.1 subset) checker for tests: does a response body conform to the
 * schema its route declares? Strict about completeness: an object property the schema does not
 * declare is an error unless the schema allows additional properties, so a field served but left
 * out of the declared schema fails. Covers what the app's zod schemas emit: $ref, type (or a list),
 * properties, required, additionalProperties, items, enum, anyOf/oneOf/allOf, minimum/maximum.
 */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
}

type Components = Record<string, JsonSchema>;

const typeOf = (v: unknown): string =>
  v === null ? "null" : Array.isArray(v) ? "array" : Number.isInteger(v) ? "integer" : typeof v;

const typeMatches = (want: string, v: unknown) => want === typeOf(v) || (want === "number" && typeof v === "number");

/** Every place where `value` breaks `schema`, as `path: message` (empty: it conforms). */
export function schemaErrors(value: unknown, schema: JsonSchema, components: Components, path = "$"): string[] {
  if (schema.$ref !== undefined) {
    const name = schema.$ref.replace("#/components/schemas/", "");
    const target = components[name];
    if (target === undefined) return [`${path}: unresolved ${schema.$ref}`];
    return schemaErrors(value, target, components, path);
  }
  const errors: string[] = [];
  for (const sub of schema.allOf ?? []) errors.push(...schemaErrors(value, sub, components, path));
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives && !alternatives.some((s) => schemaErrors(value, s, components, path).length === 0)) {
    errors.push(`${path}: matches none of ${alternatives.length} alternatives`);
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeMatches(t, value)))
      return [...errors, `${path}: ${typeOf(value)} is not ${types.join("|")}`];
  }
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    errors.push(`${path}: ${JSON.stringify(value)} not in enum`);
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${path}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${path}: above ${schema.maximum}`);
  }
  if (Array.isArray(value) && schema.items) {
    const items = schema.items;
    for (const [i, item] of value.entries()) errors.push(...schemaErrors(item, items, components, `${path}[${i}]`));
  }
  if (typeOf(value) === "object" && (schema.properties || schema.additionalProperties !== undefined)) {
    const object = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in object)) errors.push(`${path}.${key}: required, missing`);
    for (const [key, v] of Object.entries(object)) {
      const declared = schema.properties?.[key];
      if (declared) errors.push(...schemaErrors(v, declared, components, `${path}.${key}`));
      else if (typeof schema.additionalProperties === "object")
        errors.push(...schemaErrors(v, schema.additionalProperties, components, `${path}.${key}`));
      else if (schema.additionalProperties !== true) errors.push(`${path}.${key}: not declared in the schema`);
    }
  }
  return errors;
}
