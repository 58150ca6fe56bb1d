// /api/docs: resolved schemas and an example per route, offline; the hand-written examples work.
import { describe, expect, it } from "vitest";
import { exampleOf, type JsonSchema, resolve } from "../../src/http/schema-doc";
import { api, as } from "../helpers";

interface Doc {
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: JsonSchema }> } }>>;
  components: { schemas: Record<string, JsonSchema> };
}

const loadDoc = async () => (await (await api("/api/v1/openapi.json")).json()) as Doc;

describe("GET /api/docs", () => {
  it("shows every route with resolved fields and examples, no raw $ref/anyOf, nothing loaded from elsewhere", async () => {
    const res = await api("/api/docs");
    expect(res.status).toBe(200);
    const html = await res.text();
    const doc = await loadDoc();
    expect(html).not.toMatch(/\$ref|"anyOf"|"allOf"|#\/components\/schemas/);
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']?https?:/);
    // Inline style attributes would be refused by the page's hash-based CSP.
    expect(html).not.toMatch(/\sstyle=/);
    const sections = html.split("<details id=").slice(1);
    let routes = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        routes++;
        const section = sections.find((s) => s.startsWith(`"${method}-${path}"`));
        expect(section, `${method} ${path}`).toBeDefined();
        if (op.requestBody) expect(section, `${method} ${path} request example`).toContain("Example</p><pre>");
      }
    }
    expect(routes).toBeGreaterThan(50);
    // A body that was a $ref before: its fields, nested ones included, are listed.
    const metricPost = sections.find((s) => s.startsWith('"post-/api/v1/ab-testing/metrics"')) ?? "";
    expect(metricPost).toContain("<code>capping.type</code>");
    expect(metricPost).toContain("&quot;absolute&quot; | &quot;percentile&quot;");
    expect(metricPost).toContain("string or null");
    // Responses carry their fields and an example too.
    expect(metricPost).toMatch(/201 body<\/h5>.*<code>created_at<\/code>/s);
    expect(res.headers.get("content-security-policy")).toContain("style-src 'self' 'sha256-");
  });

  it("the documented examples of the main create routes are accepted as they stand", async () => {
    const doc = await loadDoc();
    const acme = await as("docs-org");
    const exampleFor = (path: string) => {
      const schema = doc.paths[path]?.post?.requestBody?.content["application/json"]?.schema;
      expect(schema, path).toBeDefined();
      return exampleOf(resolve(schema as JsonSchema, doc.components.schemas));
    };
    const metric = await acme.post("/api/v1/ab-testing/metrics", exampleFor("/api/v1/ab-testing/metrics"));
    expect(metric.status, await metric.clone().text()).toBe(201);
    expect(await metric.json()).toMatchObject({ key: "revenue", format: "currency", currency: "USD" });
    const experiment = await acme.post("/api/v1/ab-testing/experiments", exampleFor("/api/v1/ab-testing/experiments"));
    expect(experiment.status, await experiment.clone().text()).toBe(201);
    const created = (await experiment.json()) as { id: string; variants: unknown[] };
    expect(created.variants).toHaveLength(2);
    expect((await acme.post(`/api/v1/ab-testing/experiments/${created.id}/start`, {})).status).toBe(200);
    const assign = await acme.post("/api/v1/ab-testing/assign", exampleFor("/api/v1/ab-testing/assign"));
    expect(assign.status, await assign.clone().text()).toBe(200);
    const listed = (await (await acme.get("/api/v1/ab-testing/metrics")).json()) as { items: { key: string }[] };
    expect(listed.items.map((m) => m.key)).toEqual(["revenue"]);
  });
});
