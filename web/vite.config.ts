import { gzipSync } from "node:zlib";
import preact from "@preact/preset-vite";
import { defineConfig, type Plugin } from "vite";

/** The dashboard's budget: Preact, uPlot, partysocket and our code must stay under this, gzipped. */
const JS_BUDGET_KB = 80;

/**
 * Prints the total gzipped size of the emitted JS and fails the build over budget, so a heavy
 * dependency (or a server module pulled in by a value import) is caught when it lands.
 */
function jsBudget(): Plugin {
  return {
    name: "dashboard-js-budget",
    apply: "build",
    generateBundle(_options, bundle) {
      let bytes = 0;
      for (const file of Object.values(bundle)) {
        if (file.type === "chunk") bytes += gzipSync(file.code, { level: 9 }).length;
      }
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
