// `npm run bench:profile -- <scenario> [seconds]`: where the Worker's CPU goes under one bench load.
// Starts the bench server (harness.startServer) with wrangler's inspector on, samples the Worker's
// V8 CPU profile over the Chrome DevTools Protocol while the load runs, and prints self time by
// function and the share of the isolate's thread that was idle. Not part of `npm run bench`: it is
// the tool behind the "where the time goes" notes in bench/RESULTS.md and docs/operations.md.
//
// Scenarios: health, me, assign-new (3 running experiments, new users: exposures through the
// queue), assign-noop (the assignment bench's no-op POST: same auth, limiter, body and schema),
// assign-returning, events (500-event batches), events-noop (the same batches to the
// ingestion bench's no-op object method, its baseline), events-no-ids (the same without event_id: ids
// made by SQLite), predictions (500-prediction batches).
//
// `heap` runs no load: it serves one `GET /health` (the isolate is then started and its modules
// evaluated) and prints a V8 heap snapshot of the isolate by object type, with its largest strings:
// what every new isolate holds before its first request. It runs the bundle minified, as shipped.
import { attributesOf, seedTargeting } from "./assignment-targeting.bench.ts";
import { createContext, startServer } from "./harness.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const scenario = process.argv[2] ?? "assign-new";
const seconds = Number(process.argv[3] ?? 6);
const inspectorPort = 9300 + Math.floor(Math.random() * 500);

// Unminified (wrangler.toml minifies) for CPU profiles: each printed `worker.js:line` then points at
// readable code. A heap snapshot measures the bundle as shipped.
const server = await startServer("bench/worker.ts", {}, [
  "--inspector-port",
  String(inspectorPort),
  ...(scenario === "heap" ? [] : ["--minify=false"]),
]);
const ctx = createContext(server);

/** One CDP session on the Worker's inspector (wrangler proxies workerd's). */
async function connect(
  onEvent: (method: string, params: Record<string, unknown>) => void = () => {},
): Promise<(method: string, params?: object) => Promise<Record<string, unknown>>> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as {
    webSocketDebuggerUrl: string;
    title: string;
  }[];
  const target = targets.find((t) => !/proxy/i.test(t.title)) ?? targets[0];
  if (!target) throw new Error("no inspector target");
  // The inspector proxy only takes local origins; Node's WebSocket (undici) sends none unless told.
  const init = { headers: { Origin: `http://127.0.0.1:${inspectorPort}` } } as unknown as string[];
  const ws = new WebSocket(target.webSocketDebuggerUrl, init);
  await new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve);
    ws.addEventListener("error", reject);
  });
  let nextId = 1;
  const waiting = new Map<number, (v: Record<string, unknown>) => void>();
  ws.addEventListener("message", (e) => {
    const msg = JSON.parse(String(e.data)) as {
      id?: number;
      method?: string;
      params?: Record<string, unknown>;
      result?: Record<string, unknown>;
      error?: unknown;
    };
    if (msg.method !== undefined) onEvent(msg.method, msg.params ?? {});
    if (msg.id !== undefined) {
      if (msg.error) console.error("CDP error", msg.error);
      waiting.get(msg.id)?.(msg.result ?? {});
    }
  });
  return (method, params = {}) =>
    new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
}

const P = "/api/v1/ab-testing";
async function setup(): Promise<
  (i: number) => { path: string; method?: string; headers?: Record<string, string>; body?: unknown }
> {
  const token = await ctx.token("bench-profile");
  const auth = { Authorization: `Bearer ${token}` };
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${ctx.baseUrl}${path}`, {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: string };
  };
  if (scenario === "fanout-inner") return () => ({ path: "/api/v1/health" });
  if (scenario === "assign-targeting") {
    await seedTargeting(ctx, token);
  } else if (scenario.startsWith("assign")) {
    for (let k = 0; k < 3; k++) {
      const { id } = await post(`${P}/experiments`, {
        key: `p-${k}`,
        experiment_name: `p-${k}`,
        variants: [
          { key: "control", variant_type: "control", traffic_percentage: 50 },
          { key: "b", variant_type: "treatment", traffic_percentage: 50 },
        ],
      });
      await post(`${P}/experiments/${id}/start`, {});
    }
  }
  let seq = 0;
  switch (scenario) {
    case "health":
      return () => ({ path: "/api/v1/health" });
    case "me":
      return () => ({ path: "/api/v1/me", headers: auth });
    case "assign-new":
      return () => ({ path: `${P}/assign`, method: "POST", headers: auth, body: { user_id: `n-${seq++}` } });
    case "assign-noop":
      return () => ({
        path: "/api/v1/streaming-analytics/bench/noop-assign",
        method: "POST",
        headers: auth,
        body: { user_id: `n-${seq++}` },
      });
    case "assign-targeting":
      return () => {
        const i = seq++ % 20_000;
        return {
          path: `${P}/assign`,
          method: "POST",
          headers: auth,
          body: { user_id: `u-${i}`, attributes: attributesOf(i) },
        };
      };
    case "assign-returning":
      return () => ({ path: `${P}/assign`, method: "POST", headers: auth, body: { user_id: `r-${seq++ % 200}` } });
    case "events":
    case "events-noop":
      return () => {
        const batch = seq++;
        return {
          path: `/api/v1/streaming-analytics/${scenario === "events" ? "events" : "bench/noop-events"}`,
          method: "POST",
          headers: auth,
          body: {
            events: Array.from({ length: 500 }, (_, j) => ({
              event_id: `e-${batch}-${j}`,
              event_type: "view",
              payload: { value: j },
            })),
          },
        };
      };
    case "events-no-ids":
      return () => ({
        path: "/api/v1/streaming-analytics/events",
        method: "POST",
        headers: auth,
        body: { events: Array.from({ length: 500 }, (_, j) => ({ event_type: "view", payload: { value: j } })) },
      });
    case "predictions":
      return () => ({
        path: "/api/v1/streaming-analytics/predictions",
        method: "POST",
        headers: auth,
        body: {
          predictions: Array.from({ length: 500 }, (_, j) => ({
            model_name: `m${j % 3}`,
            model_version: `v${j % 2}`,
            prediction: { label: j % 2 },
            confidence: (j % 100) / 100,
            latency_ms: 5 + (j % 50),
          })),
        },
      });
    default:
      throw new Error(`unknown scenario ${scenario}`);
  }
}

/** The in-workerd fan-out harness (bench/worker.ts): 1,000 sockets, 40 posts. */
async function innerFanout() {
  const token = await ctx.token("bench-profile-fanout", "read ingest");
  const t0 = performance.now();
  const res = await fetch(`${ctx.baseUrl}/api/v1/streaming-analytics/bench/fanout-inner?sockets=1000&posts=40`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}` },
  });
  const body = (await res.json()) as { to_last_ms: number[] };
  console.log(`to last socket (ms): ${body.to_last_ms.join(" ")}`);
  const seconds = (performance.now() - t0) / 1000;
  return { rps: 40 / seconds, seconds, errors: res.ok ? 0 : 1 };
}

