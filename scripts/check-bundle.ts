// `node scripts/check-bundle.ts`: bundles the production Worker exactly as `wrangler deploy` would
// (`--dry-run --outdir dist/worker`) and fails if any bench-only code reached it. The bench routes
// live in bench/worker.ts, which only `npm run bench` starts; a stray import would ship them.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const OUT = "dist/worker";
/** Strings only bench/worker.ts holds: its route and its no-op Durable Object method. */
const FORBIDDEN = ["/bench/noop-events", "ingestEventsNoop"];

const built = spawnSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", OUT], {
  encoding: "utf8",
  env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
});
if (built.status !== 0) {
  console.error(built.stdout, built.stderr);
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
console.log(`production bundle (${OUT}) has no bench-only code`);
