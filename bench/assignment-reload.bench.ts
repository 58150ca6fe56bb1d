// The assignment snapshot's reload when an organization keeps many completed experiments.
// Since GET /config carries stopped experiments (stopped_experiments), every reload reads each
// paused or completed experiment's row and at most three of its variant rows (read-model.ts,
// servedVariants). Completed experiments accumulate, so this measures what that costs: the cold
// reload (bench/worker.ts's /bench/reload-config: the cache entry forgotten, then the real load)
// with no stopped experiment against the same org after STOPPED completed ones were added, each
// timed over HTTP beside GET /health in alternating calls, and GET /config's size and latency.
import { gzipSync } from "node:zlib";
import { type BenchContext, type BenchSection, percentile, round } from "./harness.ts";

const STOPPED = 2_000;
/** Variants per completed experiment: more than the three a reload reads of each. */
const VARIANTS = 5;
const CALLS = 31;
const SEED_CONCURRENCY = 12;

interface ReloadAnswer {
  running: number;
  stopped: number;
  variants: number;
}

async function call(ctx: BenchContext, token: string, path: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(`${ctx.baseUrl}/api/v1${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...init.headers },
  });
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${await res.text()}`);
  return res;
}

/** An experiment created and started; completed with `winner` (a variant index) when given. */
async function seed(ctx: BenchContext, token: string, key: string, variants: number, winner?: number): Promise<void> {
  const share = 100 / variants;
  const created = await call(ctx, token, "/ab-testing/experiments", {
    method: "POST",
    body: JSON.stringify({
      key,
      experiment_name: key,
      variants: Array.from({ length: variants }, (_, i) => ({
        key: i === 0 ? "control" : `t${i}`,
        variant_type: i === 0 ? "control" : "treatment",
        traffic_percentage: i === variants - 1 ? 100 - share * (variants - 1) : share,
      })),
    }),
  });
  const { id, variants: stored } = (await created.json()) as { id: string; variants: { id: string }[] };
  await call(ctx, token, `/ab-testing/experiments/${id}/start`, { method: "POST" });
  if (winner === undefined) return;
  await call(ctx, token, `/ab-testing/experiments/${id}/complete`, {
    method: "POST",
    body: JSON.stringify({ winner_variant_id: stored[winner]?.id }),
  });
}

/** CALLS alternating pairs (reload, health): sequential, so each times one request alone. */
async function timeReloads(ctx: BenchContext, token: string) {
  const reload: number[] = [];
  const health: number[] = [];
  let answer: ReloadAnswer | null = null;
  for (let i = 0; i < CALLS + 3; i++) {
    const t0 = performance.now();
    const res = await call(ctx, token, "/streaming-analytics/bench/reload-config", { method: "POST" });
    answer = (await res.json()) as ReloadAnswer;
    const t1 = performance.now();
    await (await call(ctx, token, "/health")).arrayBuffer();
    const t2 = performance.now();
    if (i < 3) continue; // warm-up: module load and JIT
    reload.push(t1 - t0);
    health.push(t2 - t1);
  }
  reload.sort((a, b) => a - b);
  health.sort((a, b) => a - b);
  return { reload, health, answer: answer as ReloadAnswer };
}