/** A heap snapshot of the isolate right after its first request, summed by V8's node types. */
async function heapAtStart(): Promise<void> {
  const health = await fetch(`${ctx.baseUrl}/api/v1/health`);
  if (!health.ok) throw new Error(`GET /health: ${health.status}`);
  const chunks: string[] = [];
  const cdp = await connect((method, params) => {
    if (method === "HeapProfiler.addHeapSnapshotChunk") chunks.push(String(params.chunk));
  });
  await cdp("HeapProfiler.enable");
  // The snapshot collects garbage first, so it holds what is live.
  await cdp("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
  const snapshot = JSON.parse(chunks.join("")) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const { node_fields: fields, node_types: types } = snapshot.snapshot.meta;
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ["type", "name", "self_size"].map((f) => fields.indexOf(f)) as [
    number,
    number,
    number,
  ];
  const byType = new Map<string, number>();
  const strings: [number, string][] = [];
  let bytes = 0;
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[0][snapshot.nodes[i + typeAt] as number] ?? "?";
    const size = snapshot.nodes[i + sizeAt] as number;
    bytes += size;
    byType.set(type, (byType.get(type) ?? 0) + size);
    if (type === "string" && size > 20_000)
      strings.push([size, snapshot.strings[snapshot.nodes[i + nameAt] as number] ?? ""]);
  }
  const mb = (n: number) => (n / 1e6).toFixed(2);
  console.log(`heap after the first request: ${mb(bytes)} MB in ${snapshot.nodes.length / width} objects`);
  for (const [type, size] of [...byType].sort((a, b) => b[1] - a[1]).slice(0, 8)) {
    console.log(`${mb(size).padStart(7)} MB  ${type}`);
  }
  console.log("largest strings (the bundle's source is one of them):");
  for (const [size, text] of strings.sort((a, b) => b[0] - a[0]).slice(0, 5)) {
    console.log(`${mb(size).padStart(7)} MB  ${JSON.stringify(text.slice(0, 60))}`);
  }
}

try {
  if (scenario === "heap") {
    await heapAtStart();
    await server.stop();
    process.exit(0);
  }
  const request = await setup();
  await ctx.load({ concurrency: 32, requests: 1500, request }); // warm-up
  const cdp = await connect();
  await cdp("Profiler.enable");
  await cdp("Profiler.setSamplingInterval", { interval: 200 });
  await cdp("Profiler.start");
  const result =
    scenario === "fanout-inner"
      ? await innerFanout()
      : await ctx.load({ concurrency: 32, durationMs: seconds * 1000, request });
  const { profile } = (await cdp("Profiler.stop")) as unknown as { profile: Profile };

  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const f = byId.get(id)?.callFrame;
    const key = f ? `${f.functionName || "(anonymous)"} ${f.url.split("/").pop() ?? ""}:${f.lineNumber + 1}` : "?";
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  const share = (us: number) => `${((100 * us) / total).toFixed(1)}%`;
  console.log(`${scenario}: ${result.rps} req/s over ${result.seconds} s, ${result.errors} errors`);
  if ("statuses" in result) console.log(`statuses: ${JSON.stringify(result.statuses)}`);
  // A profile of refused requests measures the error path: say so rather than print it quietly.
  if (result.errors > 0.01 * result.rps * result.seconds) {
    console.error("more than 1% of the requests failed: this profile is mostly of the error path");
    process.exitCode = 1;
  }
  console.log(`profile: ${(total / 1e6).toFixed(2)} s sampled`);
  for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40))
    console.log(`${share(us).padStart(6)}  ${k}`);
} finally {
  await server.stop();
}
process.exit(process.exitCode ?? 0);
