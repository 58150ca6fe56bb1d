// Experiments analysis over 1,000,000 stored results from 200,000 exposed users (BENCH_RESULT_ROWS,
// BENCH_USERS to change them):
// (1) 200,000 exposures spread over 14 days go straight into the D1 file (the triggers fold them as
//     the assignment path would), then the rows go in through the API, 1000 per request, each user
//     getting 5 rows of two metrics (ingestion throughput end to end, triggers included);
// (2) the per-user analysis SQL (every statement GET /results runs: the probes of the overview, then
//     one pass over each metric's users) against a plain COUNT(*) over the same rows, both timed
//     with node:sqlite on the very D1 file `wrangler dev` uses, in alternating rounds;
// (3) GET /experiments/:id/results and /results/timeseries end to end, against GET /experiments/:id.
import { loadavg } from "node:os";
import { DatabaseSync } from "node:sqlite";
import { sampleShifts } from "../src/experiments/analysis-moments.ts";
import {
  ANONYMOUS_SQL,
  COUNT_SQL,
  DEFINITIONS_SQL,
  EVENT_OVERVIEW_SQL,
  EXPOSURES_SQL,
  METRIC_NAMES_SQL,
  METRIC_SAMPLE_SQL,
  USER_BINOMIAL_READING_SQL,
  USER_VALUE_READING_SQL,
} from "../src/experiments/analysis-sql.ts";
import { type BenchContext, type BenchSection, d1File, median, round } from "./harness.ts";

const ROWS = Number(process.env.BENCH_RESULT_ROWS ?? 1_000_000);
const BATCH = 1000;
const USERS = Number(process.env.BENCH_USERS ?? 200_000);
const DAYS = 14;
const DAY_MS = 86_400_000;
const IN_FLIGHT = 4;
const ORG = "bench-experiments";
const BASE = "/api/v1/ab-testing";

/**
 * Median time of each run over `rounds` alternating rounds (after one warm-up of each: page cache
 * and statements), so a load spike on the shared machine hits every side of a ratio alike.
 */
function alternate<K extends string>(runs: Record<K, () => unknown>, rounds = 7): Record<K, number> {
  const keys = Object.keys(runs) as K[];
  for (const k of keys) runs[k]();
  const times = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let r = 0; r < rounds; r++) {
    for (const k of keys) {
      const t0 = performance.now();
      runs[k]();
      times[k].push(performance.now() - t0);
    }
  }
  return Object.fromEntries(keys.map((k) => [k, median(times[k])])) as Record<K, number>;
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

/**
 * Deterministic rows: row r belongs to user r mod USERS (even users in control), so every user gets
 * ROWS/USERS rows; the k-th round of rows alternates revenue (skewed like order values) and
 * conversion (0/1), each recorded a few hours after the user's exposure.
 */
function batchOf(i: number, start: number) {
  let seed = (i + 1) * 2654435761;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  return Array.from({ length: BATCH }, (_, j) => {
    const r = i * BATCH + j;
    const user = r % USERS;
    const round_ = Math.floor(r / USERS);
    const treated = user % 2 === 1;
    const revenue = round_ % 2 === 0;
    const value = revenue
      ? round(-Math.log(1 - rand()) * (treated ? 42 : 40), 2)
      : Number(rand() < (treated ? 0.105 : 0.1));
    return {
      metric_name: revenue ? "revenue" : "conversion",
      metric_value: value,
      user_id: `u${user}`,
      recorded_at: exposedAt(start, user) + (round_ + 1) * 3_600_000,
    };
  });
}

const exposedAt = (start: number, user: number) => start + (user % DAYS) * DAY_MS + (user % 1000);

/**
 * Closed-loop upload of every batch, `IN_FLIGHT` at a time. Local D1 answers "overloaded" (our 503
 * with Retry-After) when pushed hard; a batch refused that way stored nothing, so it is re-sent.
 */
