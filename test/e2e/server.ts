// Starts the service the way `npm start` does (build the dashboard, migrate local D1, wrangler dev
// with dev sign-in and the local Cron Trigger), but on a free port and with its own throwaway state directory, so it never
// collides with a colleague's `npm start` or another test run.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalCron } from "../../scripts/local-cron.ts";

export interface Server {
  url: string;
  log: () => string;
  stop: () => Promise<void>;
}

const env = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_NO_UPDATE_CHECK: "true",
  CI: "true",
  NO_COLOR: "1",
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
}

export async function startServer({ build = true } = {}): Promise<Server> {
  if (!existsSync(".dev.vars")) copyFileSync(".dev.vars.example", ".dev.vars");
  const port = await freePort();
  const state = mkdtempSync(join(tmpdir(), "ee-e2e-"));
  if (build) run("npm", ["run", "build", "--silent"]);
  // Serve a private copy of the built dashboard: a colleague's `npm run build` (or `npm test`,
  // which builds first) empties web/dist mid-run, and wrangler then answers 404 for every asset.
  const assets = join(state, "assets");
  cpSync("web/dist", assets, { recursive: true });
  run("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", state]);

  let output = "";
  const child: ChildProcess = spawn(
    "npx",
    [
      "wrangler",
      "dev",
      "--port",
      String(port),
      "--ip",
      "127.0.0.1",
      "--persist-to",
      state,
      "--assets",
      assets,
      "--var",
      "DEV_SIGN_IN:true",
      "--test-scheduled",
      "--show-interactive-dev-session=false",
    ],
    // Own process group: stopping kills wrangler and workerd together, nothing else.
    { env, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  let exited = false;
  const exitedP = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true;
      resolve();
    }),
  );

  const stop = async () => {
    if (!exited && child.pid) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        /* already gone */
      }
      const killer = setTimeout(() => {
        try {
          if (child.pid) process.kill(-child.pid, "SIGKILL");
        } catch {
          /* already gone */
        }
      }, 5000);
      await exitedP;
      clearTimeout(killer);
    }
    rmSync(state, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (exited) {
      await stop();
      throw new Error(`wrangler dev exited early:\n${output}`);
    }
    try {
      const res = await fetch(`${url}/api/v1/health`);
      if (res.ok) {
        // As under `npm start`: the Cron Trigger fires every minute (scripts/local-cron.ts).
        const cron = startLocalCron(url, "* * * * *", (line) => {
          output += `${line}\n`;
        });
        return {
          url,
          log: () => output,
          stop: () => {
            cron.stop();
            return stop();
          },
        };
      }
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  await stop();
  throw new Error(`the server did not become healthy in 120 s:\n${output}`);
}
