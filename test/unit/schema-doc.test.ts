// Resolving and describing OpenAPI schemas for /api/docs and docs/api.md (src/http/schema-doc.ts).
import { describe, expect, it } from "vitest";
import { constraintText, exampleOf, fieldRows, type JsonSchema, resolve, typeText } from "../../src/http/schema-doc";

const components: Record<string, JsonSchema> = {
  Capping: {
    type: "object",
    properties: { type: { type: "string", enum: ["absolute", "percentile"] }, value: { type: "number" } },
    required: ["type", "value"],
  },
  Node: { type: "object", properties: { next: { $ref: "#/components/schemas/Node" } } },
};

describe("resolve", () => {
  it.each<[string, JsonSchema, JsonSchema]>([
    [
      "inlines a $ref and names it",
      { $ref: "#/components/schemas/Capping" },
      { ...components.Capping, title: "Capping" },
    ],
    ["folds a null alternative", { anyOf: [{ type: "string" }, { type: "null" }] }, { type: "string", nullable: true }],
    ["folds a null type", { type: ["integer", "null"] }, { type: "integer", nullable: true }],
    [
      "keeps real alternatives",
      { anyOf: [{ type: "string", format: "date-time" }, { type: "integer" }, { type: "null" }] },
      { anyOf: [{ type: "string", format: "date-time" }, { type: "integer" }], nullable: true },
    ],
    [
      "merges allOf",
      {
        allOf: [
          { type: "object", properties: { a: { type: "string" } }, required: ["a"] },
          { properties: { b: { type: "number" } } },
        ],
      },
      { type: "object", properties: { a: { type: "string" }, b: { type: "number" } }, required: ["a"] },
    ],
    [
      "a nullable $ref",
      { anyOf: [{ $ref: "#/components/schemas/Capping" }, { type: "null" }] },
      { ...components.Capping, title: "Capping", nullable: true },
    ],
  ])("%s", (_, schema, out) => {
    expect(resolve(schema, components)).toEqual(out);
  });

  it("stops at recursion with a named stub, and leaves no $ref or anyOf behind", () => {
    const node = resolve({ $ref: "#/components/schemas/Node" }, components);
    expect(node.properties?.next).toEqual({ type: "object", title: "Node" });
    expect(JSON.stringify(node)).not.toMatch(/\$ref|anyOf/);
  });
});

describe("words", () => {
  it.each<[JsonSchema, string]>([
    [{ type: "string", enum: ["a", "b"] }, '"a" | "b"'],
    [{ type: "array", items: { type: "string" } }, "array of string"],
    [{ type: "string", format: "date-time", nullable: true }, "string (date-time) or null"],
    [{ type: "object", additionalProperties: { type: "number" } }, "map of string to number"],
    [{ anyOf: [{ type: "string" }, { type: "integer" }] }, "string or integer"],
    [{ type: "object", title: "Capping", properties: {} }, "Capping object"],
    [{}, "any JSON"],
  ])("typeText(%j) = %s", (s, text) => {
    expect(typeText(s)).toBe(text);
  });

  it.each<[JsonSchema, string]>([
    [{ minimum: 0, maximum: 100, multipleOf: 0.01 }, "0 to 100; multiple of 0.01"],
    [{ minLength: 1, maxLength: 200 }, "1 to 200 characters"],
    [{ maxItems: 50 }, "at most 50 items"],
    [{ pattern: "^[A-Z]{3}$", default: "x" }, 'pattern ^[A-Z]{3}$; default "x"'],
  ])("constraintText(%j) = %s", (s, text) => {
    expect(constraintText(s)).toBe(text);
  });

  it("lists nested fields with their paths", () => {
    const s = resolve(
      {
        type: "object",
        required: ["variants"],
        properties: {
          capping: { $ref: "#/components/schemas/Capping" },
          variants: { type: "array", items: { type: "object", properties: { key: { type: "string" } } } },
        },
      },
      components,
    );
    expect(fieldRows(s).map((r) => [r.path, r.depth, r.required])).toEqual([
      ["capping", 0, false],
      ["capping.type", 1, true],
      ["capping.value", 1, true],
      ["variants", 0, true],
      ["variants[].key", 1, false],
    ]);
  });
});

describe("exampleOf", () => {
  it.each<[JsonSchema, unknown]>([
    [{ type: "string", example: "user-42" }, "user-42"],
    [{ type: "string", enum: ["x", "y"] }, "x"],
    [{ type: "boolean", default: false }, false],
    [{ type: "string", format: "date-time" }, "2026-11-29T12:00:00.000Z"],
    [{ type: "integer", minimum: 1, maximum: 10 }, 6],
    [{ type: "number", minimum: 0, maximum: 100, multipleOf: 0.01 }, 50],
    [{ type: "number", minimum: 1 }, 2],
    [{ type: "array", items: { type: "string" } }, ["string"]],
    [{ type: "object", additionalProperties: { type: "number" } }, { key: 1 }],
    [{ type: "object", additionalProperties: {} }, {}],
    [{ anyOf: [{ type: "integer" }], nullable: true }, 1],
    [
      resolve({ type: "object", properties: { capping: { $ref: "#/components/schemas/Capping" } } }, components),
      { capping: { type: "absolute", value: 1 } },
    ],
  ])("exampleOf(%j) = %j", (s, value) => {
    expect(exampleOf(s)).toEqual(value);
  });
});
