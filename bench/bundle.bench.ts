// The production bundle as `wrangler deploy` builds it (wrangler.toml minifies it) against the same
// bundle unminified, in the same run: its size, gzipped size, the memory its source takes in the
// isolate (V8 holds a script with any non-Latin-1 character as a two-byte string), and how
// long V8 takes to compile it as a module, which every new isolate does before its first request;
// then the whole start in workerd itself (`wrangler check startup`: compiling and running the top
// level, profiled), as the CPU it kept the isolate's thread busy. Needs no server.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { BenchContext, BenchSection } from "./harness.ts";
import { median, round } from "./harness.ts";
import { dryRunBundle } from "../scripts/dry-run-bundle.ts";

const ROUNDS = 30;
/** `wrangler check startup` runs per form, alternating (about 2.5 s each). */
const STARTUP_ROUNDS = 8;

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string } }[];
  samples: number[];
  timeDeltas: number[];
}

/** workerd's start of the production Worker, profiled: milliseconds of samples that were not idle. */
function startupBusyMs(outfile: string, extra: readonly string[]): number {
  const run = spawnSync("npx", ["wrangler", "check", "startup", "--outfile", outfile, ...extra], {
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  if (run.status !== 0) throw new Error(`wrangler check startup failed: ${run.stderr}`);
  const profile = JSON.parse(readFileSync(outfile, "utf8")) as CpuProfile;
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === "(idle)").map((n) => n.id));
  let busyUs = 0;
  profile.samples.forEach((id, i) => {
    if (!idle.has(id)) busyUs += profile.timeDeltas[i] ?? 0;
  });
  return busyUs / 1000;
}

function build(outdir: string, extra: readonly string[]): Buffer {
  dryRunBundle(outdir, extra);
  return readFileSync(join(outdir, "index.js"));
}

export default async function bundle(ctx: BenchContext): Promise<BenchSection> {
  const dir = mkdtempSync(join(tmpdir(), "edge-bundle-"));
  try {
    const shipped = build(join(dir, "shipped"), []);
    const plain = build(join(dir, "plain"), ["--minify=false"]);
    const compiled = spawnSync(
      process.execPath,
      [
        "--experimental-vm-modules",
        "--no-warnings",
        "bench/compile-time.ts",
        String(ROUNDS),
        join(dir, "shipped", "index.js"),
        join(dir, "plain", "index.js"),
      ],
      { encoding: "utf8" },
    );
    if (compiled.status !== 0) throw new Error(`compile-time failed: ${compiled.stderr}`);
    const [shippedMs, plainMs] = JSON.parse(compiled.stdout) as [number, number];
    const startShipped: number[] = [];
    const startPlain: number[] = [];
    for (let r = 0; r < STARTUP_ROUNDS; r++) {
      startShipped.push(startupBusyMs(join(dir, `shipped-${r}.cpuprofile`), []));
      startPlain.push(startupBusyMs(join(dir, `plain-${r}.cpuprofile`), ["--args=--minify=false"]));
    }
    // V8 keeps a string of Latin-1 characters at one byte a character, any other at two.
    const held = (b: Buffer) => {
      const text = b.toString("utf8");
      let oneByte = true;
      for (let i = 0; i < text.length && oneByte; i++) oneByte = text.charCodeAt(i) <= 0xff;
      return text.length * (oneByte ? 1 : 2);
    };
    const kib = (n: number) => round(n / 1024, 1);
    ctx.log(
      `shipped ${kib(shipped.byteLength)} KiB (${shippedMs.toFixed(1)} ms), unminified ${kib(plain.byteLength)} KiB (${plainMs.toFixed(1)} ms)`,
    );
    return {
      title: "Production bundle (cold start)",
      figures: [
        { name: "bundle as shipped (wrangler.toml minify)", value: kib(shipped.byteLength), unit: "KiB" },
        { name: "bundle as shipped, gzipped", value: kib(gzipSync(shipped).byteLength), unit: "KiB" },
        { name: "bundle unminified", value: kib(plain.byteLength), unit: "KiB" },
        { name: "bundle unminified, gzipped", value: kib(gzipSync(plain).byteLength), unit: "KiB" },
        {
          name: "source an isolate holds, as shipped (one byte a character when all are Latin-1, else two)",
          value: kib(held(shipped)),
          unit: "KiB",
        },
        {
          name: "source an isolate holds, unminified",
          value: kib(held(plain)),
          unit: "KiB",
        },
        { name: "V8 module compile, as shipped (median)", value: round(shippedMs, 1), unit: "ms" },
        { name: "V8 module compile, unminified (median)", value: round(plainMs, 1), unit: "ms" },
        { name: "workerd start, as shipped: CPU busy (median)", value: round(median(startShipped), 1), unit: "ms" },
        { name: "workerd start, unminified: CPU busy (median)", value: round(median(startPlain), 1), unit: "ms" },
      ],
      ratios: [
        { name: "V8 module compile, unminified / as shipped", value: round(plainMs / shippedMs, 2) },
        { name: "workerd start, unminified / as shipped", value: round(median(startPlain) / median(startShipped), 2) },
      ],
      notes: [
        `Compile times are medians of ${ROUNDS} alternating compiles of each bundle in one Node process (V8 ${process.versions.v8}), each round's source made distinct so the compilation cache cannot answer; workerd's V8 compiles the same way, on the isolate's thread, before the first request. Module evaluation (top-level code) is the same for both and not included.`,
        `workerd start: ${STARTUP_ROUNDS} alternating runs of \`wrangler check startup\` per form (a CPU profile of workerd compiling the bundle and running its top level, sampled about every 2 ms); the figure is the median of the samples that were not idle. Runs ranged ${round(Math.min(...startShipped), 1)} to ${round(Math.max(...startShipped), 1)} ms as shipped, ${round(Math.min(...startPlain), 1)} to ${round(Math.max(...startPlain), 1)} ms unminified.`,
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
