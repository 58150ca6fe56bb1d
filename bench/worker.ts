/**
 * The bench-only Worker: the production app plus a baseline route, never deployed. bench/harness.ts
 * starts `wrangler dev bench/worker.ts` (wrangler.toml's bindings, this entry); `wrangler deploy`
 * bundles src/index.ts, which does not import this file (scripts/check-bundle.ts asserts it).
 *
 * POST /api/v1/streaming-analytics/bench/noop-events runs the same auth, rate limit, body parsing,
 * validation and RPC as POST /events, ending in a Durable Object method that stores nothing: the
 * bench subtracts it from the real ingest to show what storage costs.
 *
 * POST /api/v1/streaming-analytics/bench/fanout-inner measures fan-out inside workerd: this Worker
 * opens N hibernatable sockets on the caller's org object itself (the same forwarded upgrade the
 * live route makes, without the ticket), then times ingest RPC -> last socket's message, with no
 * local proxy, HTTP client or Node process in the path (fanout.bench.ts compares it end to end).
 */
import app from "../src/app";
import worker from "../src/index";
import { requireScope } from "../src/http/auth";
import { badRequest } from "../src/http/problem";
import { defineRoute } from "../src/http/openapi";
import { limitAssign, limitIngest } from "../src/http/rate-limit";
import { createRouter } from "../src/http/router";
import { OrgObject as ProductionOrgObject } from "../src/streaming/org-object";
import { assignmentCache } from "../src/assignment/cache";
import { assignmentRoutes } from "../src/assignment/routes";
import type { Env as AppBindings } from "../src/env";
import { exposureBuffer } from "../src/assignment/exposures";
import { loadEdgeConfig } from "../src/assignment/read-model";
import { getConfig } from "../src/config";
import { createDb } from "../src/db/client";
import { AssignManyBody } from "../src/assignment/schemas";
import { unwrap } from "../src/streaming/routes-shared";
import { encodePrincipal, PRINCIPAL_HEADER } from "../src/streaming/live/principal-header";
import { EventBatchIn, type EventInT } from "../src/streaming/schemas";
import { ok } from "../src/streaming/service-types";
import { ingestEvents } from "../src/streaming/service-ingest";
import { insertEvents } from "../src/streaming/store/events";
import { eventBatch } from "./event-batch";
import { AGGREGATIONS, type Aggregation, aggregate, planQuery, querySeries } from "../src/streaming/rollup";
import { taggedRead } from "../src/streaming/group-budget";
import { metricSeries } from "../src/streaming/service-read";
import { metricRetentionMs } from "../src/streaming/store/retention";
import { runsByWindow, valuesByWindow, windowEdges, windowRuns } from "../src/streaming/rule-windows";
import { QuantileSketch } from "../src/streaming/sketch";
import { listTagSets, planRange, runRange, taggedBucketsIn, taggedTotalsIn } from "../src/streaming/store/tags";
import { groupTagSets, matchesFilter } from "../src/streaming/tags";
import { AlertRuleIn } from "../src/streaming/schemas";
import { observe } from "../src/streaming/service-rules";
import { createRule, listRules } from "../src/streaming/store/rules";

const HOUR_MS = 3_600_000;
/** 31 daily windows at hourly buckets: a tagged anomaly rule's default read. */
const RULE_WINDOWS = 31;
const RULE_BUCKETS = RULE_WINDOWS * 24 + 1;

