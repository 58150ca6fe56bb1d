// Notification channels must never slow ingestion (issue 13). POST /metrics with the same 500-point
// batches into two organizations with the same alert rules, alternating rounds in the same run:
// "notify" has 3 channels (two receivers that answer 200, one that accepts the connection and never
// answers, so every attempt to it runs into the 10 s delivery timeout and is retried), "quiet" has
// none. Every round brings a fresh set of metrics whose rules open alerts on the first batch, and the
// previous round's alerts resolve on no data, so deliveries are queued (in the ingest transaction)
// and sent (from the alarm) throughout. The ratio is notify events/s over quiet events/s.
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from "node:net";
import type { BenchContext, BenchSection, LoadResult } from "./harness.ts";
import { round } from "./harness.ts";

const P = "/api/v1/streaming-analytics";
const BATCH = 500;
const CONCURRENCY = 8;
const ROUND_MS = 5_000;
const ROUNDS = 4;
/** Rules (one metric each) added per round in both organizations. */
const RULES_PER_ROUND = 10;

interface Receivers {
  upUrls: string[];
  downUrl: string;
  received: () => number;
  close: () => Promise<void>;
}

const listen = (server: HttpServer | TcpServer) =>
  new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : 0);
    }),
  );

/** Two receivers that answer 200, and one that takes the connection and never answers. */
async function startReceivers(): Promise<Receivers> {
  let received = 0;
  const up = createHttpServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received++;
      res.writeHead(200).end("ok");
    });
  });
  const sockets = new Set<Socket>();
  const down = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => sockets.delete(socket));
    socket.resume(); // read and drop the request; never write an answer
  });
  const upPort = await listen(up);
  const downPort = await listen(down);
  return {
    upUrls: [`http://127.0.0.1:${upPort}/hook-a`, `http://127.0.0.1:${upPort}/hook-b`],
    downUrl: `http://127.0.0.1:${downPort}/hook-down`,
    received: () => received,
    close: async () => {
      for (const s of sockets) s.destroy();
      up.closeAllConnections();
      await Promise.all([new Promise((r) => up.close(r)), new Promise((r) => down.close(r))]);
    },
  };
}

async function post(ctx: BenchContext, token: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${ctx.baseUrl}${P}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

const metricOf = (round: number, k: number) => `bench.notify.r${round}.m${k}`;

/** Both organizations get the same rules: the quiet one pays for rule evaluation too. */
async function addRules(ctx: BenchContext, tokens: string[], round: number): Promise<void> {
  for (const token of tokens) {
    for (let k = 0; k < RULES_PER_ROUND; k++) {
      await post(ctx, token, "/alert-rules", {
        name: `r${round} m${k} receiving data`,
        metric_name: metricOf(round, k),
        aggregation: "count",
        window_seconds: 10,
        operator: "gt",
        threshold: 0,
        severity: k % 2 === 0 ? "error" : "critical",
        no_data: "resolve",
      });
    }
  }
}

const batch = (round: number, i: number) => ({
  metrics: Array.from({ length: BATCH }, (_, j) => ({
    name: metricOf(round, (i + j) % RULES_PER_ROUND),
    value: (i * BATCH + j) % 997,
  })),
});

async function ingest(ctx: BenchContext, token: string, round: number): Promise<LoadResult> {
  return ctx.load({
    concurrency: CONCURRENCY,
    durationMs: ROUND_MS,
    request: (i) => ({ path: `${P}/metrics`, body: batch(round, i), headers: { Authorization: `Bearer ${token}` } }),
  });
}

const pointsPerSecond = (r: LoadResult) => ((r.statuses["202"] ?? 0) * BATCH) / r.seconds;

interface DeliveryCounts {
  pending: number;
  delivered: number;
  failed: number;
  attempts: number;
}

async function deliveries(ctx: BenchContext, token: string, channelId: string): Promise<DeliveryCounts> {
  const counts: DeliveryCounts = { pending: 0, delivered: 0, failed: 0, attempts: 0 };
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`;
    const res = await fetch(`${ctx.baseUrl}${P}/channels/${channelId}/deliveries?limit=500${query}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    if (!res.ok) throw new Error(`deliveries: ${res.status} ${await res.text()}`);
    const page = (await res.json()) as {
      items: { status: "pending" | "delivered" | "failed"; attempts: number }[];
      next_cursor: string | null;
    };
    for (const d of page.items) {
      counts[d.status]++;
      counts.attempts += d.attempts;
    }
    cursor = page.next_cursor;
  } while (cursor !== null);
  return counts;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length / 2;
  return Number.isInteger(mid) ? ((s[mid - 1] as number) + (s[mid] as number)) / 2 : (s[Math.floor(mid)] as number);
};

