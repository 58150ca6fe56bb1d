// Run by bundle.bench.ts as `node --experimental-vm-modules bench/compile-time.ts <rounds> <a.js> <b.js>`:
// V8 compiles each bundle as a module (what an isolate does with the script before its first
// request), alternating, and prints the median milliseconds of each as JSON. A child process,
// because the flag must be on the command line and the bench driver runs without it.
import { readFileSync } from "node:fs";
import vm from "node:vm";
import { median } from "./harness.ts";

const [rounds, ...paths] = process.argv.slice(2);
const sources = paths.map((p) => readFileSync(p, "utf8"));
const times: number[][] = sources.map(() => []);
const SourceTextModule = (vm as unknown as { SourceTextModule: new (source: string) => unknown }).SourceTextModule;
for (let r = 0; r < Number(rounds); r++) {
  sources.forEach((source, i) => {
    // A distinct source each round, so V8's compilation cache cannot answer from the round before.
    const text = `${source}\n//${r}`;
    const t0 = performance.now();
    new SourceTextModule(text);
    times[i]?.push(performance.now() - t0);
  });
}
console.log(JSON.stringify(times.map(median)));
