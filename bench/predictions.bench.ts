// Model predictions and ids, through `wrangler dev`, in alternating rounds of the same run:
// 1. POST /predictions (500 per batch: 3 models x 2 versions, latency on; folded into the model
//    rollups) against POST /events (500 per batch, clustered ids like the streaming section's);
// 2. POST /events whose ids are random version-4 UUIDs against the same with time-ordered ones
//    (version 7): what a client's choice of ids costs the UNIQUE index (docs/streaming.md, "Ids");
// 3. GET /models over the hour those predictions fill, against GET /health.
import { randomUUID } from "node:crypto";
import type { BenchContext, BenchSection, LoadResult } from "./harness.ts";
import { uuidV7 } from "../src/streaming/time-ordered-id.ts";
import { medianIndex, round } from "./harness.ts";

const P = "/api/v1/streaming-analytics";
const BATCH = 500;
const CONCURRENCY = 8;
const DURATION_MS = 4_000;
const ROUNDS = 3;

const perSecond = (r: LoadResult, status: string) => ((r.statuses[status] ?? 0) * BATCH) / r.seconds;

export default async function predictionsBench(ctx: BenchContext): Promise<BenchSection> {
  const token = await ctx.token("bench-predictions", "ingest read");
  const auth = { Authorization: `Bearer ${token}` };
  const run = (path: string, body: (i: number) => unknown) =>
    ctx.load({
      concurrency: CONCURRENCY,
      durationMs: DURATION_MS,
      request: (i) => ({ path: `${P}${path}`, body: body(i), headers: auth }),
    });
  const predictions = () => ({
    predictions: Array.from({ length: BATCH }, (_, j) => ({
      model_name: `model-${j % 3}`,
      model_version: `v${j % 2}`,
      prediction: { label: j % 2 },
      confidence: (j % 100) / 100,
      latency_ms: 5 + (j % 50),
    })),
  });
  const events = (prefix: string, id: (i: number, j: number) => string) => (i: number) => ({
    events: Array.from({ length: BATCH }, (_, j) => ({ event_id: id(i, j), event_type: prefix, payload: { j } })),
  });
  const clustered = (tag: string) => events("view", (i, j) => `${tag}-${i}-${j}`);

  await run("/predictions", predictions);
  await run("/events", clustered("warm"));
  const pred: LoadResult[] = [];
  const ev: LoadResult[] = [];
  const v4: LoadResult[] = [];
  const v7: LoadResult[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    pred.push(await run("/predictions", predictions));
    ev.push(await run("/events", clustered(`r${r}`)));
  }
  for (let r = 0; r < ROUNDS; r++) {
    v4.push(
      await run(
        "/events",
        events("v4", () => randomUUID()),
      ),
    );
    v7.push(
      await run(
        "/events",
        events("v7", () => uuidV7(Date.now())),
      ),
    );
  }
  const predRatios = pred.map((p, i) => perSecond(p, "201") / perSecond(ev[i] as LoadResult, "202"));
  const idRatios = v4.map((a, i) => perSecond(a, "202") / perSecond(v7[i] as LoadResult, "202"));
  const pm = medianIndex(predRatios);
  const im = medianIndex(idRatios);

  // GET /models over what the rounds posted (6 versions, every 10 s bucket of the last minutes filled).
  const timeGet = async (path: string, n: number) => {
    const r = await ctx.load({ concurrency: 1, requests: n, request: () => ({ path, headers: auth }) });
    return r.p50Ms;
  };
  const health = await timeGet("/api/v1/health", 30);
  const modelsHour = await timeGet(`${P}/models?window=3600`, 30);

  return {
    title: "Model predictions and event ids (POST /predictions, ids, GET /models)",
    figures: [
      {
        name: "POST /predictions, median round",
        value: round(perSecond(pred[pm] as LoadResult, "201"), 0),
        unit: "predictions/s",
      },
      {
        name: "POST /events (clustered ids), same round",
        value: round(perSecond(ev[pm] as LoadResult, "202"), 0),
        unit: "events/s",
      },
      {
        name: "POST /events with random v4 ids, median round",
        value: round(perSecond(v4[im] as LoadResult, "202"), 0),
        unit: "events/s",
      },
      {
        name: "POST /events with time-ordered v7 ids, same round",
        value: round(perSecond(v7[im] as LoadResult, "202"), 0),
        unit: "events/s",
      },
      {
        name: "GET /models?window=3600 p50 (6 versions) / GET /health p50",
        value: modelsHour,
        unit: `ms / ${health} ms`,
      },
    ],
    ratios: [
      {
        name: "POST /predictions vs POST /events (items/s; median of the rounds' ratios)",
        value: round(predRatios[pm] as number, 2),
      },
      {
        name: "POST /events, random v4 ids vs time-ordered v7 ids (events/s; median of the rounds' ratios)",
        value: round(idRatios[im] as number, 2),
      },
    ],
    notes: [
      `concurrency ${CONCURRENCY}, ${DURATION_MS / 1000} s per run, ${ROUNDS} alternating rounds per comparison`,
      "a prediction batch also folds into the model rollups and evaluates model rules, and its answer carries every stored prediction back (201 { accepted, items })",
    ],
  };
}
