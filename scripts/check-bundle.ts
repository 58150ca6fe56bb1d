// `node scripts/check-bundle.ts`: bundles the production Worker exactly as `wrangler deploy` would
// (`--dry-run --outdir dist/worker`) and fails if any bench-only code reached it. The bench routes
// live in bench/worker.ts, which only `npm run bench` starts; a stray import would ship them.
// It also keeps the bundle minified (wrangler.toml `minify`): within a size budget, and ASCII, so
// that the isolate holds its source as a one-byte string (an unminified bundle carries the
// comments' non-Latin-1 characters, and V8 then stores all of its 2.1 MB as two bytes a character),
// and importing nothing but the runtime's cloudflare:* modules.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { dryRunBundle } from "./dry-run-bundle.ts";

const OUT = "dist/worker";
/** Strings only bench/worker.ts holds: its route and its no-op Durable Object method. */
const FORBIDDEN = ["/bench/noop-events", "ingestEventsNoop"];
/** The minified bundle was 1.14 MB on 5 December 2026 (2.14 MB unminified); a new dependency that
 * would push it past this should be a decision, not an accident. */
const BUDGET_BYTES = 1_500_000;

try {
  dryRunBundle(OUT, ["--metafile"]);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}

const files = readdirSync(OUT, { recursive: true, encoding: "utf8" }).filter((f) => /\.(m?js|map)$/.test(f));
if (!files.some((f) => /\.m?js$/.test(f))) {
  console.error(`no bundle found in ${OUT}`);
  process.exit(1);
}
const leaks = files.flatMap((file) => {
  const text = readFileSync(join(OUT, file), "utf8");
  return FORBIDDEN.filter((s) => text.includes(s)).map((s) => `${file}: ${s}`);
});
if (leaks.length > 0) {
  console.error(`bench-only code in the production bundle:\n${leaks.join("\n")}`);
  process.exit(1);
}
const scripts = files.filter((f) => /\.m?js$/.test(f)).map((f) => readFileSync(join(OUT, f)));
const bytes = scripts.reduce((n, b) => n + b.byteLength, 0);
if (bytes > BUDGET_BYTES) {
  console.error(
    `production bundle is ${bytes} bytes, over its budget of ${BUDGET_BYTES} (is wrangler.toml's minify on?)`,
  );
  process.exit(1);
}
if (scripts.some((b) => b.some((byte) => byte > 0x7f))) {
  console.error("production bundle is not ASCII: the isolate would hold its source as a two-byte string");
  process.exit(1);
}
// Every module the bundle imports is loaded when an isolate starts, whether or not a request ever
// reaches the code that needed it (wrangler.toml's alias of `debug` says what that cost once).
// esbuild's metafile lists the imports it left to the runtime.
const meta = JSON.parse(readFileSync(join(OUT, "bundle-meta.json"), "utf8")) as {
  outputs: Record<string, { imports: { path: string; external?: boolean }[] }>;
};
const external = Object.values(meta.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
const foreign = [...new Set(external)].filter((specifier) => !specifier.startsWith("cloudflare:"));
if (foreign.length > 0) {
  console.error(`production bundle imports modules an isolate loads at start: ${foreign.join(", ")}`);
  process.exit(1);
}
console.log(`production bundle (${OUT}): ${bytes} bytes, ASCII, imports only cloudflare:*, no bench-only code`);
