// Generates docs/api.md from the OpenAPI document the Worker serves (the same zod schemas that
// validate requests), so the written reference cannot drift. `--check` fails when it is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { type Components, exampleOf, resolve } from "../src/http/schema-doc.ts";

const OUT = "docs/api.md";
const check = process.argv.includes("--check");

// Bundle the Hono app for Node. `cloudflare:workers` only provides base classes at module load; the
// shim lets the module graph load without running anything that needs the runtime.
const outfile = join(tmpdir(), `edge-api-doc-${process.pid}.mjs`);
await build({
  entryPoints: ["src/app.ts"],
  bundle: true,
  platform: "node",
  format: "esm",
  outfile,
  logLevel: "error",
  // Some dependencies require() Node built-ins lazily; ESM output needs a real require for them.
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  plugins: [
    {
      name: "cloudflare-shim",
      setup(b) {
        b.onResolve({ filter: /^cloudflare:/ }, (args) => ({ path: args.path, namespace: "cf-shim" }));
        b.onLoad({ filter: /.*/, namespace: "cf-shim" }, () => ({
          contents: "export class DurableObject {}; export class WorkerEntrypoint {}; export const env = {};",
          loader: "js",
        }));
      },
    },
  ],
});
const { default: app } = (await import(pathToFileURL(outfile).href)) as {
  default: { request: (path: string, init: RequestInit, env: Record<string, string>) => Promise<Response> | Response };
};
// Middleware reads the config, so the app needs a minimal env even to serve its document.
const res = await app.request("/api/v1/openapi.json", {}, { JWT_SECRET: "documentation-only-secret-0123456789" });
if (!res.ok) throw new Error(`openapi.json answered ${res.status}: ${await res.text()}`);
const doc = (await res.json()) as OpenApiDoc;

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  $ref?: string;
  anyOf?: Schema[];
  oneOf?: Schema[];
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  maxItems?: number;
  minItems?: number;
  maxLength?: number;
  default?: unknown;
}
interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; schema?: Schema; description?: string }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Schema }> }>;
}
interface OpenApiDoc {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

function typeOf(s: Schema | undefined): string {
  if (!s) return "";
  if (s.$ref) {
    const name = s.$ref.split("/").pop() ?? "";
    return `[${name}](#${name.toLowerCase()})`;
  }
  if (s.enum) return s.enum.map((v) => `\`${JSON.stringify(v)}\``).join(" \\| ");
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return alts.map(typeOf).join(" \\| ");
  if (s.type === "array") return `${typeOf(s.items)}[]`;
  if (Array.isArray(s.type)) return s.type.join(" \\| ");
  return s.type ?? "any";
}

/** A fenced JSON example built from the schema (src/http/schema-doc.ts, as /api/docs shows it). */
function example(s: Schema): string[] {
  const value = exampleOf(resolve(s as never, (doc.components?.schemas ?? {}) as Components));
  return ["```json", JSON.stringify(value, null, 2), "```", ""];
}

function limits(s: Schema): string {
  const parts: string[] = [];
  if (s.minimum !== undefined) parts.push(`min ${s.minimum}`);
  // An open bound (PowerIn's alpha: 0 < alpha < 1) in /api/docs' words (schema-doc.ts constraintText).
  if (s.exclusiveMinimum !== undefined) parts.push(`above ${s.exclusiveMinimum}`);
  if (s.maximum !== undefined) parts.push(`max ${s.maximum}`);
  if (s.exclusiveMaximum !== undefined) parts.push(`below ${s.exclusiveMaximum}`);
  if (s.minItems !== undefined) parts.push(`min items ${s.minItems}`);
  if (s.maxItems !== undefined) parts.push(`max items ${s.maxItems}`);
  if (s.maxLength !== undefined) parts.push(`max length ${s.maxLength}`);
  if (s.default !== undefined) parts.push(`default ${JSON.stringify(s.default)}`);
  return parts.join(", ");
}

function fieldTable(s: Schema | undefined): string[] {
  if (!s?.properties) return s ? [`Type: ${typeOf(s)}`, ""] : [];
  const lines = ["| field | type | required | notes |", "|---|---|---|---|"];
  for (const [name, prop] of Object.entries(s.properties)) {
    const notes = [prop.description, limits(prop)].filter(Boolean).join("; ");
    lines.push(`| \`${name}\` | ${typeOf(prop)} | ${s.required?.includes(name) ? "yes" : ""} | ${notes} |`);
  }
  lines.push("");
  return lines;
}

const lines: string[] = [
  `# ${doc.info.title} API reference`,
  "",
  "Generated from the OpenAPI 3.1 document (`npm run docs:api`); do not edit by hand. The Worker serves",
  "the same document at `/api/v1/openapi.json` and a rendered version at `/api/docs`. Examples are built",
  "from the schemas (their own examples, defaults and first enum values).",
  "",
  "## Conventions",
  "",
  "- **Auth**: every `/api/v1/*` route except `GET /api/v1/health` needs `Authorization: Bearer <JWT>` (HS256;",
  "  claims `sub`, `org`, `scope`, `exp`; `iss`/`aud` checked when configured). Missing, malformed, forged or",
  "  expired: `401`. Missing scope: `403`. Another organization's resource: `404`.",
  "- **Scopes**: `read` (every GET, the WebSocket), `write` (experiments, lifecycle, sources, alert actions,",
  "  rules), `ingest` (events, predictions, metrics, results), `assign` (assignment and config).",
  '- **Errors**: `application/problem+json` `{ type, title, status, detail?, errors?: [{ path, message }], request_id }`. A missing field\'s message starts with `required` (`required: one of "info"|"warning"|…`); a time sent in epoch seconds is named as such, with the milliseconds to send.',
  "  `400` validation (each bad field in `errors`; a read-only or unknown field of a JSON body is one too, and so is a string or key holding a lone surrogate such as `\\ud800`, which UTF-8 storage cannot keep, a number in a free-form JSON field that overflows to Infinity, such as `1e999`, which JSON cannot carry back, and a JSON body that is not UTF-8), `404` unknown route, `409` illegal state change, `413` body",
  "  over 1 MiB, `422` semantically invalid, `429` rate limited (with `Retry-After`). Every response has `X-Request-Id`.",
  "- **Ids** are opaque strings; **times** are ISO-8601 UTC in responses, ISO-8601 or epoch milliseconds in inputs.",
  "- **Lists** return `{ items, next_cursor }` and take `limit` (default 50, max 500) and `cursor`, newest first.",
  "- **Numbers in a query** are written plainly and given once: a whole number (`limit`, `window`, `step`, `minutes`) as decimal digits only (`60`; not `0x3c`, `6e1`, `60.0`, `+60` or ` 60`), `min_confidence` as digits with an optional decimal point (`0.8`, `.8`, `1`; no exponent). Anything else, or the parameter repeated, is a `400` naming it, with its range and default.",
  "- **Every other query parameter** (a text, a choice such as `status`, a time, a key, `cursor`) is given once too: repeated, it is a `400` naming it, with what it takes (`must be one of open, acknowledged, resolved, given once`); so is a text or choice that is wrong (empty, too long, not one of the choices). Parameters a route does not name are ignored, repeated or not.",
  "- **Numbers in a body** with a range are one error at their path naming it, whatever the miss (out of range, `1e999`, a number sent as text, `null`): `must be a whole number from 10 to 2678400 (seconds, up to 31 days)` for `window_seconds`, `must be a number from 0.5 to 100` for `sensitivity`, `must be a number greater than 0 and less than 1` for `alpha`; missing, `required: ` and the range.",
  "",
];
const byTag = new Map<string, [string, string, Operation][]>();
for (const [path, methods] of Object.entries(doc.paths)) {
  for (const [method, op] of Object.entries(methods)) {
    const tag = op.tags?.[0] ?? "General";
    byTag.set(tag, [...(byTag.get(tag) ?? []), [method, path, op]]);
  }
}
for (const [tag, ops] of byTag) {
  lines.push(`## ${tag}`, "");
  for (const [method, path, op] of ops) {
    lines.push(`### \`${method.toUpperCase()} ${path}\``, "");
    if (op.summary) lines.push(op.summary, "");
    if (op.description) lines.push(op.description, "");
    const params = op.parameters ?? [];
    if (params.length) {
      lines.push("| parameter | in | type | required | notes |", "|---|---|---|---|---|");
      for (const p of params) {
        const notes = [p.description, p.schema ? limits(p.schema) : ""].filter(Boolean).join("; ");
        lines.push(`| \`${p.name}\` | ${p.in} | ${typeOf(p.schema)} | ${p.required ? "yes" : ""} | ${notes} |`);
      }
      lines.push("");
    }
    const body = op.requestBody?.content?.["application/json"]?.schema;
    if (body) lines.push("Request body:", "", ...fieldTable(body), ...example(body));
    lines.push("| status | meaning | body |", "|---|---|---|");
    for (const [status, r] of Object.entries(op.responses ?? {})) {
      const content = r.content ?? {};
      const media = Object.keys(content)[0];
      const schema = media ? content[media]?.schema : undefined;
      lines.push(`| ${status} | ${r.description ?? ""} | ${schema ? typeOf(schema) : ""} |`);
    }
    lines.push("");
    const [okStatus, ok] = Object.entries(op.responses ?? {}).find(([s]) => s.startsWith("2")) ?? [];
    const okSchema = ok?.content?.["application/json"]?.schema;
    if (okSchema) lines.push(`Example ${okStatus} response:`, "", ...example(okSchema));
  }
}
lines.push("## Schemas", "");
for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
  lines.push(`### ${name}`, "", ...fieldTable(schema));
}
const text = `${lines.join("\n").replace(/\n{3,}/g, "\n\n")}\n`;

if (check) {
  let current = "";
  try {
    current = readFileSync(OUT, "utf8");
  } catch {
    // missing counts as stale
  }
  if (current !== text) {
    console.error(`${OUT} is stale: run npm run docs:api`);
    process.exit(1);
  }
  console.log(`${OUT} is up to date`);
} else {
  writeFileSync(OUT, text);
  console.log(`wrote ${OUT}`);
}