/** Same class name as production, so wrangler.toml's ORG binding and migrations apply unchanged. */
export class OrgObject extends ProductionOrgObject {
  /**
   * `sets` tag sets of metric `name`, each with a rollup in every hourly bucket of 31 days up to
   * now (written straight to SQLite: 745,000 rollups through POST /metrics would take the bench
   * minutes). Every rollup holds 60 values of its tag set, its sketch the one they make.
   */
  seedRuleReads(name: string, sets: number) {
    const now = Date.now();
    const last = now - (now % HOUR_MS);
    const first = last - (RULE_BUCKETS - 1) * HOUR_MS;
    // Tag set i's 60 values start at 20 * 1.003^i and are 3.7 * (1 + i / 500) apart: merged over
    // 1,000 sets they span 20 to about 1,000, some 390 of the sketch's 1% bins, like a latency series.
    const perSet = Array.from({ length: sets }, (_, k) => {
      const i = k + 1;
      const base = 20 * 1.003 ** i;
      const step = 3.7 * (1 + i / 500);
      const sketch = new QuantileSketch();
      for (let v = 0; v < 60; v++) sketch.add(base + v * step);
      return [60 * base + step * 1770, base, base + 59 * step, JSON.stringify(sketch.toJSON())];
    });
    const sql = this.ctx.storage.sql;
    // The catalogue row GET /metrics/:name looks for (a real batch writes it with its first point).
    sql.exec(
      "INSERT OR IGNORE INTO metrics (name, last, last_at, first_seen_at) VALUES (?, ?, ?, ?)",
      name,
      20,
      last,
      first,
    );
    sql.exec(
      `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
       INSERT OR IGNORE INTO metric_tag_sets (name, tag_set, tags, first_seen_at)
       SELECT ?, i, json_array(json_array('env', 'prod'), json_array('host', 'h' || i)), ? FROM s`,
      sets,
      name,
      now,
    );
    sql.exec(
      `WITH RECURSIVE b(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM b WHERE k < ?),
         s(i, sum, min, max, sketch) AS MATERIALIZED (
           SELECT key + 1, value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(?))
       INSERT OR REPLACE INTO tagged_rollups (name, tag_set, resolution_ms, bucket, count, sum, min, max, last, last_at, sketch)
       SELECT ?, i, ?, ? + k * ?, 60, sum, min, max, min, ? + k * ?, sketch FROM s, b`,
      RULE_BUCKETS - 1,
      JSON.stringify(perSet),
      name,
      HOUR_MS,
      first,
      HOUR_MS,
      first,
      HOUR_MS,
    );
    return { rollups: sets * RULE_BUCKETS };
  }

  /**
   * One evaluation's read of a real anomaly rule (31 daily windows, env=prod, `aggregation`) through
   * service-rules.ts `observe`: `cold` clears the object's baseline cache first (every window read),
   * `warm` follows a read at the same edges (the 30 baseline windows from the cache).
   */
  /** How far "moved" evaluations have put this object's clock ahead of the real one. */
  private shifted = 0;

  /**
   * A real rule's evaluation: with every cache cleared (`cold`), again at the same edges (`warm`), or
   * after its edges moved one hourly bucket (`moved`: the object's clock put an hour ahead, as once an
   * hour in production; the new bucket holds no data here, so its read finds no rows).
   */
  ruleObserve(name: string, aggregation: Aggregation, cache: "cold" | "warm" | "moved") {
    const ctx = this.context();
    const ruleName = `bench ${aggregation}`;
    const stored =
      listRules(ctx.sql, [name]).find((r) => r.rule.name === ruleName) ??
      createRule(
        ctx.sql,
        AlertRuleIn.parse({
          name: ruleName,
          type: "anomaly",
          metric_name: name,
          aggregation,
          window_seconds: 86_400,
          severity: "info",
          tags: { env: "prod" },
        }),
        ctx.now,
      );
    if (cache === "cold") this.baselines.clear();
    if (cache === "moved") {
      this.shifted += HOUR_MS;
      const shift = this.shifted;
      this.clock = () => Date.now() + shift;
    }
    const started = performance.now();
    const { value, baseline } = observe(ctx, stored);
    const ms = performance.now() - started;
    return { values: [value, ...baseline], tag_sets: -1, ms, merged: this.baselines.mergedSize };
  }

  /**
   * The 31 daily windows of a rule filtered on env=prod, read the way service-rules.ts reads them:
   * `totals` (SQLite adds each run up: count, sum, avg, min, max) or `rows` (every rollup read and
   * folded as it comes: what a percentile needs). Both paths are the production functions.
   */
  ruleReads(name: string, path: "totals" | "rows", aggregation: Aggregation) {
    const now = Date.now();
    const edges = windowEdges(now, 86_400, RULE_WINDOWS, HOUR_MS);
    const sets = listTagSets(this.ctx.storage.sql, name)
      .filter((s) => matchesFilter(s.tags, { env: "prod" }))
      .map((s) => s.tag_set);
    const sql = this.ctx.storage.sql;
    const started = performance.now();
    const values =
      path === "totals"
        ? runsByWindow(edges, HOUR_MS, now).map((runs) =>
            aggregate(
              runs.map((r) => taggedTotalsIn(sql, runRange(name, sets, r))),
              aggregation,
            ),
          )
        : valuesByWindow(
            (function* () {
              for (const r of windowRuns(edges, HOUR_MS, now))
                yield* taggedBucketsIn(sql, runRange(name, sets, r), true);
            })(),
            edges,
            aggregation,
          );
    return { values, tag_sets: sets.length, ms: performance.now() - started };
  }

