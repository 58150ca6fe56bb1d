// Shared benchmark context: a fresh local server, tokens, and a closed-loop HTTP load generator.
// Machines here are shared and noisy, so every section reports ratios against a baseline measured
// in the same run, never bare timings alone.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signToken } from "../src/http/tokens.ts";

interface RequestSpec {
  path: string;
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

interface LoadOptions {
  /** Requests in flight at once (closed loop: each worker sends the next when its answer arrives). */
  concurrency: number;
  /** Stop after this many requests in total... */
  requests?: number;
  /** ...or after this long, whichever comes first (one of the two is required). */
  durationMs?: number;
  request: (i: number) => RequestSpec;
  /** Status codes that count as success (default: 2xx). */
  ok?: (status: number) => boolean;
  /** Sees each answer's status and headers (the body is already read), e.g. to keep a 429's Retry-After. */
  onResponse?: (res: Response) => void;
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  meanMs: number;
  statuses: Record<string, number>;
}

interface BenchFigure {
  name: string;
  value: number;
  unit: string;
}

interface BenchRatio {
  name: string;
  /** measured / baseline, both from this run. */
  value: number;
  goal?: string;
}

export interface BenchSection {
  title: string;
  figures: BenchFigure[];
  ratios: BenchRatio[];
  notes?: string[];
}

export interface BenchContext {
  baseUrl: string;
  /** wrangler's local state for this run (the D1 SQLite file lives below it). */
  persistDir: string;
  token(org: string, scope?: string): Promise<string>;
  load(options: LoadOptions): Promise<LoadResult>;
  log(message: string): void;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/**
 * A live socket as the dashboard opens one: a single-use ticket, the upgrade, then the first frame,
 * which must be the snapshot (from then on the socket is in the object's broadcast set).
 */
export async function openLiveSocket(baseUrl: string, token: string): Promise<WebSocket> {
  const res = await fetch(`${baseUrl}/api/v1/streaming-analytics/ws-ticket`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}` },
  });
  if (res.status !== 200) throw new Error(`ws-ticket ${res.status}: ${await res.text()}`);
  const { ticket } = (await res.json()) as { ticket: string };
  const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/api/v1/streaming-analytics/ws?ticket=${ticket}`);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener(
      "message",
      (e) => {
        if (String(e.data).startsWith('{"type":"snapshot"')) resolve();
        else reject(new Error(`first frame was not a snapshot: ${String(e.data).slice(0, 200)}`));
      },
      { once: true },
    );
    ws.addEventListener("error", () => reject(new Error("socket error while connecting")));
  });
  return ws;
}