async function ingestAll(ctx: BenchContext, token: string, id: string, start: number) {
  const batches = Math.ceil(ROWS / BATCH);
  const latencies: number[] = [];
  let next = 0;
  let retries = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < batches) {
      const body = JSON.stringify({ results: batchOf(next++, start) });
      for (let attempt = 0; ; attempt++) {
        const t0 = performance.now();
        // A connection dropped by the loaded local server is re-sent too: a batch stored twice
        // would fail the stored-row count check below, so a retry cannot inflate the figures.
        const res = await fetch(`${ctx.baseUrl}${BASE}/experiments/${id}/results`, {
          method: "POST",
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
          body,
        }).catch((err: unknown) => {
          if (attempt >= 5) throw new Error(`ingest: ${(err as Error).message}`);
          return null;
        });
        if (res === null) {
          retries++;
          await new Promise((r) => setTimeout(r, 1000));
          continue;
        }
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
  await api(ctx, token, `${BASE}/metrics`, { key: "conversion", kind: "binomial" });
  await api(ctx, token, `${BASE}/metrics`, { key: "revenue", kind: "mean", format: "currency", currency: "USD" });
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

  // Exposures (and a start 14 days back) written straight into the file: assigning 200k users through
  // the API would benchmark the assignment routes, which have their own section.
  const start = Date.now() - DAYS * DAY_MS;
  const db = new DatabaseSync(d1File(ctx.persistDir));
  db.prepare("UPDATE experiments SET started_at = ? WHERE id = ?").run(start, exp.id);
  const t0 = performance.now();
  db.prepare(
    `INSERT INTO exposures (org_id, experiment_id, user_id, variant_id, exposed_at)
     WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?6 - 1)
     SELECT ?1, ?2, 'u' || i, CASE WHEN i % 2 = 0 THEN ?3 ELSE ?4 END, ?5 + (i % ${DAYS}) * ${DAY_MS} + (i % 1000) FROM n`,
  ).run(ORG, exp.id, control, treatment, start, USERS);
  const exposeMs = performance.now() - t0;

  ctx.log(`loading ${ROWS} results of ${USERS} users through the API, ${BATCH} per request`);
  const ingest = await ingestAll(ctx, token, exp.id, start);
  const stored = db.prepare(COUNT_SQL).get(exp.id, ORG) as { n: number };
  if (stored.n !== ROWS) throw new Error(`expected ${ROWS} stored results, found ${stored.n}`);

  // Exactly the statements GET /results runs, with the parameters it would bind: the overview's
  // probes (the sample gives the shift), then one pass per metric (revenue is a mean, conversion
  // a binomial in the catalogue above).
  const count = db.prepare(COUNT_SQL);
  const overview = [EXPOSURES_SQL, METRIC_NAMES_SQL, ANONYMOUS_SQL, EVENT_OVERVIEW_SQL, DEFINITIONS_SQL].map((q) =>
    db.prepare(q),
  );
  const sample = db.prepare(METRIC_SAMPLE_SQL);
  const valueReading = db.prepare(USER_VALUE_READING_SQL);
  const binomialReading = db.prepare(USER_BINOMIAL_READING_SQL);
  const readRevenue = () => {
    const shift = sampleShifts(sample.all(exp.id, ORG) as { metric_name: string; v: number }[]).get("revenue");
    return valueReading.all(exp.id, ORG, "revenue", shift ?? null);
  };
  const analysis = () => {
    for (const q of overview) q.all(exp.id, ORG);
    readRevenue();
    binomialReading.all(exp.id, ORG, "conversion");
  };
  const timed = alternate({
    count: () => count.get(exp.id, ORG),
    analysis,
    revenue: readRevenue,
    conversion: () => binomialReading.all(exp.id, ORG, "conversion"),
  });
  const countMs = timed.count;
  const analysisMs = timed.analysis;
  const plan = (
    db.prepare(`EXPLAIN QUERY PLAN ${USER_VALUE_READING_SQL}`).all(exp.id, ORG, "revenue", 40) as {
      detail: string;
    }[]
  )
    .map((r) => r.detail)
    .join("; ");
  const perUserRows = (
    db.prepare("SELECT COUNT(*) AS n FROM user_metric_values WHERE experiment_id = ?").get(exp.id) as { n: number }
  ).n;
  db.close();

  const getMs = await timeHttp(ctx, `${BASE}/experiments/${exp.id}`, token, 15);
  const resultsMs = await timeHttp(ctx, `${BASE}/experiments/${exp.id}/results`, token, 7);
  const timeseriesMs = await timeHttp(ctx, `${BASE}/experiments/${exp.id}/results/timeseries?metric=revenue`, token, 5);
  // The same series with CUPED on: each exposure and each user-day with results also looks up
  // the user's pre-exposure value (one primary-key lookup each).
  const setCuped = async (cuped: boolean) => {
    const res = await fetch(`${ctx.baseUrl}${BASE}/experiments/${exp.id}`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ analysis_settings: { cuped } }),
    });
    if (res.status !== 200) throw new Error(`PATCH analysis_settings: ${res.status} ${await res.text()}`);
  };
  await setCuped(true);
  const cupedSeriesMs = await timeHttp(
    ctx,
    `${BASE}/experiments/${exp.id}/results/timeseries?metric=revenue`,
    token,
    5,
  );
  await setCuped(false);
  const answer = (await (
    await fetch(`${ctx.baseUrl}${BASE}/experiments/${exp.id}/results`, {
      headers: { Authorization: `Bearer ${token}` },
    })
  ).json()) as { metrics: { metric_name: string; variants: { users: number }[] }[]; assignments: { users: number }[] };
  const exposed = answer.assignments.reduce((n, a) => n + a.users, 0);
  if (exposed !== USERS) throw new Error(`analysis saw ${exposed} exposed users, expected ${USERS}`);

  return {
    title: `Experiments: per-user analysis over ${ROWS.toLocaleString("en-US")} results of ${USERS.toLocaleString("en-US")} users`,
    figures: [
      {
        name: "ingestion through the API (1000-row batches, 4 in flight, per-user fold included)",
        value: round(ROWS / ingest.seconds, 0),
        unit: "rows/s",
      },
      { name: "ingestion request p50", value: ingest.p50Ms, unit: "ms" },
      { name: "ingestion batches re-sent after a 503 (local D1 overloaded)", value: ingest.retries, unit: "" },
      {
        name: `exposures of ${USERS.toLocaleString("en-US")} users written (triggers included)`,
        value: round(exposeMs, 0),
        unit: "ms",
      },
      { name: "per-user rows (user x metric)", value: perUserRows, unit: "" },
      { name: "SQL: COUNT(*) over the experiment's results", value: round(countMs, 1), unit: "ms" },
      {
        name: "SQL: the whole per-user analysis (overview probes + one pass over each of 2 metrics)",
        value: round(analysisMs, 1),
        unit: "ms",
      },
      {
        name: "SQL: one pass over a mean metric's users (revenue, sample included)",
        value: round(timed.revenue, 1),
        unit: "ms",
      },
      {
        name: "SQL: one pass over a binomial metric's users (conversion)",
        value: round(timed.conversion, 1),
        unit: "ms",
      },
      { name: "HTTP: GET /experiments/:id/results (median of 7)", value: round(resultsMs, 1), unit: "ms" },
      {
        name: `HTTP: GET /results/timeseries?metric=revenue, ${DAYS} days (median of 5)`,
        value: round(timeseriesMs, 1),
        unit: "ms",
      },
      {
        name: `HTTP: the same timeseries with CUPED on (median of 5)`,
        value: round(cupedSeriesMs, 1),
        unit: "ms",
      },
      { name: "HTTP: GET /experiments/:id (median of 15)", value: round(getMs, 1), unit: "ms" },
    ],
    ratios: [
      { name: "per-user analysis SQL / COUNT(*) SQL", value: round(analysisMs / countMs, 2), goal: "<= 5" },
      { name: "GET results / COUNT(*) SQL", value: round(resultsMs / countMs, 2) },
      { name: "GET timeseries / COUNT(*) SQL", value: round(timeseriesMs / countMs, 2) },
      { name: "GET timeseries with CUPED / without", value: round(cupedSeriesMs / timeseriesMs, 2) },
      { name: "GET results / GET experiment", value: round(resultsMs / getMs, 1) },
    ],
    notes: [
      `one-pass query plan (mean metric): ${plan}`,
      `load average at the end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(", ")}`,
    ],
  };
}