  /**
   * GET /metrics/:name's read of `name` filtered on env=prod over 7 days: 169 hourly buckets of each
   * of the 1,000 tag sets, 169,000 rollups (the most one read may fold), with `grouped` one series
   * per host at a daily step. `fold` is the production read (service-read.ts metricSeries) with the
   * object's caches cleared first, as a chart's first read meets it; `refetch` the same read again
   * with nothing cleared (a p95 chart's refetch reads its merged buckets). `held` is the read as it
   * was before stop 23, the baseline: every row read into an array with its sketch parsed, then
   * folded. All answer the same numbers, which the bench checks.
   */
  seriesRead(name: string, aggregation: Aggregation, grouped: boolean, mode: "fold" | "refetch" | "held") {
    const ctx = this.context();
    const query = {
      window: 7 * 86_400,
      aggregation,
      tags: { env: "prod" },
      ...(grouped ? { group_by: "host", step: 86_400 } : {}),
    };
    if (mode === "fold") this.baselines.clear();
    const started = performance.now();
    let numbers: (number | null)[];
    if (mode !== "held") {
      const r = unwrap(metricSeries(ctx, name, query));
      numbers = [
        r.value,
        ...r.series.map((p) => p.value),
        ...(r.groups ?? []).flatMap((g) => [g.value, ...g.series.map((p) => p.value)]),
      ];
    } else {
      const options = {
        windowSeconds: query.window,
        stepSeconds: query.step,
        aggregation,
        now: ctx.now,
        metricRetentionMs: metricRetentionMs(ctx.retention),
      };
      const sets = listTagSets(ctx.sql, name).filter((s) => matchesFilter(s.tags, query.tags));
      const groups = grouped ? groupTagSets(sets, "host") : [];
      const verdict = taggedRead(options, { groups: groups.length, tagSets: sets.length });
      if (!verdict.ok) throw new Error("over the read budget");
      const read = { ...options, ...verdict.read };
      const plan = planQuery(read);
      const range = planRange(
        name,
        sets.map((s) => s.tag_set),
        plan,
      );
      const rows = [...taggedBucketsIn(ctx.sql, range, true)].map((b) => ({
        ...b,
        rollup: { ...b.rollup, sketch: QuantileSketch.fromJSON(b.rollup.sketch) },
      }));
      const all = querySeries(rows, read);
      const bySet = new Map<number, typeof rows>();
      for (const r of rows) {
        const list = bySet.get(r.tag_set);
        if (list === undefined) bySet.set(r.tag_set, [r]);
        else list.push(r);
      }
      numbers = [all.value, ...all.series.map((p) => p.value)];
      for (const g of groups) {
        const r = querySeries(
          g.sets.flatMap((s) => bySet.get(s.tag_set) ?? []),
          read,
        );
        numbers.push(r.value, ...r.series.map((p) => p.value));
      }
    }
    return { values: numbers, tag_sets: -1, ms: performance.now() - started };
  }

  /**
   * Batch `i` of `run` (bench/event-batch.ts), made and written inside the object: where the object's
   * share of an ingest goes, without the Worker, the parse or the RPC's payload. `none` answers
   * with no write (the RPC and its answer alone); `service` is the production ingestEvents (checks,
   * insert, counters) and its commit; `insert` the production insertEvents alone; `previous` the
   * insert as it was before 2026-12-05 (json_each with all five fields looked up, and schema V5's
   * full source index) into a copy of the table, so the two forms are compared in the same run.
   */
  #v5Table = false;

