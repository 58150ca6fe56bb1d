// Tagged alert rule reads (service-rules.ts windowValues): a rule filtered on env=prod over 1,000
// tag sets with 31 daily windows at hourly buckets, 745,000 rollups, read inside the organization's
// object the two ways the rules read them. `totals`: SQLite adds each window's rows up (count, sum,
// avg, min, max). `rows`: every rollup read and folded as it comes, what a percentile needs. The
// same avg read both ways in alternating rounds is the ratio; p95 (rows only) is reported beside it.
// A real rule's evaluation is timed too: with its caches cleared, again at the same edges, and after
// its edges moved one bucket (what happens once an hour), each against a cleared-cache read.
// GET /metrics/:name over 7 days of the same tag sets is timed too, against the read as it was
// before stop 23 (every row held with its sketch parsed). Rule figures are timed by this client
// around one HTTP call each (a few ms of them are the call itself); series reads inside the object.
import type { BenchContext, BenchSection } from "./harness.ts";
import { round } from "./harness.ts";

const P = "/api/v1/streaming-analytics/bench";
const SETS = 1000;
const ROUNDS = 3;

interface Read {
  values: (number | null)[];
  tag_sets: number;
  ms: number;
  /** What the object held of the rules' merged buckets after the call (rule-observe only). */
  merged?: { buckets: number; bytes: number };
}

async function call(ctx: BenchContext, token: string, path: string): Promise<{ read: Read; ms: number }> {
  const started = performance.now();
  const res = await fetch(`${ctx.baseUrl}${P}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}` },
  });
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  const read = (await res.json()) as Read;
  return { read, ms: performance.now() - started };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

