// GET /config's body against the response schema the route declares in the OpenAPI document: every
// field served (flags, targeting, namespace included) must be declared, and every value conform.
import { describe, expect, it } from "vitest";
import { type JsonSchema, schemaErrors } from "../json-schema";
import { api, as } from "../helpers";
import { BASE, createRunning } from "./experiments-fixtures";

interface OpenApi {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }> }>
  >;
  components: { schemas: Record<string, JsonSchema> };
}

async function declared(): Promise<{ schema: JsonSchema; components: Record<string, JsonSchema> }> {
  const doc = (await (await api("/api/v1/openapi.json")).json()) as OpenApi;
  const schema = doc.paths["/api/v1/ab-testing/config"]?.get?.responses["200"]?.content?.["application/json"]?.schema;
  if (schema === undefined) throw new Error("GET /config declares no 200 JSON schema");
  return { schema, components: doc.components.schemas };
}

describe("GET /config and its declared schema", () => {
  it("a config with targeting, a namespace and flags conforms, every field declared", async () => {
    const acme = await as("config-schema");
    await createRunning(acme, "targeted", {
      targeting: { country: { $in: ["FR", "DE"] }, "app.version": { $vgte: "2.0.0" } },
      namespace: { key: "checkout", start: 0, end: 0.5 },
    });
    await createRunning(acme, "plain", { coverage: 40 });
    for (const flag of [
      {
        key: "new-checkout",
        value_type: "boolean",
        default_value: false,
        rules: [
          { condition: { plan: "pro" }, rollout_percentage: 50, value: true },
          { rollout_percentage: 10, value: true },
        ],
      },
      { key: "layout", value_type: "json", default_value: { cols: 1 }, enabled: false },
    ]) {
      const res = await acme.post(`${BASE}/flags`, flag);
      expect(res.status, await res.clone().text()).toBe(201);
    }
    const res = await acme.get(`${BASE}/config`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      experiments: { key: string; targeting?: unknown; namespace?: unknown }[];
      flags?: { key: string }[];
    };
    // The body really carries what the schema must declare.
    const targeted = body.experiments.find((e) => e.key === "targeted");
    expect(targeted?.targeting).toEqual({ country: { $in: ["FR", "DE"] }, "app.version": { $vgte: "2.0.0" } });
    expect(targeted?.namespace).toEqual({ key: "checkout", start: 0, end: 0.5 });
    expect(body.flags?.map((f) => f.key).sort()).toEqual(["layout", "new-checkout"]);

    const { schema, components } = await declared();
    expect(schemaErrors(body, schema, components)).toEqual([]);
    // Named components, so docs/api.md documents each field.
    expect(Object.keys(components)).toEqual(
      expect.arrayContaining(["ClientConfig", "ConfigExperiment", "ConfigVariant", "ConfigFlag", "ConfigFlagRule"]),
    );
  });

  it("the check is strict: an undeclared or mistyped field is reported", async () => {
    const { schema, components } = await declared();
    const body = {
      generated_at: new Date().toISOString(),
      experiments: [
        {
          id: "e",
          key: "k",
          status: "running",
          seed: "k",
          coverage: 100,
          winner_variant_id: null,
          variants: [],
          namespace: { key: "n", start: 0, end: "half" },
          surprise: 1,
        },
      ],
      flags: [{ key: "f", value_type: "boolean", default_value: true, enabled: true, rules: [], extra: true }],
    };
    expect(schemaErrors(body, schema, components)).toEqual(
      expect.arrayContaining([
        expect.stringContaining("$.experiments[0].surprise: not declared"),
        expect.stringContaining("$.flags[0].extra: not declared"),
      ]),
    );
    expect(schemaErrors(body, schema, components).join("\n")).toContain("namespace");
  });
});
