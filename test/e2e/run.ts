// End-to-end: the real service (wrangler dev, local D1 and Durable Objects) driven through Debian's
// Chromium with playwright-core. Run with `npm run test:e2e` (`-- --no-build` reuses web/dist).
// Never downloads a browser. Steps run in the order of STEP_FILES (`-- --only=live` narrows them).
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";
import {
  axeSummary,
  browser,
  consoleErrors,
  DESKTOP,
  liveFrames,
  liveSockets,
  SHOTS,
  server,
  setRuntime,
  state,
} from "./context.ts";
import { runAll } from "./harness.ts";
import { startServer } from "./server.ts";

/**
 * Step files in run order. `--only a,b` runs auth (it signs the browser in) plus the named files,
 * for a developer iterating on one journey; CI always runs all of them.
 */
const STEP_FILES = [
  "auth",
  "experiments",
  "catalogue",
  "flags",
  "results",
  "live",
  "charts",
  "models",
  "operations",
  "layout",
  "scheduling",
];
const only = process.argv
  .find((a) => a.startsWith("--only="))
  ?.slice("--only=".length)
  .split(",");
for (const name of STEP_FILES) {
  if (only && name !== "auth" && !only.includes(name)) continue;
  await import(`./steps/${name}.ts`);
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

async function main(): Promise<number> {
  mkdirSync(SHOTS, { recursive: true });
  const noBuild = process.argv.includes("--no-build");
  console.log(`e2e: starting the service${noBuild ? "" : " (building the dashboard first)"}…`);
  const srv = await startServer({ build: !noBuild });
  setRuntime({ server: srv });
  console.log(`e2e: service at ${srv.url}`);
  const b = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  setRuntime({ browser: b });
  const context = await b.newContext({ viewport: DESKTOP, deviceScaleFactor: 1, reducedMotion: "reduce" });
  const page = await context.newPage();
  setRuntime({ context, page });
  await page.routeWebSocket(/\/api\/v1\/streaming-analytics\/ws/, (ws) => {
    const server = ws.connectToServer();
    // With a handler set, frames are no longer forwarded by themselves: each is kept, then sent on.
    server.onMessage((message) => {
      if (typeof message === "string") {
        liveFrames.push(message);
        if (liveFrames.length > 1_000) liveFrames.shift();
      }
      ws.send(message);
    });
    liveSockets.push(ws);
  });
  page.on("request", (r) => {
    if (r.url().endsWith("/streaming-analytics/ws-ticket")) state.ticketRequests++;
  });
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    if (state.allowHttpErrors && /status of 4\d\d/.test(m.text())) return;
    consoleErrors.push(`[${page.url()}] ${m.text()}`);
  });
  page.on("pageerror", (e) => consoleErrors.push(`[${page.url()}] uncaught: ${e.message}`));

  const { passed, failed } = await runAll();
  console.log(`\naxe-core (WCAG 2.1 A/AA + best practices):\n  ${axeSummary.join("\n  ")}`);
  if (failed > 0) console.log(`\n--- server log (tail) ---\n${srv.log().slice(-4000)}`);
  console.log(`\n${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

let code = 1;
const cleanup = async () => {
  await browser?.close().catch(() => {});
  await server?.stop().catch(() => {});
};
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    cleanup().finally(() => process.exit(130));
  });
}
try {
  code = await main();
} catch (err) {
  console.error(err);
  console.log("0 passed, 1 failed");
  code = 1;
} finally {
  await cleanup();
}
process.exit(code);
