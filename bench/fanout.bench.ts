// Live fan-out: how long from POST /events until the LAST of 1,000 sockets of one organization has
// the event, against the same measurement with a single socket (the baseline, same run, same server).
// Posts are spaced wider than the 100 ms coalescing slot so each one is flushed at once: this measures
// delivery, not the batching delay (which by design adds up to 100 ms under sustained load).
import { type BenchContext, type BenchSection, openLiveSocket, percentile, round } from "./harness.ts";

const SOCKETS = 1000;
const POSTS = 30;
const GAP_MS = 250;
const ORG = "bench-fanout";
/** More posts inside workerd (they are cheap there), so its p99 is not simply the maximum. */
const INNER_POSTS = 100;
/**
 * Pause between opening the sockets and the first post, inside workerd. Measured: right after
 * 1,000 upgrades in a burst, the first ingest waits ~0.8 s with the isolate idle (workerd settling
 * the new sockets), then every post is back to steady state; after a 2 s pause the first post is
 * like the others. The pause keeps that one-off out of the delivery figures.
 */
const SETTLE_MS = 2000;
/** Untimed posts first: the first ~20 broadcasts run before V8 has optimized the send loop. */
const INNER_WARMUP = 20;

interface Waiter {
  marker: string;
  remaining: number;
  first: number;
  last: number;
  done: () => void;
}

interface InnerRun {
  sockets: number;
  open_ms: number;
  to_first_ms: number[];
  to_last_ms: number[];
  rpc_ms: number[];
}

/** bench/worker.ts's in-workerd harness: sockets held by a Worker in the same workerd, no proxy, no Node client. */
async function inner(ctx: BenchContext, sockets: number, mode: "ingest" | "publish" = "ingest"): Promise<InnerRun> {
  const token = await ctx.token(`${ORG}-inner-${mode}-${sockets}`, "read ingest");
  const res = await fetch(
    `${ctx.baseUrl}/api/v1/streaming-analytics/bench/fanout-inner?sockets=${sockets}&posts=${INNER_POSTS}&settle_ms=${SETTLE_MS}&warmup=${INNER_WARMUP}&mode=${mode}`,
    {
      method: "POST",
      headers: { Authorization: `Bearer ${token}` },
    },
  );
  if (res.status !== 200) throw new Error(`fanout-inner ${res.status}: ${await res.text()}`);
  const run = (await res.json()) as InnerRun;
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  return {
    ...run,
    to_first_ms: sorted(run.to_first_ms),
    to_last_ms: sorted(run.to_last_ms),
    rpc_ms: sorted(run.rpc_ms),
  };
}