  writeBatch(form: "none" | "service" | "insert" | "previous", run: string, i: number) {
    if (form === "none") return 0;
    const events = eventBatch(run, i);
    if (form === "service") return unwrap(ingestEvents(this.context(), events)).accepted;
    const sql = this.ctx.storage.sql;
    const now = Date.now();
    if (form === "insert") return this.ctx.storage.transactionSync(() => insertEvents(sql, events, now).inserted);
    // Made once per object instance: a CREATE … IF NOT EXISTS per batch would be timed on this side only.
    if (!this.#v5Table) {
      this.#v5Table = true;
      sql.exec(`CREATE TABLE IF NOT EXISTS bench_events_v5 (seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE,
      source_id TEXT, event_type TEXT NOT NULL, payload TEXT, ts INTEGER NOT NULL, received_at INTEGER NOT NULL,
      processed_at INTEGER);
      CREATE INDEX IF NOT EXISTS bench_events_v5_ts ON bench_events_v5 (ts);
      CREATE INDEX IF NOT EXISTS bench_events_v5_type_ts ON bench_events_v5 (event_type, ts);
      CREATE INDEX IF NOT EXISTS bench_events_v5_source_ts ON bench_events_v5 (source_id, ts);
      CREATE INDEX IF NOT EXISTS bench_events_v5_unprocessed ON bench_events_v5 (ts) WHERE processed_at IS NULL`);
    }
    return this.ctx.storage.transactionSync(() => {
      const after = sql.exec<{ m: number }>("SELECT coalesce(max(seq), 0) AS m FROM bench_events_v5").one().m;
      // Every bench event has an id, so the generated one (a version-7 UUID) is never evaluated.
      sql.exec(
        `INSERT INTO bench_events_v5 (event_id, source_id, event_type, payload, ts, received_at)
         SELECT coalesce(value ->> 'event_id', hex(randomblob(16))), value ->> 'source_id', value ->> 'event_type',
                value -> 'payload', coalesce(value ->> 'timestamp', ?2), ?2
         FROM json_each(?1) WHERE true
         ON CONFLICT (event_id) DO NOTHING`,
        JSON.stringify(events),
        now,
      );
      return sql.exec<{ n: number }>("SELECT count(*) AS n FROM bench_events_v5 NOT INDEXED WHERE seq > ?", after).one()
        .n;
    });
  }

  /** The same RPC with the same batch, storing nothing. */
  ingestEventsNoop(events: EventInT[]) {
    return ok({ accepted: events.length, duplicates: 0 });
  }

  /**
   * The broadcast alone: publishes an event as ingestion would after its write, writing nothing.
   * Against ingestEvents it separates the fan-out from the wait for the write to be durable
   * (outgoing socket frames are held by the object's output gate until its writes are confirmed).
   */
  publishOnly(eventId: string) {
    const at = new Date().toISOString();
    this.live.publish({
      type: "events",
      data: [
        {
          id: eventId,
          event_id: eventId,
          source_id: null,
          event_type: "bench",
          payload: {},
          timestamp: at,
          received_at: at,
          processed: false,
          processed_at: null,
        },
      ],
    });
    return ok({ accepted: 1, duplicates: 0 });
  }
}

const bench = createRouter();
// The object's share of an ingest, timed by the caller: `n` batches of writeBatch, one RPC each.
bench.post("/bench/write-batch", requireScope("ingest"), async (c) => {
  const form = c.req.query("form") as "none" | "service" | "insert" | "previous";
  const run = c.req.query("run") ?? "w";
  const n = Number(c.req.query("n") ?? 100);
  const org = c.env.ORG.getByName(c.get("principal").org) as unknown as DurableObjectStub<OrgObject>;
  let stored = 0;
  for (let i = 0; i < n; i++) stored += await org.writeBatch(form, run, i);
  return c.json({ stored });
});

bench.post("/bench/noop-events", requireScope("ingest"), limitIngest, async (c) => {
  const raw: unknown = await c.req.json().catch(() => {
    throw badRequest("request body is not valid JSON");
  });
  const { events } = EventBatchIn.parse(raw);
  const org = c.env.ORG.getByName(c.get("principal").org) as unknown as DurableObjectStub<OrgObject>;
  return c.json(unwrap(await org.ingestEventsNoop(events)), 202);
});

// POST /assign's request machinery with no assignment: the same scope check (JWT), rate limiter,
// body read and zod schema through the same OpenAPI validator, answering an empty assignment list.
// The assignment bench's "assign / no-op" ratio is then the assignment work alone (evaluation,
// exposure hand-off, the longer answer), apart from what any authenticated JSON POST costs here.
bench.openapi(
  defineRoute(
    "assign",
    {
      method: "post",
      path: "/bench/noop-assign",
      request: { body: { content: { "application/json": { schema: AssignManyBody } } } },
      responses: { 200: { description: "No assignment" } },
    },
    [limitAssign],
  ),
  (c) => c.json({ assignments: [], skipped: [], user: c.req.valid("json").user_id }, 200),
);

// The floor under any JSON POST here: the same body, no auth, not even read. Against GET /health it
// shows what a request body costs the client, wrangler's proxy and workerd before any Worker code.
bench.post("/bench/bare-post", (c) => c.json({ ok: true }, 200));