/** The D1 database file `wrangler dev` writes under its persist dir (the bench reads it with node:sqlite). */
export function d1File(persistDir: string): string {
  const dir = join(persistDir, "v3", "d1", "miniflare-D1DatabaseObject");
  const file = readdirSync(dir).find((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (!file) throw new Error(`no D1 file under ${dir}`);
  return join(dir, file);
}

export const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

/** The median (the upper middle value of an even count, as medianIndex picks); NaN when empty. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** The index of the median of alternating rounds' ratios (the upper one of an even count), so its round's figures can go beside it. */
export function medianIndex(values: readonly number[]): number {
  const order = values.map((_, i) => i).sort((a, b) => (values[a] as number) - (values[b] as number));
  return order[Math.floor(order.length / 2)] as number;
}

async function load(baseUrl: string, options: LoadOptions): Promise<LoadResult> {
  if (options.requests === undefined && options.durationMs === undefined) throw new Error("requests or durationMs");
  const ok = options.ok ?? ((s: number) => s >= 200 && s < 300);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = options.durationMs === undefined ? Number.POSITIVE_INFINITY : started + options.durationMs;
  const limit = options.requests ?? Number.POSITIVE_INFINITY;
  const worker = async () => {
    while (next < limit && performance.now() < deadline) {
      const spec = options.request(next++);
      const headers: Record<string, string> = { ...spec.headers };
      let body: string | undefined;
      if (spec.body !== undefined) {
        body = JSON.stringify(spec.body);
        headers["Content-Type"] ??= "application/json";
      }
      const t0 = performance.now();
      try {
        const res = await fetch(baseUrl + spec.path, { method: spec.method ?? (body ? "POST" : "GET"), headers, body });
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (!ok(res.status)) errors++;
        options.onResponse?.(res);
      } catch {
        statuses.network = (statuses.network ?? 0) + 1;
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    seconds: round(seconds, 3),
    rps: round(latencies.length / seconds, 1),
    p50Ms: round(percentile(latencies, 50)),
    p90Ms: round(percentile(latencies, 90)),
    p99Ms: round(percentile(latencies, 99)),
    meanMs: round(latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length)),
    statuses,
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** The secret `wrangler dev` will load: .dev.vars, created from the example as `npm start` does. */
function localSecret(): string {
  if (!existsSync(".dev.vars")) copyFileSync(".dev.vars.example", ".dev.vars");
  const match = /^JWT_SECRET\s*=\s*"?([^"\n]*)"?/m.exec(readFileSync(".dev.vars", "utf8"));
  if (!match?.[1]) throw new Error("JWT_SECRET missing from .dev.vars");
  return match[1];
}

export interface Server {
  baseUrl: string;
  persistDir: string;
  stop(): Promise<void>;
}

const quietEnv = () => ({ ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" });

/**
 * A fresh `wrangler dev` (local D1 migrated into its own state dir), as `npm start` runs it, with
 * wrangler.toml's bindings and `entry` as the Worker (bench/worker.ts: the app plus bench-only routes).
 */
export async function startServer(
  entry = "bench/worker.ts",
  vars: Record<string, string> = {},
  extraArgs: readonly string[] = [],
): Promise<Server> {
  localSecret(); // creates .dev.vars before wrangler reads it
  // A clean checkout has no built dashboard, and wrangler refuses a missing assets directory.
  if (!existsSync("web/dist/index.html")) {
    const built = spawnSync("npm", ["run", "build"], { env: quietEnv(), encoding: "utf8" });
    if (built.status !== 0) throw new Error(`dashboard build failed: ${built.stderr}`);
  }
  const persistDir = mkdtempSync(join(tmpdir(), "edge-bench-"));
  const migrate = spawnSync(
    "npx",
    ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", persistDir],
    {
      env: quietEnv(),
      encoding: "utf8",
    },
  );
  if (migrate.status !== 0) throw new Error(`migrations failed: ${migrate.stderr}`);
  const port = await freePort();
  const args = ["wrangler", "dev", entry, "--port", String(port), "--ip", "127.0.0.1", "--persist-to", persistDir];
  for (const [k, v] of Object.entries(vars)) args.push("--var", `${k}:${v}`);
  args.push(...extraArgs);
  const child: ChildProcess = spawn("npx", args, {
    env: quietEnv(),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  // BENCH_WORKERD_LOG=<file> keeps the server's whole output (wrangler's and workerd's), e.g. V8's GC
  // trace when MINIFLARE_WORKERD_V8_FLAGS="--trace-gc --trace-gc-verbose" is set (bench/README.md).
  const keep = process.env.BENCH_WORKERD_LOG;
  const collect = (d: Buffer) => {
    output += d;
    if (keep) appendFileSync(keep, d);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(`${baseUrl}/api/v1/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      stopGroup(child);
      throw new Error(`wrangler dev did not become ready:\n${output.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    baseUrl,
    persistDir,
    stop: async () => {
      stopGroup(child);
      await new Promise((r) => setTimeout(r, 300));
      // Each run's local state (the experiments bench's is ~0.5 GB): nothing reads it afterwards.
      rmSync(persistDir, { recursive: true, force: true });
    },
  };
}

function stopGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    // already gone
  }
}

export function createContext(server: Server): BenchContext {
  const secret = new TextEncoder().encode(localSecret());
  return {
    baseUrl: server.baseUrl,
    persistDir: server.persistDir,
    token: (org, scope = "read write ingest assign") => signToken(secret, { sub: "bench@localhost", org, scope }),
    load: (options) => load(server.baseUrl, options),
    log: (message) => console.log(`  ${message}`),
  };
}
