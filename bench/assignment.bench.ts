// Assignment: (1) bucketing and evaluation in-process, against a trivial loop in the same run;
// (2) POST /assign end to end through `wrangler dev`, against GET /api/v1/health in the same run.
// Bench modules run under Node's type stripping, which resolves only explicit `.ts` specifiers:
// bucketing.ts has no imports, but evaluate.ts imports "./bucketing" and "../targeting/condition"
// (as the bundler and the test runner expect), so a resolve hook adds the extension to relative
// imports made from src/.
import { registerHooks } from "node:module";
import { DatabaseSync } from "node:sqlite";
import { type BenchContext, type BenchSection, d1File, type LoadResult, round } from "./harness.ts";

registerHooks({
  resolve(specifier, context, nextResolve) {
    const fromSrc = context.parentURL?.includes("/src/") ?? false;
    if (fromSrc && specifier.startsWith(".") && !/\.[cm]?[jt]s$/.test(specifier)) {
      return nextResolve(`${specifier}.ts`, context);
    }
    return nextResolve(specifier, context);
  },
});

const { bucketOf } = await import("../src/evaluation/bucketing.ts");
const { evaluateExperiment } = await import("../src/evaluation/evaluate.ts");
type ClientExperiment = import("../src/experiments/model.ts").ClientExperiment;

const IN_PROCESS_USERS = 1_000_000;

/** Best of a few runs (the least disturbed by a noisy neighbour), in operations per second. */
function rate(run: (n: number) => number, n = IN_PROCESS_USERS, repeats = 5): { perSecond: number; sink: number } {
  let best = Number.POSITIVE_INFINITY;
  let sink = 0;
  run(n / 10); // warm-up: let the JIT compile the loop before it is timed
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    sink += run(n);
    best = Math.min(best, performance.now() - t0);
  }
  return { perSecond: (n / best) * 1000, sink };
}

const experiment: ClientExperiment = {
  id: "exp_bench",
  key: "bench",
  status: "running",
  seed: "bench",
  coverage: 80,
  winner_variant_id: null,
  variants: [
    {
      id: "v0",
      key: "control",
      variant_name: "Control",
      variant_type: "control",
      model_version: null,
      config: {},
      traffic_percentage: 50,
    },
    {
      id: "v1",
      key: "b",
      variant_name: "B",
      variant_type: "treatment",
      model_version: null,
      config: {},
      traffic_percentage: 30,
    },
    {
      id: "v2",
      key: "c",
      variant_name: "C",
      variant_type: "treatment",
      model_version: null,
      config: {},
      traffic_percentage: 20,
    },
  ],
};

function inProcess() {
  // Baseline: the per-user work every loop below shares (building the id) plus a trivial read.
  const baseline = rate((n) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += `user-${i}`.length;
    return s;
  });
  const bucketing = rate((n) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += bucketOf("bench", `user-${i}`);
    return s;
  });
  const evaluation = rate((n) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const r = evaluateExperiment(experiment, `user-${i}`);
      if (r.kind === "assigned" && r.assignment.in_experiment) s++;
    }
    return s;
  });
  return { baseline, bucketing, evaluation };
}