// This isolate's exposure buffer counters (`wrangler dev` runs one isolate): queue messages sent,
// rows they carried, rows skipped as already sent. The assignment bench turns them into messages/s.
// POST: GET /api/* paths added after the app was built would meet its catch-all first.
bench.post("/bench/exposure-stats", requireScope("assign"), (c) =>
  c.json({ ...exposureBuffer(c.env.EXPOSURES).stats }),
);

// A cold snapshot, as the first assignment after a TTL or a lifecycle change meets it: the org's
// cache entry forgotten, then the real reload (loadEdgeConfig's one D1 batch, the maps and the
// ETag). assignment-reload.bench.ts times it over HTTP for an org holding many completed experiments.
bench.post("/bench/reload-config", requireScope("assign"), async (c) => {
  const org = c.get("principal").org;
  assignmentCache.invalidate(org);
  const snapshot = await assignmentCache.snapshot(org, {
    ttlMs: getConfig(c.env).assignmentCacheTtlMs,
    load: () => loadEdgeConfig(createDb(c.env.DB), org),
    waitUntil: (p) => c.executionCtx.waitUntil(p),
  });
  const variants = (list: readonly { variants: readonly unknown[] }[]) =>
    list.reduce((n, e) => n + e.variants.length, 0);
  return c.json({
    running: snapshot.running.length,
    stopped: snapshot.stopped.length,
    variants: variants(snapshot.running) + variants(snapshot.stopped),
  });
});

/**
 * The receiving side, kept as cheap as the Node bench's: one listener per socket for the whole run
 * (adding and removing 1,000 listeners per post would cost more than the fan-out it measures), each
 * checking the one marker being waited for.
 */
class Arrivals {
  private marker = "";
  private times: number[] = [];
  private expected = 0;
  private done: ((times: number[]) => void) | null = null;

  listen(ws: WebSocket): void {
    ws.addEventListener("message", (e) => {
      if (this.done === null || typeof e.data !== "string" || !e.data.includes(this.marker)) return;
      // workerd advances Date.now() at I/O: this is when this socket's frame was handled.
      this.times.push(Date.now());
      if (this.times.length === this.expected) {
        const done = this.done;
        this.done = null;
        done(this.times);
      }
    });
  }

  expect(marker: string, sockets: number): Promise<number[]> {
    this.marker = marker;
    this.times = [];
    this.expected = sockets;
    return new Promise((resolve) => {
      this.done = resolve;
    });
  }
}

