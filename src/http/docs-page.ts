/**
 * A self-contained HTML rendering of the OpenAPI document. Hosted renderers (Swagger UI, Scalar)
 * load their code from a CDN, which breaks `npm start` without network; this page needs nothing.
 */
interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  parameters?: { name: string; in: string; required?: boolean; schema?: unknown; description?: string }[];
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
}
interface Doc {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] ?? ch);
const json = (v: unknown) => `<pre>${esc(JSON.stringify(v, null, 2))}</pre>`;

function renderOperation(method: string, path: string, op: Operation): string {
  const params = (op.parameters ?? [])
    .map(
      (p) =>
        `<li><code>${esc(p.name)}</code> (${esc(p.in)}${p.required ? ", required" : ""}) ${esc(p.description ?? "")}</li>`,
    )
    .join("");
  const body = op.requestBody?.content?.["application/json"]?.schema;
  const responses = Object.entries(op.responses ?? {})
    .map(([status, r]) => `<li><strong>${esc(status)}</strong> ${esc(r.description ?? "")}</li>`)
    .join("");
  return `<details id="${esc(`${method}-${path}`)}"><summary><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code> ${esc(op.summary ?? "")}</summary>
<p>${esc(op.description ?? "").replace(/`([^`]+)`/g, "<code>$1</code>")}</p>
${params ? `<h4>Parameters</h4><ul>${params}</ul>` : ""}
${body ? `<h4>Request body</h4>${json(body)}` : ""}
<h4>Responses</h4><ul>${responses}</ul></details>`;
}

export function renderDocsPage(doc: Doc): string {
  const sections = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = op.tags?.[0] ?? "General";
      const list = sections.get(tag) ?? [];
      list.push(renderOperation(method, path, op));
      sections.set(tag, list);
    }
  }
  const body = [...sections.entries()]
    .map(([tag, ops]) => `<section><h2>${esc(tag)}</h2>${ops.join("")}</section>`)
    .join("");
  const schemas = Object.entries(doc.components?.schemas ?? {})
    .map(
      ([name, s]) =>
        `<details id="schema-${esc(name)}"><summary><code>${esc(name)}</code></summary>${json(s)}</details>`,
    )
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(doc.info.title)} API reference</title><style>
body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
details{border:1px solid #ccc;border-radius:6px;margin:.4rem 0;padding:.4rem .8rem}summary{cursor:pointer}
pre{background:#f4f4f4;padding:.6rem;overflow:auto;font-size:13px}.m{display:inline-block;min-width:4.5em;font-weight:700}
.get{color:#0b5394}.post{color:#1c6b1c}.patch{color:#7a4b00}.delete{color:#a10000}</style></head><body>
<h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1><p>${esc(doc.info.description ?? "")}</p>
<p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1).</p>
${body}<section><h2>Schemas</h2>${schemas}</section></body></html>`;
}
