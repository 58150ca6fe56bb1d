// The production Worker bundled exactly as `wrangler deploy` would, without deploying it
// (`wrangler deploy --dry-run --outdir`): what scripts/check-bundle.ts checks and
// bench/bundle.bench.ts measures.
import { spawnSync } from "node:child_process";

/** Writes the bundle (index.js and its source map) to `outdir`; throws with wrangler's output if it fails. */
export function dryRunBundle(outdir: string, extraArgs: readonly string[] = []): void {
  const built = spawnSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", outdir, ...extraArgs], {
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  if (built.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${built.stdout}\n${built.stderr}`);
}