export default async function rules(ctx: BenchContext): Promise<BenchSection> {
  const token = await ctx.token("bench-rules", "read ingest");
  const seeded = await call(ctx, token, `/rule-reads/seed?sets=${SETS}`);
  ctx.log(`seeded ${JSON.stringify(seeded.read)} in ${round(seeded.ms)} ms`);
  const totals: number[] = [];
  const rows: number[] = [];
  const p95: number[] = [];
  const ratios: number[] = [];
  const observed = {
    avg: { cold: [] as number[], warm: [] as number[], ratios: [] as number[] },
    p95: { cold: [] as number[], warm: [] as number[], ratios: [] as number[] },
  };
  const moved = { ms: [] as number[], ratios: [] as number[] };
  // GET /metrics/:name over 7 days of the same tag sets (bench/worker.ts seriesRead): the production
  // fold against the read as it was (rows held, sketches parsed), same object, same clock.
  const SERIES = [
    { key: "avg", query: "aggregation=avg", label: "avg, env=prod" },
    { key: "p95", query: "aggregation=p95", label: "p95, env=prod" },
    {
      key: "avg-host",
      query: "aggregation=avg&grouped=1",
      label: "avg, env=prod, group_by=host (1,000 groups, daily step)",
    },
    {
      key: "p95-host",
      query: "aggregation=p95&grouped=1",
      label: "p95, env=prod, group_by=host (1,000 groups, daily step)",
    },
  ] as const;
  const series = new Map(
    SERIES.map((x) => [x.key, { fold: [] as number[], held: [] as number[], ratios: [] as number[] }]),
  );
  const refetch = { ms: [] as number[], ratios: [] as number[] };
  let held = { buckets: 0, bytes: 0 };
  for (let r = 0; r < ROUNDS; r++) {
    const viaTotals = await call(ctx, token, "/rule-reads?path=totals&aggregation=avg");
    const viaRows = await call(ctx, token, "/rule-reads?path=rows&aggregation=avg");
    const percentile = await call(ctx, token, "/rule-reads?path=rows&aggregation=p95");
    // The same windows either way (sums up to the order of their additions).
    viaTotals.read.values.forEach((v, k) => {
      const w = viaRows.read.values[k];
      if (v === null || w === null || w === undefined || Math.abs(v - w) > 1e-9 * Math.abs(w))
        throw new Error(`window ${k}: totals ${v}, rows ${w}`);
    });
    if (viaTotals.read.tag_sets !== SETS) throw new Error(`read ${viaTotals.read.tag_sets} tag sets, not ${SETS}`);
    totals.push(viaTotals.ms);
    rows.push(viaRows.ms);
    p95.push(percentile.ms);
    ratios.push(viaRows.ms / viaTotals.ms);
    for (const aggregation of ["avg", "p95"] as const) {
      const cold = await call(ctx, token, `/rule-observe?aggregation=${aggregation}&cache=cold`);
      const warm = await call(ctx, token, `/rule-observe?aggregation=${aggregation}&cache=warm`);
      if (JSON.stringify(cold.read.values) !== JSON.stringify(warm.read.values))
        throw new Error(`${aggregation}: cached ${warm.read.values} against ${cold.read.values}`);
      observed[aggregation].cold.push(cold.ms);
      observed[aggregation].warm.push(warm.ms);
      observed[aggregation].ratios.push(cold.ms / warm.ms);
    }
    // The p95 rule once its edges moved one bucket (its merged buckets kept, baseline-cache.ts),
    // against the same evaluation with every cache cleared at the same clock.
    const afterMove = await call(ctx, token, "/rule-observe?aggregation=p95&cache=moved");
    const sameEdgesCold = await call(ctx, token, "/rule-observe?aggregation=p95&cache=cold");
    if (JSON.stringify(afterMove.read.values) !== JSON.stringify(sameEdgesCold.read.values))
      throw new Error(`p95 after a move: ${afterMove.read.values} against ${sameEdgesCold.read.values}`);
    moved.ms.push(afterMove.ms);
    held = afterMove.read.merged ?? held;
    moved.ratios.push(sameEdgesCold.ms / afterMove.ms);
    // After the rule reads: a series read clears the object's caches first (a chart's first read).
    for (const x of SERIES) {
      const fold = await call(ctx, token, `/series-read?${x.query}&mode=fold`);
      const heldRows = await call(ctx, token, `/series-read?${x.query}&mode=held`);
      if (JSON.stringify(fold.read.values) !== JSON.stringify(heldRows.read.values))
        throw new Error(
          `series ${x.key}: folded ${fold.read.values.slice(0, 5)} against ${heldRows.read.values.slice(0, 5)}`,
        );
      const s = series.get(x.key) as { fold: number[]; held: number[]; ratios: number[] };
      s.fold.push(fold.read.ms);
      s.held.push(heldRows.read.ms);
      s.ratios.push(heldRows.read.ms / fold.read.ms);
      if (x.key === "p95") {
        // A chart's refetch with nothing written since: its merged buckets, no rows.
        const again = await call(ctx, token, `/series-read?${x.query}&mode=refetch`);
        if (JSON.stringify(again.read.values) !== JSON.stringify(fold.read.values))
          throw new Error(`p95 refetch: ${again.read.values.slice(0, 5)} against ${fold.read.values.slice(0, 5)}`);
        refetch.ms.push(again.read.ms);
        refetch.ratios.push(fold.read.ms / again.read.ms);
      }
    }
    ctx.log(
      `round ${r}: totals ${round(viaTotals.ms)} ms, rows ${round(viaRows.ms)} ms, p95 rows ${round(percentile.ms)} ms`,
    );
  }
  return {
    title: `Tagged rule reads: 31 daily windows over ${SETS} tag sets (${SETS * 745} rollups)`,
    figures: [
      { name: "avg, summed by SQLite (totals), median round", value: round(median(totals)), unit: "ms" },
      { name: "avg, every rollup read and folded (rows), median round", value: round(median(rows)), unit: "ms" },
      { name: "p95 (rows: a percentile merges every sketch), median round", value: round(median(p95)), unit: "ms" },
      ...(["avg", "p95"] as const).flatMap((a) => [
        {
          name: `${a} rule evaluated, baseline cache cleared first, median round`,
          value: round(median(observed[a].cold)),
          unit: "ms",
        },
        {
          name: `${a} rule evaluated again at the same edges (baseline cached), median round`,
          value: round(median(observed[a].warm)),
          unit: "ms",
        },
      ]),
      {
        name: "p95 rule evaluated after its edges moved one hourly bucket (merged buckets kept), median round",
        value: round(median(moved.ms)),
        unit: "ms",
      },
      ...SERIES.flatMap((x) => {
        const s = series.get(x.key) as { fold: number[]; held: number[] };
        return [
          {
            name: `GET /metrics/:name, 7 days, ${x.label}: folded as read, median round`,
            value: round(median(s.fold)),
            unit: "ms",
          },
          {
            name: `the same read with its rows held and parsed (before stop 23), median round`,
            value: round(median(s.held)),
            unit: "ms",
          },
        ];
      }),
      {
        name: "GET /metrics/:name, 7 days, p95, env=prod: refetched with nothing written (merged buckets kept), median round",
        value: round(median(refetch.ms)),
        unit: "ms",
      },
      {
        name: "merged buckets held for the p95 rule (the object's budget: 16 MiB)",
        value: held.buckets,
        unit: `buckets, ${round(held.bytes / 1024 / 1024)} MiB`,
      },
    ],
    ratios: [
      {
        name: "rows / totals, the same avg read (median of the rounds' ratios)",
        value: round(median(ratios)),
      },
      ...(["avg", "p95"] as const).map((a) => ({
        name: `${a} rule, cleared cache / cached baseline (median of the rounds' ratios)`,
        value: round(median(observed[a].ratios)),
      })),
      {
        name: "p95 rule after its edges moved: cleared cache / merged buckets kept (median of the rounds' ratios)",
        value: round(median(moved.ratios)),
      },
      {
        name: "GET /metrics/:name, p95, env=prod: first read / refetch (median of the rounds' ratios)",
        value: round(median(refetch.ratios)),
      },
      ...SERIES.map((x) => ({
        name: `GET /metrics/:name, ${x.label}: rows held and parsed / folded as read (median of the rounds' ratios)`,
        value: round(median((series.get(x.key) as { ratios: number[] }).ratios)),
      })),
    ],
    notes: [
      `${ROUNDS} alternating rounds; both rule-read paths are the production functions (bench/worker.ts ruleReads)`,
      "series reads are timed inside the object (bench/worker.ts seriesRead); each pair answers the same numbers, checked",
    ],
  };
}