/** GET /config (served from the warm snapshot): its size and its sequential latency. */
async function timeConfig(ctx: BenchContext, token: string) {
  const times: number[] = [];
  let body = new ArrayBuffer(0);
  for (let i = 0; i < CALLS + 3; i++) {
    const t0 = performance.now();
    body = await (await call(ctx, token, "/ab-testing/config")).arrayBuffer();
    if (i >= 3) times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  // What a client downloads from Cloudflare, which compresses JSON for clients that accept it
  // (wrangler dev sends it uncompressed).
  return { p50: percentile(times, 50), bytes: body.byteLength, gzipped: gzipSync(new Uint8Array(body)).length };
}

export default async function assignmentReloadBench(ctx: BenchContext): Promise<BenchSection> {
  const token = await ctx.token("bench-reload");
  for (const key of ["hero", "pricing", "onboarding"]) await seed(ctx, token, key, 2);
  const before = await timeReloads(ctx, token);
  const configBefore = await timeConfig(ctx, token);

  const seedStarted = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: SEED_CONCURRENCY }, async () => {
      while (next < STOPPED) {
        const i = next++;
        // The winner is neither the control nor the first variant: the reload reads three rows.
        await seed(ctx, token, `done-${i}`, VARIANTS, VARIANTS - 1);
      }
    }),
  );
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  ctx.log(`seeded ${STOPPED} completed experiments in ${round(seedSeconds, 1)} s`);
  const after = await timeReloads(ctx, token);
  const configAfter = await timeConfig(ctx, token);
  if (after.answer.stopped !== STOPPED) throw new Error(`reload saw ${after.answer.stopped} stopped experiments`);

  const p50 = (xs: number[]) => round(percentile(xs, 50));
  const cost = (t: { reload: number[]; health: number[] }) => percentile(t.reload, 50) - percentile(t.health, 50);
  const perStoppedUs = ((cost(after) - cost(before)) / STOPPED) * 1000;
  return {
    title: `Assignment snapshot reload with ${STOPPED.toLocaleString("en")} completed experiments`,
    figures: [
      {
        name: "cold reload, 3 running experiments: HTTP p50 / GET /health p50",
        value: p50(before.reload),
        unit: `ms / ${p50(before.health)} ms (${before.answer.variants} variants kept)`,
      },
      {
        name: `cold reload, 3 running + ${STOPPED} completed: HTTP p50 / GET /health p50`,
        value: p50(after.reload),
        unit: `ms / ${p50(after.health)} ms (${after.answer.variants} variants kept of ${6 + STOPPED * VARIANTS} stored)`,
      },
      {
        name: "cold reload p99, before / after",
        value: round(percentile(before.reload, 99)),
        unit: `ms / ${round(percentile(after.reload, 99))} ms`,
      },
      {
        name: "added per completed experiment (reload p50 minus health p50)",
        value: round(perStoppedUs, 1),
        unit: "µs",
      },
      {
        name: "GET /config (warm snapshot) size, before / after",
        value: round(configBefore.bytes / 1024, 1),
        unit: `KB / ${round(configAfter.bytes / 1024, 1)} KB (gzipped: ${round(configBefore.gzipped / 1024, 1)} KB / ${round(configAfter.gzipped / 1024, 1)} KB)`,
      },
      {
        name: "GET /config size per completed experiment",
        value: Math.round((configAfter.bytes - configBefore.bytes) / STOPPED),
        unit: `bytes (gzipped: ${Math.round((configAfter.gzipped - configBefore.gzipped) / STOPPED)} bytes)`,
      },
      {
        name: "GET /config (warm snapshot) p50, before / after",
        value: round(configBefore.p50),
        unit: `ms / ${round(configAfter.p50)} ms`,
      },
      {
        name: "seeding (create, start, complete over the API)",
        value: round(seedSeconds, 1),
        unit: `s for ${STOPPED} experiments`,
      },
    ],
    ratios: [
      {
        name: `cold reload's own time (minus health), with ${STOPPED} completed / without`,
        value: round(cost(after) / Math.max(0.01, cost(before)), 2),
      },
      {
        name: "GET /config p50, after / before",
        value: round(configAfter.p50 / configBefore.p50, 2),
      },
    ],
    notes: [
      `${CALLS} sequential calls per phase after 3 untimed ones, each reload paired with a GET /health right after it; a reload runs once per TTL (ASSIGNMENT_CACHE_TTL_SECONDS) per isolate and org, in the background once a snapshot exists (refresh-ahead), so no request waits on it unless the snapshot is older than the TTL or a lifecycle change in the isolate cleared it.`,
      `Each completed experiment has ${VARIANTS} variants and a winner that is neither the control nor the first, so the reload reads three of its variant rows.`,
    ],
  };
}