export default async function fanout(ctx: BenchContext): Promise<BenchSection> {
  // Inside workerd first, while no Node socket is open: the same hub, the same 1,000 sockets.
  const innerOne = await inner(ctx, 1);
  const innerMany = await inner(ctx, SOCKETS);
  const innerPublish = await inner(ctx, SOCKETS, "publish");
  ctx.log(
    `inside workerd: 1 socket p50 ${percentile(innerOne.to_last_ms, 50)} ms, ${SOCKETS} sockets p50 ${percentile(innerMany.to_last_ms, 50)} ms, p99 ${percentile(innerMany.to_last_ms, 99)} ms`,
  );
  const token = await ctx.token(ORG, "read ingest");
  let waiter: Waiter | null = null;

  const open = async (): Promise<WebSocket> => {
    const ws = await openLiveSocket(ctx.baseUrl, token);
    // Cheap check on purpose: the client is one Node thread receiving 1,000 frames per post.
    ws.addEventListener("message", (e) => {
      const w = waiter;
      if (!w || typeof e.data !== "string" || !e.data.includes(w.marker)) return;
      const now = performance.now();
      if (w.first === 0) w.first = now;
      w.last = now;
      if (--w.remaining === 0) w.done();
    });
    return ws;
  };

  /** Posts one event per round; returns ms from send to first and to last socket having it. */
  const rounds = async (sockets: number, label: string) => {
    const toLast: number[] = [];
    const toFirst: number[] = [];
    const postRtt: number[] = [];
    for (let i = 0; i < POSTS; i++) {
      const marker = `${label}-${i}-${crypto.randomUUID()}`;
      let done!: () => void;
      const all = new Promise<void>((r) => (done = r));
      const w: Waiter = { marker, remaining: sockets, first: 0, last: 0, done };
      waiter = w;
      const t0 = performance.now();
      const res = await fetch(`${ctx.baseUrl}/api/v1/streaming-analytics/events`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ events: [{ event_id: marker, event_type: "bench" }] }),
      });
      postRtt.push(performance.now() - t0);
      if (res.status !== 202) throw new Error(`POST /events ${res.status}: ${await res.text()}`);
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`${label}: ${w.remaining} sockets never got ${marker}`)), 15_000),
      );
      await Promise.race([all, timeout]);
      toFirst.push(w.first - t0);
      toLast.push(w.last - t0);
      waiter = null;
      await new Promise((r) => setTimeout(r, GAP_MS));
    }
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    return { toLast: sorted(toLast), toFirst: sorted(toFirst), postRtt: sorted(postRtt) };
  };

  const sockets: WebSocket[] = [];
  try {
    sockets.push(await open());
    const one = await rounds(1, "one");
    ctx.log(`1 socket: p50 ${round(percentile(one.toLast, 50))} ms`);

    const opening = performance.now();
    while (sockets.length < SOCKETS) {
      const batch = Math.min(50, SOCKETS - sockets.length);
      sockets.push(...(await Promise.all(Array.from({ length: batch }, open))));
    }
    const openSeconds = (performance.now() - opening) / 1000;
    ctx.log(`${SOCKETS} sockets open in ${round(openSeconds, 1)} s`);
    const many = await rounds(SOCKETS, "many");

    const p = (xs: number[], q: number) => round(percentile(xs, q));
    const p50One = p(one.toLast, 50);
    const p50Many = p(many.toLast, 50);
    return {
      title: `Live fan-out: POST /events to the last of ${SOCKETS} sockets`,
      figures: [
        { name: "1 socket: POST to message, p50", value: p50One, unit: "ms" },
        { name: "1 socket: POST to message, p99", value: p(one.toLast, 99), unit: "ms" },
        { name: `${SOCKETS} sockets: POST to first socket, p50`, value: p(many.toFirst, 50), unit: "ms" },
        { name: `${SOCKETS} sockets: POST to last socket, p50`, value: p50Many, unit: "ms" },
        { name: `${SOCKETS} sockets: POST to last socket, p99`, value: p(many.toLast, 99), unit: "ms" },
        { name: "1 socket: POST /events round trip, p50", value: p(one.postRtt, 50), unit: "ms" },
        { name: `${SOCKETS} sockets: POST /events round trip, p50`, value: p(many.postRtt, 50), unit: "ms" },
        {
          name: "added per socket (p50, last minus single)",
          value: round(((p50Many - p50One) * 1000) / (SOCKETS - 1), 1),
          unit: "µs",
        },
        { name: `opening ${SOCKETS} sockets (ticket + upgrade + snapshot)`, value: round(openSeconds, 2), unit: "s" },
        {
          name: "inside workerd, 1 socket: ingest RPC to message, p50",
          value: percentile(innerOne.to_last_ms, 50),
          unit: "ms",
        },
        {
          name: `inside workerd, ${SOCKETS} sockets: ingest RPC to first socket, p50 / p99`,
          value: percentile(innerMany.to_first_ms, 50),
          // The tail's cause shows here: when the last socket is late, the first one is too.
          unit: `ms / ${percentile(innerMany.to_first_ms, 99)} ms`,
        },
        {
          name: `inside workerd, ${SOCKETS} sockets: ingest RPC to last socket, p50`,
          value: percentile(innerMany.to_last_ms, 50),
          unit: "ms",
        },
        {
          name: `inside workerd, ${SOCKETS} sockets: ingest RPC to last socket, p99`,
          value: percentile(innerMany.to_last_ms, 99),
          unit: "ms",
        },
        {
          name: `inside workerd, ${SOCKETS} sockets, publish only (no write): to last socket, p50 / p99`,
          value: percentile(innerPublish.to_last_ms, 50),
          unit: `ms / ${percentile(innerPublish.to_last_ms, 99)} ms`,
        },
        {
          name: `inside workerd, ${SOCKETS} sockets: ingest RPC round trip, p50`,
          value: percentile(innerMany.rpc_ms, 50),
          unit: "ms",
        },
        {
          name: `inside workerd: opening ${SOCKETS} sockets (upgrade + snapshot)`,
          value: round(innerMany.open_ms / 1000, 2),
          unit: "s",
        },
      ],
      ratios: [
        { name: `p50 to last of ${SOCKETS} sockets / p50 with 1 socket`, value: round(p50Many / p50One, 2) },
        {
          name: `inside workerd, p99 to last of ${SOCKETS} sockets (ms; goal in ms)`,
          value: percentile(innerMany.to_last_ms, 99),
          goal: "< 50",
        },
        {
          name: `end to end, p99 to last of ${SOCKETS} sockets (ms; goal in ms)`,
          value: p(many.toLast, 99),
          goal: "< 100",
        },
        {
          name: "share of the end-to-end p50 spent outside workerd (local proxy, HTTP, Node client)",
          value: round(1 - percentile(innerMany.to_last_ms, 50) / p50Many, 2),
        },
        {
          name: `POST /events round trip p50, ${SOCKETS} sockets / 1 socket`,
          value: round(p(many.postRtt, 50) / p(one.postRtt, 50), 2),
          goal: "≈ 1 (ingestion does not wait for the fan-out)",
        },
      ],
      notes: [
        `${POSTS} posts per phase, ${GAP_MS} ms apart (wider than the 100 ms coalescing slot, so no batching delay).`,
        "Client and server share the machine: the Node client receiving 1,000 frames is part of the figure.",
        `Inside workerd: ${INNER_POSTS} timed posts after ${INNER_WARMUP} untimed ones (the first ~20 broadcasts are up to 2x slower, before V8 optimizes the send loop), after a ${SETTLE_MS / 1000} s pause once the sockets are open (right after a burst of 1,000 upgrades the first ingest waits ~0.8 s on workerd settling the sockets, with the isolate idle; a one-off, not a delivery cost). bench/worker.ts opens the sockets on the org object from a Worker in the same workerd (the live route's forwarded upgrade) and times the ingest RPC to each socket's message handler with Date.now(), which workerd advances at each I/O event (1 ms resolution). The receiving Worker shares the process, so its 1,000 message handlers are part of that figure too.`,
        "Where the inside-workerd tail goes (perf record of the workerd process over 170 posts, 2026-12-02): in the slow posts a pause lands either before the send pass (the first socket is late too: first 52-85 ms, last 62-93 ms) or inside it (first 13-34 ms, last 45-61 ms). The pauses are V8 garbage collection: 47 full mark-compact pauses of 30-66 ms on the isolate's thread, triggered by allocation, most of it workerd's own per-send work (LegacyWebSocketAdapter::ensurePumping creates a promise and its continuation for each send to an idle socket). Moving the 1,000 receiving sockets into a second Worker's isolate (wrangler dev with two configs) gave the same p50 22 / p99 74 ms: locally every isolate runs on workerd's one thread.",
        "Why the p99 is a GC pause (V8's GC trace, MINIFLARE_WORKERD_V8_FLAGS=\"--trace-gc --trace-gc-verbose\", 2026-12-03): with 1,000 sockets the isolate runs one full mark-compact about every 30 posts (8 s apart at 3.6 posts/s), each 35-47 ms, taking the heap from 39-43 MB back to 12 MB. The slow posts are the ones it lands in (52 and 68 ms in a 60-post run with two of them). A scavenge of the 16 MB young space frees only 3.3 MB of it: most per-send and per-receive objects are still referenced when it runs (presumably because workerd's native side still references them until a full GC), so they are promoted and only a mark-compact frees them. publish-only (no write) shows the same cadence as ingest, so the write adds nothing to it. Nor is it the harness's receivers: with 1,000 Node sockets instead (the end-to-end path, 100 posts), the isolate, which then only sends, still ran 4 mark-compacts of 34-89 ms, about every 25 posts. The garbage comes from the sends themselves, workerd's per-send work, which no JS change here removes: the hub already makes one frame per flush and one send per socket. At three or more such pauses per 100 posts, the p99 (the second-largest of 100) always holds one: p99 = p50 + one pause.",
      ],
    };
  } finally {
    for (const ws of sockets) ws.close(1000, "bench done");
  }
}
