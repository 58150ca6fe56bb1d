// `npm run bench [-- name ...]`: runs every bench/*.bench.ts against a fresh local server and
// writes bench/RESULTS.md (figures, same-run ratios, machine, date).
import { execSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { type BenchSection, createContext, startServer } from "./harness.ts";

const filters = process.argv.slice(2);
const files = readdirSync("bench")
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => filters.length === 0 || filters.some((name) => f.includes(name)))
  .sort();
if (files.length === 0) {
  console.error("no benchmark matched");
  process.exit(1);
}

// bench/worker.ts: the production app plus bench-only baselines (a no-op Durable Object call); never deployed.
// notify.bench.ts points channels at receivers on 127.0.0.1, whatever .dev.vars says.
const server = await startServer("bench/worker.ts", { ALLOW_HTTP_LOCALHOST_CHANNELS: "true" });
const ctx = createContext(server);
const sections: BenchSection[] = [];
let failed = 0;
try {
  for (const file of files) {
    console.log(`== ${file}`);
    try {
      const mod = (await import(`./${file}`)) as { default: (c: typeof ctx) => Promise<BenchSection> };
      const section = await mod.default(ctx);
      sections.push(section);
      for (const f of section.figures) console.log(`  ${f.name}: ${f.value} ${f.unit}`);
      for (const r of section.ratios) console.log(`  ratio ${r.name}: ${r.value}${r.goal ? ` (goal ${r.goal})` : ""}`);
    } catch (err) {
      failed++;
      console.error(`  FAILED: ${(err as Error).stack ?? err}`);
      sections.push({ title: file, figures: [], ratios: [], notes: [`failed: ${(err as Error).message}`] });
    }
  }
} finally {
  await server.stop();
}

const commit = (() => {
  try {
    return execSync("git rev-parse --short HEAD", { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
})();
const cpu = cpus();
const lines = [
  "# Benchmark results",
  "",
  "Produced by `npm run bench` (bench/run.ts). Every ratio compares two figures measured in the same run",
  "on the same machine, because these machines are shared and noisy; absolute figures are for context only.",
  "",
  `- Date: ${new Date().toISOString()}`,
  `- Commit: ${commit}`,
  `- Machine: ${cpu.length} x ${cpu[0]?.model ?? "unknown CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, ${process.platform} ${process.arch}`,
  `- Node ${process.version} (bench driver); server: \`wrangler dev\` (workerd, local D1 and Durable Objects)`,
  "",
];
for (const s of sections) {
  lines.push(`## ${s.title}`, "");
  if (s.figures.length) {
    lines.push("| figure | value |", "|---|---|");
    for (const f of s.figures) lines.push(`| ${f.name} | ${f.value} ${f.unit} |`);
    lines.push("");
  }
  if (s.ratios.length) {
    lines.push("| ratio (same run) | value | goal |", "|---|---|---|");
    for (const r of s.ratios) lines.push(`| ${r.name} | ${r.value} | ${r.goal ?? ""} |`);
    lines.push("");
  }
  for (const n of s.notes ?? []) lines.push(`- ${n}`);
  if (s.notes?.length) lines.push("");
}
if (filters.length === 0) {
  writeFileSync("bench/RESULTS.md", `${lines.join("\n")}\n`);
  console.log("wrote bench/RESULTS.md");
} else {
  // The notes hold checks too (exactly-once counts, the limiter probe): shown here, since no file is.
  for (const s of sections) for (const n of s.notes ?? []) console.log(`  note: ${n}`);
  console.log("(filtered run: bench/RESULTS.md left as it is)");
}
process.exit(failed ? 1 : 0);
