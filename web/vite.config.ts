import { dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import preact from "@preact/preset-vite";
import { defineConfig, type Plugin } from "vite";

/** The dashboard's budget: Preact, uPlot, partysocket and our code must stay under this, gzipped. */
const JS_BUDGET_KB = 80;
const repoRoot = dirname(dirname(fileURLToPath(import.meta.url)));
/** Dependency-free server modules written to be shared with the browser. */
const BROWSER_SAFE_SERVER_MODULES = new Set([
  "src/streaming/live/frames.ts",
  "src/experiments/model.ts",
  // relativeChange: the live trend arrow compares the same way as the server.
  "src/streaming/trend.ts",
  "src/stats/model.ts",
  "src/metrics/model.ts",
  "src/streaming/model.ts",
  "src/streaming/notify/model.ts",
  // BOOKMARK_HEADER: the dashboard carries the D1 bookmark (web/src/api/bookmark.ts).
  "src/db/session.ts",
]);

/**
 * Prints the total gzipped size of the emitted JS and fails the build over budget, or when a
 * server module other than the browser-safe ones was bundled, so either is caught when it lands.
 */
function jsBudget(): Plugin {
  return {
    name: "dashboard-js-budget",
    apply: "build",
    generateBundle(_options, bundle) {
      let bytes = 0;
      const serverModules: string[] = [];
      for (const file of Object.values(bundle)) {
        if (file.type !== "chunk") continue;
        bytes += gzipSync(file.code, { level: 9 }).length;
        for (const id of file.moduleIds) {
          const rel = relative(repoRoot, id).replaceAll("\\", "/");
          if (rel.startsWith("src/") && !BROWSER_SAFE_SERVER_MODULES.has(rel)) serverModules.push(rel);
        }
      }
      // Server modules must reach the dashboard as `import type` only; a value import would pull
      // in zod, drizzle or worse, and ship code the browser has no business running.
      if (serverModules.length) this.error(`server code bundled into the dashboard: ${serverModules.join(", ")}`);
      const kb = bytes / 1024;
      console.log(`dashboard JS: ${kb.toFixed(1)} KB gzipped (budget ${JS_BUDGET_KB} KB)`);
      if (kb > JS_BUDGET_KB)
        this.error(`dashboard JS is ${kb.toFixed(1)} KB gzipped, over the ${JS_BUDGET_KB} KB budget`);
    },
  };
}

export default defineConfig({
  root: "web",
  plugins: [preact(), jsBudget()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    target: "es2022",
    // The polyfill is an inline-free module, but every supported browser has modulepreload.
    modulePreload: { polyfill: false },
  },
  server: { proxy: { "/api": { target: "http://localhost:8787", ws: true } } },
});