export default async function notifyBench(ctx: BenchContext): Promise<BenchSection> {
  const receivers = await startReceivers();
  try {
    const notifyToken = await ctx.token("bench-notify", "ingest read write");
    const quietToken = await ctx.token("bench-notify-quiet", "ingest read write");
    const channels = (await Promise.all(
      [
        { name: "up webhook", type: "webhook", url: receivers.upUrls[0] },
        { name: "up slack", type: "slack", url: receivers.upUrls[1] },
        { name: "down webhook", type: "webhook", url: receivers.downUrl },
      ].map((c) => post(ctx, notifyToken, "/channels", { ...c, min_severity: "warning" })),
    )) as { id: string; name: string }[];

    // Warm both organizations (isolate, objects, SQLite pages) with round 0's metrics.
    await addRules(ctx, [notifyToken, quietToken], 0);
    await ingest(ctx, quietToken, 0);
    await ingest(ctx, notifyToken, 0);

    const quiet: LoadResult[] = [];
    const notify: LoadResult[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      await addRules(ctx, [notifyToken, quietToken], r);
      // Alternate which side goes first, so drift within a pair does not favour one side.
      if (r % 2 === 1) {
        quiet.push(await ingest(ctx, quietToken, r));
        notify.push(await ingest(ctx, notifyToken, r));
      } else {
        notify.push(await ingest(ctx, notifyToken, r));
        quiet.push(await ingest(ctx, quietToken, r));
      }
    }
    for (const r of [...quiet, ...notify]) {
      if (r.errors > 0) throw new Error(`errors under load: ${JSON.stringify(r.statuses)}`);
    }
    const ratios = notify.map((n, i) => pointsPerSecond(n) / pointsPerSecond(quiet[i] as LoadResult));
    ctx.log(`per-round ratios: ${ratios.map((x) => round(x, 3)).join(", ")}`);

    const perChannel = await Promise.all(channels.map((c) => deliveries(ctx, notifyToken, c.id)));
    const mean = (xs: LoadResult[], f: (r: LoadResult) => number) => xs.reduce((t, r) => t + f(r), 0) / xs.length;
    const down = perChannel[2] as DeliveryCounts;
    const live = perChannel.slice(0, 2);
    const up = live.reduce((t, c) => t + c.delivered, 0);
    const upPending = live.reduce((t, c) => t + c.pending, 0);
    return {
      title: "Ingestion with notification channels (POST /metrics, 3 channels, one receiver down)",
      figures: [
        { name: "POST /metrics, no channels", value: round(mean(quiet, pointsPerSecond), 0), unit: "points/s" },
        {
          name: "POST /metrics, 3 channels (one down)",
          value: round(mean(notify, pointsPerSecond), 0),
          unit: "points/s",
        },
        {
          name: "latency p50 / p99, no channels",
          value: round(mean(quiet, (r) => r.p50Ms)),
          unit: `ms / ${round(mean(quiet, (r) => r.p99Ms))} ms`,
        },
        {
          name: "latency p50 / p99, 3 channels",
          value: round(mean(notify, (r) => r.p50Ms)),
          unit: `ms / ${round(mean(notify, (r) => r.p99Ms))} ms`,
        },
        { name: "live receivers: deliveries delivered / still pending at the end", value: up, unit: `/ ${upPending}` },
        { name: "requests the live receivers answered", value: receivers.received(), unit: "" },
        {
          name: "dead receiver: deliveries pending / attempts made",
          value: down.pending,
          unit: `/ ${down.attempts}`,
        },
      ],
      ratios: [
        {
          name: "POST /metrics points/s, 3 channels (one down) / no channels",
          value: round(median(ratios), 3),
          goal: ">= 0.9",
        },
      ],
      notes: [
        `${ROUNDS} alternating rounds of ${ROUND_MS / 1000} s per side (concurrency ${CONCURRENCY}, ${BATCH}-point batches); the ratio is the median of the per-round ratios.`,
        `Each round adds ${RULES_PER_ROUND} count rules on fresh metrics in both organizations: they open alerts on the round's first batches and resolve on no data afterwards, so deliveries keep being queued and sent while batches arrive.`,
        "The dead receiver accepts TCP connections and never answers: each attempt holds one of the 8 in-flight slots for the 10 s timeout, then is retried with backoff.",
      ],
    };
  } finally {
    await receivers.close();
  }
}
