/**
 * A self-contained HTML rendering of the OpenAPI document. Hosted renderers (Swagger UI, Scalar)
 * load their code from a CDN, which breaks `npm start` without network; this page needs nothing.
 * Schemas are shown resolved (schema-doc.ts): field lists with types in words, and an example
 * request and response per route, never raw `$ref` / `anyOf` JSON.
 */
import { type Components, exampleOf, fieldRows, type JsonSchema, resolve, typeText } from "./schema-doc";

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  parameters?: { name: string; in: string; required?: boolean; schema?: JsonSchema; description?: string }[];
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: JsonSchema }> }>;
}
interface Doc {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Components };
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] ?? ch);
const prose = (s: string) => esc(s).replace(/`([^`]+)`/g, "<code>$1</code>");
const pre = (v: unknown) => `<pre>${esc(JSON.stringify(v, null, 2))}</pre>`;

function fieldsHtml(s: JsonSchema): string {
  const rows = fieldRows(s);
  if (rows.length === 0) return `<p>Type: <code>${esc(typeText(s))}</code></p>`;
  const body = rows
    .map(
      (r) =>
        `<tr><td class="d${r.depth}"><code>${esc(r.path)}</code></td><td>${esc(r.type)}</td><td>${r.required ? "yes" : ""}</td><td>${prose(r.notes)}</td></tr>`,
    )
    .join("");
  return `<div class="t"><table><thead><tr><th>field</th><th>type</th><th>required</th><th>notes</th></tr></thead><tbody>${body}</tbody></table></div>`;
}

function schemaBlock(title: string, schema: JsonSchema, components: Components): string {
  const resolved = resolve(schema, components);
  return `<h5>${esc(title)}</h5>${fieldsHtml(resolved)}<p class="ex">Example</p>${pre(exampleOf(resolved))}`;
}

function renderOperation(method: string, path: string, op: Operation, components: Components): string {
  const params = (op.parameters ?? [])
    .map(
      (p) =>
        `<li><code>${esc(p.name)}</code> (${esc(p.in)}${p.required ? ", required" : ""}${p.schema ? `, ${esc(typeText(resolve(p.schema, components)))}` : ""}) ${prose(p.description ?? "")}</li>`,
    )
    .join("");
  const body = op.requestBody?.content?.["application/json"]?.schema;
  const responses = Object.entries(op.responses ?? {})
    .map(([status, r]) => {
      const [media, content] = Object.entries(r.content ?? {})[0] ?? [];
      const problem = media === "application/problem+json";
      const schema = content?.schema;
      const detail = schema && !problem ? schemaBlock(`${status} body`, schema, components) : "";
      return `<li><strong>${esc(status)}</strong> ${prose(r.description ?? "")}${problem ? ' <a href="#schema-Problem">(problem+json)</a>' : ""}${detail}</li>`;
    })
    .join("");
  return `<details id="${esc(`${method}-${path}`)}"><summary><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code> ${esc(op.summary ?? "")}</summary>
<p>${prose(op.description ?? "")}</p>
${params ? `<h4>Parameters</h4><ul>${params}</ul>` : ""}
${body ? `<h4>Request body</h4>${schemaBlock("Fields", body, components)}` : ""}
<h4>Responses</h4><ul>${responses}</ul></details>`;
}

export function renderDocsPage(doc: Doc): string {
  const components = doc.components?.schemas ?? {};
  const sections = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = op.tags?.[0] ?? "General";
      const list = sections.get(tag) ?? [];
      list.push(renderOperation(method, path, op, components));
      sections.set(tag, list);
    }
  }
  const body = [...sections.entries()]
    .map(([tag, ops]) => `<section><h2>${esc(tag)}</h2>${ops.join("")}</section>`)
    .join("");
  const schemas = Object.entries(components)
    .map(
      ([name, s]) =>
        `<details id="schema-${esc(name)}"><summary><code>${esc(name)}</code></summary>${schemaBlock(name, s, components)}</details>`,
    )
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(doc.info.title)} API reference</title><style>
:root{color-scheme:light dark}
body{font:15px/1.5 system-ui,sans-serif;max-width:1000px;margin:2rem auto;padding:0 1rem;color:#1a1a1a;background:#fff}
details{border:1px solid #ccc;border-radius:6px;margin:.4rem 0;padding:.4rem .8rem}summary{cursor:pointer}
pre{background:#f4f4f4;padding:.6rem;overflow:auto;font-size:13px}.m{display:inline-block;min-width:4.5em;font-weight:700}
.t{overflow-x:auto}table{border-collapse:collapse;font-size:13px;width:100%}td,th{border-bottom:1px solid #ddd;padding:.25rem .4rem;text-align:left;vertical-align:top}
h5{margin:.6rem 0 .2rem}.d1{padding-left:1.4rem}.d2{padding-left:2.6rem}.d3{padding-left:3.8rem}.d4{padding-left:5rem}.ex{margin:.4rem 0 0;font-weight:600;font-size:13px}
.get{color:#0b5394}.post{color:#1c6b1c}.patch{color:#7a4b00}.delete{color:#a10000}
@media (prefers-color-scheme:dark){body{background:#111827;color:#e5e7eb}pre{background:#1f2937}a{color:#93c5fd}td,th{border-color:#374151}.get{color:#93c5fd}.post{color:#86efac}.patch{color:#fcd34d}.delete{color:#fca5a5}}</style></head><body>
<h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1><p>${esc(doc.info.description ?? "")}</p>
<p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1).</p>
${body}<section><h2>Schemas</h2>${schemas}</section></body></html>`;
}
