// Experiments analysis over 1,000,000 stored results (BENCH_RESULT_ROWS to change it):
// (1) the rows go in through the API, 1000 per request (ingestion throughput, end to end);
// (2) the analysis SQL against a plain COUNT(*) over the same rows, both timed with node:sqlite on
//     the very D1 file `wrangler dev` uses (same run, same page cache);
// (3) GET /experiments/:id/results end to end, against GET /experiments/:id in the same run.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { ANALYSIS_SQL, COUNT_SQL, EXPOSURES_SQL } from "../src/experiments/analysis-sql.ts";
import { type BenchContext, type BenchSection, round } from "./harness.ts";

const ROWS = Number(process.env.BENCH_RESULT_ROWS ?? 1_000_000);
const BATCH = 1000;
const EXPOSED_USERS = 100_000;
const IN_FLIGHT = 4;
const ORG = "bench-experiments";
const BASE = "/api/v1/ab-testing";

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

function timeMs(run: () => void, repeats: number): number {
  run(); // warm the page cache and the statement
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  return median(times);
}

async function timeHttp(ctx: BenchContext, path: string, token: string, repeats: number): Promise<number> {
  const once = async () => {
    const t0 = performance.now();
    const res = await fetch(ctx.baseUrl + path, { headers: { Authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return performance.now() - t0;
  };
  await once();
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) times.push(await once());
  return median(times);
}

/** The D1 database file of this run's local state (miniflare keeps one SQLite file per database). */
function d1File(persistDir: string): string {
  const dir = join(persistDir, "v3", "d1", "miniflare-D1DatabaseObject");
  const file = readdirSync(dir).find((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (!file) throw new Error(`no D1 file under ${dir}`);
  return join(dir, file);
}

async function api<T>(ctx: BenchContext, token: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(ctx.baseUrl + path, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** Deterministic values: revenue skewed like real order values, conversion as 0/1. */
function batchOf(i: number, control: string, treatment: string) {
  let seed = (i + 1) * 2654435761;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  return Array.from({ length: BATCH }, (_, j) => {
    const treated = j % 2 === 1;
    const revenue = j % 4 < 2;
    const value = revenue
      ? round(-Math.log(1 - rand()) * (treated ? 42 : 40), 2)
      : Number(rand() < (treated ? 0.105 : 0.1));
    return {
      metric_name: revenue ? "revenue" : "conversion",
      metric_value: value,
      variant_id: treated ? treatment : control,
    };
  });
}

/**
 * Closed-loop upload of every batch, `IN_FLIGHT` at a time. Local D1 answers "overloaded" (our 503
 * with Retry-After) when pushed hard; a batch refused that way stored nothing, so it is re-sent.
 */
async function ingestAll(ctx: BenchContext, token: string, id: string, control: string, treatment: string) {
  const batches = Math.ceil(ROWS / BATCH);
  const latencies: number[] = [];
  let next = 0;
  let retries = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < batches) {
      const body = JSON.stringify({ results: batchOf(next++, control, treatment) });
      for (let attempt = 0; ; attempt++) {
        const t0 = performance.now();
        const res = await fetch(`${ctx.baseUrl}${BASE}/experiments/${id}/results`, {
          method: "POST",
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
          body,
        });
        const text = await res.text();
        if (res.status === 201) {
          latencies.push(performance.now() - t0);
          break;
        }
        if ((res.status !== 503 && res.status !== 429) || attempt >= 5)
          throw new Error(`ingest: ${res.status} ${text}`);
        retries++;
        await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get("Retry-After") ?? 1)));
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  latencies.sort((a, b) => a - b);
  return { seconds: (performance.now() - started) / 1000, p50Ms: round(median(latencies), 1), retries };
}

export default async function (ctx: BenchContext): Promise<BenchSection> {
  const token = await ctx.token(ORG);
  const exp = await api<{ id: string; variants: { id: string }[] }>(ctx, token, `${BASE}/experiments`, {
    key: `bench-${Date.now()}`,
    experiment_name: "Analysis benchmark",
    primary_metric: "revenue",
    variants: [
      { key: "control", variant_type: "control", traffic_percentage: 50 },
      { key: "treatment", variant_type: "treatment", traffic_percentage: 50 },
    ],
  });
  await api(ctx, token, `${BASE}/experiments/${exp.id}/start`);
  const [control, treatment] = exp.variants.map((v) => v.id) as [string, string];

  ctx.log(`loading ${ROWS} results through the API, ${BATCH} per request`);
  const ingest = await ingestAll(ctx, token, exp.id, control, treatment);

  const db = new DatabaseSync(d1File(ctx.persistDir));
  // Exposures for the SRM check, written straight into the file (assigning 100k users through the
  // API would benchmark the assignment routes, which have their own section).
  db.prepare(
    `INSERT INTO exposures (org_id, experiment_id, user_id, variant_id, exposed_at)
     WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?6)
     SELECT ?1, ?2, 'u' || i, CASE WHEN i % 2 = 0 THEN ?3 ELSE ?4 END, ?5 FROM n`,
  ).run(ORG, exp.id, control, treatment, Date.now(), EXPOSED_USERS);
  const stored = db.prepare(COUNT_SQL).get(exp.id, ORG) as { n: number };
  if (stored.n !== ROWS) throw new Error(`expected ${ROWS} stored results, found ${stored.n}`);

  const count = db.prepare(COUNT_SQL);
  const analysis = db.prepare(ANALYSIS_SQL);
  const exposures = db.prepare(EXPOSURES_SQL);
  const countMs = timeMs(() => count.get(exp.id, ORG), 7);
  const analysisMs = timeMs(() => analysis.all(exp.id, ORG), 7);
  const exposuresMs = timeMs(() => exposures.all(exp.id, ORG), 7);
  const plan = (db.prepare(`EXPLAIN QUERY PLAN ${ANALYSIS_SQL}`).all(exp.id, ORG) as { detail: string }[])
    .map((r) => r.detail)
    .join("; ");
  db.close();

  const getMs = await timeHttp(ctx, `${BASE}/experiments/${exp.id}`, token, 15);
  const resultsMs = await timeHttp(ctx, `${BASE}/experiments/${exp.id}/results`, token, 7);
  const answer = (await (
    await fetch(`${ctx.baseUrl}${BASE}/experiments/${exp.id}/results`, {
      headers: { Authorization: `Bearer ${token}` },
    })
  ).json()) as { metrics: { metric_name: string; variants: { count: number }[] }[]; srm: { mismatch: boolean } };
  const counted = answer.metrics.reduce((n, m) => n + m.variants.reduce((k, v) => k + v.count, 0), 0);
  if (counted !== ROWS) throw new Error(`analysis counted ${counted} values, expected ${ROWS}`);

  return {
    title: `Experiments: analysis over ${ROWS.toLocaleString("en-US")} results`,
    figures: [
      {
        name: "ingestion through the API (1000-row batches, 4 in flight)",
        value: round(ROWS / ingest.seconds, 0),
        unit: "rows/s",
      },
      { name: "ingestion request p50", value: ingest.p50Ms, unit: "ms" },
      { name: "ingestion batches re-sent after a 503 (local D1 overloaded)", value: ingest.retries, unit: "" },
      { name: "SQL: COUNT(*) over the experiment's results", value: round(countMs, 1), unit: "ms" },
      {
        name: "SQL: analysis aggregates (COUNT, SUM, SUM(v²), MIN, MAX per metric x variant)",
        value: round(analysisMs, 1),
        unit: "ms",
      },
      {
        name: `SQL: exposures per variant (${EXPOSED_USERS.toLocaleString("en-US")} users)`,
        value: round(exposuresMs, 1),
        unit: "ms",
      },
      { name: "HTTP: GET /experiments/:id/results (median of 7)", value: round(resultsMs, 1), unit: "ms" },
      { name: "HTTP: GET /experiments/:id (median of 15)", value: round(getMs, 1), unit: "ms" },
    ],
    ratios: [
      { name: "analysis SQL / COUNT(*) SQL", value: round(analysisMs / countMs, 2) },
      { name: "GET results / COUNT(*) SQL", value: round(resultsMs / countMs, 2) },
      { name: "GET results / GET experiment", value: round(resultsMs / getMs, 1) },
    ],
    notes: [`analysis query plan: ${plan}`],
  };
}
