// `npm start`: the whole service locally, with no account and no network.
// 1. .dev.vars from the example when missing, 2. build the dashboard, 3. migrate local D1,
// 4. wrangler dev on PORT (default 8787), 5. fire the Cron Trigger every minute (scripts/local-cron.ts).
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";
import { startLocalCron } from "./local-cron.ts";

const port = process.env.PORT ?? "8787";
// wrangler phones home for metrics and update checks; locally that is noise without network.
const env = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_NO_UPDATE_CHECK: "true",
  CI: process.env.CI ?? "true",
};

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("created .dev.vars from .dev.vars.example (local secret, dev sign-in on)");
}

function run(cmd: string, args: string[]): void {
  const result = spawnSync(cmd, args, { stdio: "inherit", env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!process.argv.includes("--no-build")) run("npm", ["run", "build"]);
run("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local"]);

const dev = spawn(
  "npx",
  ["wrangler", "dev", "--port", port, "--ip", "127.0.0.1", "--test-scheduled", "--show-interactive-dev-session=false"],
  {
    stdio: "inherit",
    env,
  },
);
// Scheduled experiment starts and ends (docs/flags.md "Scheduling") need the cron locally too.
const cron = startLocalCron(`http://127.0.0.1:${port}`, "* * * * *", (line) => console.error(line));
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code) => {
  cron.stop();
  process.exit(code ?? 0);
});