bench.post("/bench/fanout-inner", requireScope("ingest"), async (c) => {
  const count = Math.min(2000, Math.max(1, Number(c.req.query("sockets") ?? 1000)));
  const posts = Math.min(200, Math.max(1, Number(c.req.query("posts") ?? 30)));
  const publishOnly = c.req.query("mode") === "publish";
  // Posts sent first and not timed: the send loop and the receivers run cold until V8 has optimized them.
  const warmup = Math.min(50, Math.max(0, Number(c.req.query("warmup") ?? 0)));
  const org = c.get("principal").org;
  const stub = c.env.ORG.getByName(org) as unknown as DurableObjectStub<OrgObject>;
  const arrivals = new Arrivals();
  const open = async (): Promise<WebSocket> => {
    const res = await stub.fetch("https://org.internal/live", {
      headers: { Upgrade: "websocket", [PRINCIPAL_HEADER]: encodePrincipal({ sub: "bench-inner", org }) },
    });
    const ws = res.webSocket;
    if (!ws) throw new Error(`upgrade refused: ${res.status}`);
    const snapshot = new Promise<void>((resolve) =>
      ws.addEventListener("message", () => resolve(), { once: true } as AddEventListenerOptions),
    );
    ws.accept();
    await snapshot;
    arrivals.listen(ws);
    return ws;
  };
  const sockets: WebSocket[] = [];
  const openedAt = Date.now();
  while (sockets.length < count) {
    const batch = Math.min(50, count - sockets.length);
    sockets.push(...(await Promise.all(Array.from({ length: batch }, open))));
  }
  const openMs = Date.now() - openedAt;
  const settleMs = Math.min(10_000, Math.max(0, Number(c.req.query("settle_ms") ?? 0)));
  if (settleMs > 0) await new Promise((r) => setTimeout(r, settleMs));
  const toFirst: number[] = [];
  const toLast: number[] = [];
  const rpc: number[] = [];
  try {
    for (let i = -warmup; i < posts; i++) {
      const marker = `inner-${i}-${crypto.randomUUID()}`;
      const arrived = arrivals.expect(marker, sockets.length);
      const t0 = Date.now();
      const result = publishOnly
        ? await stub.publishOnly(marker)
        : await stub.ingestEvents([{ event_id: marker, event_type: "bench" } as EventInT]);
      const rpcMs = Date.now() - t0;
      if (!result.ok) throw new Error(`ingest refused: ${JSON.stringify(result)}`);
      const times = await arrived;
      if (i >= 0) {
        rpc.push(rpcMs);
        toFirst.push(Math.min(...times) - t0);
        toLast.push(Math.max(...times) - t0);
      }
      // Wider than the hub's 100 ms coalescing slot, so every post is flushed at once.
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    for (const ws of sockets) ws.close(1000, "bench done");
  }
  return c.json({ sockets: count, open_ms: openMs, to_first_ms: toFirst, to_last_ms: toLast, rpc_ms: rpc });
});
// Tagged rule reads inside the organization's object (rules.bench.ts): seed, then one read per call.
bench.post("/bench/rule-reads/seed", requireScope("ingest"), async (c) => {
  const sets = Math.min(1000, Math.max(1, Number(c.req.query("sets") ?? 1000)));
  const stub = c.env.ORG.getByName(c.get("principal").org) as unknown as DurableObjectStub<OrgObject>;
  return c.json(await stub.seedRuleReads("bench.rules", sets));
});
bench.post("/bench/rule-observe", requireScope("read"), async (c) => {
  const aggregation = c.req.query("aggregation") === "p95" ? "p95" : "avg";
  const cache = c.req.query("cache") === "warm" ? "warm" : c.req.query("cache") === "moved" ? "moved" : "cold";
  const stub = c.env.ORG.getByName(c.get("principal").org) as unknown as DurableObjectStub<OrgObject>;
  return c.json(await stub.ruleObserve("bench.rules", aggregation, cache));
});
bench.post("/bench/series-read", requireScope("read"), async (c) => {
  const aggregation = c.req.query("aggregation") === "p95" ? "p95" : "avg";
  const stub = c.env.ORG.getByName(c.get("principal").org) as unknown as DurableObjectStub<OrgObject>;
  return c.json(
    await stub.seriesRead(
      "bench.rules",
      aggregation,
      c.req.query("grouped") === "1",
      c.req.query("mode") === "held" ? "held" : c.req.query("mode") === "refetch" ? "refetch" : "fold",
    ),
  );
});
bench.post("/bench/rule-reads", requireScope("read"), async (c) => {
  const path = c.req.query("path") === "rows" ? "rows" : "totals";
  const aggregation = (AGGREGATIONS as readonly string[]).includes(c.req.query("aggregation") ?? "")
    ? (c.req.query("aggregation") as Aggregation)
    : "avg";
  const stub = c.env.ORG.getByName(c.get("principal").org) as unknown as DurableObjectStub<OrgObject>;
  return c.json(await stub.ruleReads("bench.rules", path, aggregation));
});
app.route("/api/v1/streaming-analytics", bench);

// The assignment routes again, with the exposure queue swapped for one that accepts every message and
// discards it: what new users cost the request's own isolate (buffer, coalescing, the send call)
// without the local queue broker, its consumer and the D1 write, which `wrangler dev` runs on the
// same workerd thread as the requests and production runs elsewhere. One swapped env per env: the
// config and the verified tokens are cached per env object (getConfig), so a fresh copy per request
// would parse the config and verify the JWT on every call (the first run of this did: 0.81 of
// /health against 0.87 through the real queue).
const DISCARDING_QUEUE = { send: async () => {}, sendBatch: async () => {} } as unknown as Queue;
const discardingEnv = new WeakMap<AppBindings, AppBindings>();
const discardingQueue = createRouter();
discardingQueue.use("*", async (c, next) => {
  let env = discardingEnv.get(c.env);
  if (env === undefined) {
    env = { ...c.env, EXPOSURES: DISCARDING_QUEUE };
    discardingEnv.set(c.env, env);
  }
  c.env = env;
  await next();
});
discardingQueue.route("/", assignmentRoutes);
app.route("/api/v1/bench-discarding-queue", discardingQueue);

// The production handlers (fetch, scheduled, the exposure queue's consumer): the routes above are
// added to the same app instance, so fetch serves them too.
export default worker;
