// The TypeScript SDK ships as source; `npm run build:sdk` makes the plain ES module that a project
// without a TypeScript bundler imports (docs/bucketing.md §6). This builds it the same way and runs
// the result in Node against the published bucketing vectors.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import type { ClientConfig, ClientExperiment } from "../../src/experiments/model";
import type * as Sdk from "../../src/sdk/index";
import golden from "../fixtures/bucketing.json";
import { goldenExperiment } from "./targeting-golden";
import pkg from "../../package.json";

// The golden experiment shape, under a key per case (cases share seeds, and keys must be unique).
const experimentOf = (i: number, c: (typeof golden.cases)[number]): ClientExperiment => ({
  ...goldenExperiment({
    seed: c.seed,
    coverage: c.coverage,
    percentages: c.percentages,
    targeting: null,
    namespace: null,
  }),
  id: `e${i}`,
  key: `k${i}`,
});

describe("the SDK as one ES module", () => {
  it("bundles without imports left, and the module replays every golden bucketing case in Node", async () => {
    // The same options as package.json's build:sdk, which this checks is unchanged.
    const options = "--bundle --format=esm --platform=neutral --target=es2022";
    expect(pkg.scripts["build:sdk"]).toBe(`esbuild src/sdk/index.ts ${options} --outfile=dist/sdk/index.js`);
    const outfile = join(mkdtempSync(join(tmpdir(), "sdk-bundle-")), "index.js");
    await build({
      entryPoints: ["src/sdk/index.ts"],
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      outfile,
      logLevel: "silent",
    });
    expect(readFileSync(outfile, "utf8")).not.toMatch(/^\s*import\s/m);
    const sdk = (await import(pathToFileURL(outfile).href)) as typeof Sdk;

    const experiments = golden.cases.map((c, i) => experimentOf(i, c));
    const config: ClientConfig = { generated_at: "2026-01-01T00:00:00.000Z", experiments };
    const client = new sdk.ExperimentClient({ baseUrl: "https://x.test", token: "t", initialConfig: config });
    golden.cases.forEach((c, i) => {
      const a = client.getVariant(`k${i}`, c.user_id);
      expect([a?.variant_key, a?.in_experiment]).toEqual(
        c.variant_index === null ? ["v0", false] : [`v${c.variant_index}`, true],
      );
    });
  });
});