async function createRunning(ctx: BenchContext, token: string, key: string, coverage: number): Promise<string> {
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
  const res = await fetch(`${ctx.baseUrl}/api/v1/ab-testing/experiments`, {
    method: "POST",
    headers,
    body: JSON.stringify({
      key,
      experiment_name: key,
      coverage,
      variants: [
        { key: "control", variant_type: "control", traffic_percentage: 50 },
        { key: "b", variant_type: "treatment", traffic_percentage: 50, config: { color: "green" } },
      ],
    }),
  });
  if (res.status !== 201) throw new Error(`create ${key}: ${res.status} ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  const start = await fetch(`${ctx.baseUrl}/api/v1/ab-testing/experiments/${id}/start`, { method: "POST", headers });
  if (!start.ok) throw new Error(`start ${key}: ${start.status} ${await start.text()}`);
  return id;
}

/** Polls the exposures table until it holds `rows` rows (or the deadline passes); returns the count. */
async function waitForExposures(persistDir: string, rows: number, timeoutMs: number): Promise<number> {
  const db = new DatabaseSync(d1File(persistDir), { readOnly: true });
  try {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const { n } = db.prepare("SELECT COUNT(*) AS n FROM exposures").get() as { n: number };
      if (n >= rows || performance.now() > deadline) return n;
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    db.close();
  }
}

export default async function assignmentBench(ctx: BenchContext): Promise<BenchSection> {
  const { baseline, bucketing, evaluation } = inProcess();
  ctx.log(
    `in-process: baseline ${round(baseline.perSecond / 1e6)} M/s, bucketing ${round(bucketing.perSecond / 1e6)} M/s`,
  );

  const org = "bench-assign";
  const token = await ctx.token(org);
  const ids: string[] = [];
  for (const [key, coverage] of [
    ["hero", 100],
    ["pricing", 50],
    ["onboarding", 20],
  ] as const) {
    ids.push(await createRunning(ctx, token, key, coverage));
  }
  const auth = { Authorization: `Bearer ${token}` };
  const USERS = 20_000;
  // One sequence across every phase, so the user population really cycles through USERS ids.
  let seq = 0;
  const assign = () => ({
    path: "/api/v1/ab-testing/assign",
    method: "POST",
    headers: auth,
    body: { user_id: `u-${seq++ % USERS}` },
  });
  const assignUser = (userId: string) => ({
    path: "/api/v1/ab-testing/assign",
    method: "POST",
    headers: auth,
    body: { user_id: userId },
  });
  const assignOne = () => ({
    path: `/api/v1/ab-testing/experiments/${ids[0]}/assign`,
    method: "POST",
    headers: auth,
    body: { user_id: `u-${seq++ % USERS}` },
  });
  const health = () => ({ path: "/api/v1/health" });
  // The same authenticated, validated POST to a handler that assigns nothing (bench/worker.ts).
  // The same body to a handler that neither authenticates nor reads it: the floor for a JSON POST.
  const bare = () => ({
    path: "/api/v1/streaming-analytics/bench/bare-post",
    method: "POST",
    body: { user_id: `u-${seq++ % USERS}` },
  });
  const noop = () => ({
    path: "/api/v1/streaming-analytics/bench/noop-assign",
    method: "POST",
    headers: auth,
    body: { user_id: `u-${seq++ % USERS}` },
  });
  // The same POST /assign for new users, its exposures handed to a queue that discards them
  // (bench/worker.ts): the request isolate's share of the exposure path, without the local queue
  // and its consumer's D1 writes, which share workerd's one thread with the requests here.
  const discarding = () => ({
    path: "/api/v1/bench-discarding-queue/assign",
    method: "POST",
    headers: auth,
    body: { user_id: `u-${seq++ % USERS}` },
  });
  // Same JWT verification as the assign routes, no body, no assignment: isolates auth's share.
  const me = () => ({ path: "/api/v1/me", headers: auth });
  const concurrency = 32;

  // Warm-up (module load, JIT, the org's snapshot), then alternate short rounds so drift on this
  // shared machine hits both sides alike; the ratio is the median of the per-round ratios.
  await ctx.load({ concurrency, requests: 2_000, request: assign });
  await ctx.load({ concurrency, requests: 2_000, request: health });
  const stats = async () => {
    const res = await fetch(`${ctx.baseUrl}/api/v1/streaming-analytics/bench/exposure-stats`, {
      method: "POST",
      headers: auth,
    });
    if (!res.ok) throw new Error(`exposure-stats ${res.status}`);
    return (await res.json()) as { sends: number; sent: number; enqueued: number; dropped: number };
  };
  const ROUNDS = 8;
  const roundMs = 3_000;
  const hs: LoadResult[] = [];
  const as: LoadResult[] = [];
  const ms: LoadResult[] = [];
  const ns: LoadResult[] = [];
  const bs: LoadResult[] = [];
  const ds: LoadResult[] = [];
  let queueSeconds = 0;
  const before = await stats();
  for (let r = 0; r < ROUNDS; r++) {
    hs.push(await ctx.load({ concurrency, durationMs: roundMs, request: health }));
    const a = await ctx.load({ concurrency, durationMs: roundMs, request: assign });
    as.push(a);
    queueSeconds += a.seconds;
    ms.push(await ctx.load({ concurrency, durationMs: roundMs, request: me }));
    ns.push(await ctx.load({ concurrency, durationMs: roundMs, request: noop }));
    bs.push(await ctx.load({ concurrency, durationMs: roundMs, request: bare }));
    ds.push(await ctx.load({ concurrency, durationMs: roundMs, request: discarding }));
  }
  const after = await stats();
  const messages = after.sends - before.sends;
  const rows = after.sent - before.sent;
  // Every row handed to the queue reaches D1 through the consumer: wait for the table to hold them
  // (a readiness poll on the real file, bounded), and time the drain after the last send.
  const drainStarted = performance.now();
  const storedRows = await waitForExposures(ctx.persistDir, after.sent, 60_000);
  const drainSeconds = (performance.now() - drainStarted) / 1000;
  // Returning users: their exposures are already stored, so no write follows the answer. Most page
  // views in production are these; the rounds above are all first-time users (a write each).
  const RETURNING = 500;
  await ctx.load({ concurrency, requests: RETURNING * 2, request: () => assignUser(`r-${seq++ % RETURNING}`) });
  const rh: LoadResult[] = [];
  const ra: LoadResult[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    rh.push(await ctx.load({ concurrency, durationMs: roundMs, request: health }));
    ra.push(await ctx.load({ concurrency, durationMs: roundMs, request: () => assignUser(`r-${seq++ % RETURNING}`) }));
  }
  const one = await ctx.load({ concurrency, durationMs: 6_000, request: assignOne });
  for (const r of [...hs, ...as, ...ms, ...ns, ...bs, ...ds, ...rh, ...ra, one])
    if (r.errors > 0) throw new Error(`errors under load: ${JSON.stringify(r.statuses)}`);
  const mean = (xs: LoadResult[], f: (r: LoadResult) => number) => xs.reduce((t, r) => t + f(r), 0) / xs.length;
  const median = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = sorted.length / 2;
    return Number.isInteger(mid)
      ? ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
      : (sorted[Math.floor(mid)] as number);
  };
  const pairedRatio = (num: LoadResult[], den: LoadResult[]) =>
    median(num.map((n, i) => n.rps / (den[i] as LoadResult).rps));
  const healthRps = mean(hs, (r) => r.rps);
  const assignRps = mean(as, (r) => r.rps);
  const p = (xs: LoadResult[], f: (r: LoadResult) => number) => round(mean(xs, f));
  const newUsersRatio = pairedRatio(as, hs);
  const returningRatio = pairedRatio(ra, rh);

  return {
    title: "Assignment",
    figures: [
      { name: "bucketOf in-process (Node)", value: round(bucketing.perSecond / 1e6, 2), unit: "M users/s" },
      { name: "evaluateExperiment in-process (Node)", value: round(evaluation.perSecond / 1e6, 2), unit: "M users/s" },
      { name: "baseline loop in-process (id string only)", value: round(baseline.perSecond / 1e6, 2), unit: "M/s" },
      { name: "GET /api/v1/health", value: round(healthRps, 0), unit: `req/s (c=${concurrency})` },
      { name: "GET /api/v1/health p50 / p99", value: p(hs, (r) => r.p50Ms), unit: `ms / ${p(hs, (r) => r.p99Ms)} ms` },
      {
        name: "POST /assign, new users (3 running experiments)",
        value: round(assignRps, 0),
        unit: `req/s (c=${concurrency})`,
      },
      {
        name: "POST /assign p50 / p99 (new users)",
        value: p(as, (r) => r.p50Ms),
        unit: `ms / ${p(as, (r) => r.p99Ms)} ms`,
      },
      {
        name: "POST /assign (returning users)",
        value: round(
          mean(ra, (r) => r.rps),
          0,
        ),
        unit: `req/s (c=${concurrency})`,
      },
      {
        name: "POST /assign p50 / p99 (returning users)",
        value: p(ra, (r) => r.p50Ms),
        unit: `ms / ${p(ra, (r) => r.p99Ms)} ms`,
      },
      {
        name: "POST /experiments/:id/assign",
        value: round(one.rps, 0),
        unit: `req/s, p50 ${one.p50Ms} ms, p99 ${one.p99Ms} ms`,
      },
      {
        name: "queue messages sent during the new-user rounds",
        value: round(messages / queueSeconds, 1),
        unit: `messages/s (${messages} messages, ${rows} rows, ${after.dropped} rows dropped)`,
      },
      {
        name: "exposure rows in D1 after the rounds (consumer drained)",
        value: storedRows,
        unit: `rows (every row sent: ${after.sent}; drained ${round(drainSeconds, 1)} s after the last round)`,
      },
      {
        name: "GET /api/v1/me (the same JWT check, nothing else)",
        value: round(
          mean(ms, (r) => r.rps),
          0,
        ),
        unit: `req/s, p50 ${p(ms, (r) => r.p50Ms)} ms, p99 ${p(ms, (r) => r.p99Ms)} ms`,
      },
    ],
    ratios: [
      { name: "bucketOf / baseline loop (in-process)", value: round(bucketing.perSecond / baseline.perSecond, 3) },
      {
        name: "evaluateExperiment / baseline loop (in-process)",
        value: round(evaluation.perSecond / baseline.perSecond, 3),
      },
      {
        name: "POST /assign rps / GET /health rps, new users (each answer sends an exposure through the queue)",
        value: round(newUsersRatio, 3),
        goal: ">= 0.9",
      },
      {
        name: "POST /assign rps / GET /health rps, returning users (exposure already stored)",
        value: round(returningRatio, 3),
        goal: ">= 0.9",
      },
      { name: "GET /me rps / GET /health rps (the JWT check's share)", value: round(pairedRatio(ms, hs), 3) },
      {
        name: "exposure rows per queue message (new users)",
        value: round(rows / Math.max(1, messages), 1),
      },
      { name: "POST /assign rps / GET /me rps, new users (same auth)", value: round(pairedRatio(as, ms), 3) },
      {
        name: "bare POST (the same body, no auth, body not read) rps / GET /health rps: the floor for a JSON POST here",
        value: round(pairedRatio(bs, hs), 3),
      },
      {
        name: "no-op POST (same auth, limiter, body and schema; no assignment) rps / GET /health rps",
        value: round(pairedRatio(ns, hs), 3),
      },
      {
        name: "POST /assign rps / the no-op POST rps, new users (the assignment work alone)",
        value: round(pairedRatio(as, ns), 3),
      },
      {
        name: "POST /assign rps / GET /health rps, new users, exposures to a queue that discards them (the request isolate's own share)",
        value: round(pairedRatio(ds, hs), 3),
      },
      {
        name: "POST /assign rps, new users: through the local queue / to the discarding queue (the local queue, its consumer and D1 on workerd's one thread)",
        value: round(pairedRatio(as, ds), 3),
      },
    ],
    notes: [
      `New users: ${USERS} distinct ids cycled, every in-experiment answer records a real exposure (coalesced in the isolate, sent to the local Cloudflare Queue after the response, written to D1 by its consumer); returning users: ${RETURNING} ids whose exposures are stored.`,
      `Ratios are the median of ${ROUNDS} alternating rounds of ${roundMs / 1000} s (health, assign, /me, the no-op POST, the bare POST, assign with the discarding queue), so machine drift hits both sides.`,
      `In-process figures: best of 5 runs of ${IN_PROCESS_USERS.toLocaleString("en")} users; sink ${bucketing.sink + evaluation.sink + baseline.sink > 0 ? "kept" : "empty"}.`,
    ],
  };
}
