import { describe, expect, it } from "vitest";
import { as, expectProblem, expectQueryError } from "../helpers";
import { pinClock } from "../org-object";

const P = "/api/v1/streaming-analytics";

interface Series {
  name: string;
  aggregation: string;
  window_seconds: number;
  step_seconds: number;
  value: number | null;
  series: { t: string; value: number | null }[];
}
interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** Deterministic PRNG (mulberry32) so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Nearest-rank percentile, the definition the API documents. */
const exactQuantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1] as number;

describe("metrics", () => {
  it("percentiles within 1% of the exact values on skewed (log-normal) data; count/sum/min/max exact", async () => {
    const c = await as("m-quantiles");
    const random = rng(42);
    const now = Date.now();
    const values: number[] = [];
    for (let batch = 0; batch < 5; batch++) {
      const metrics = Array.from({ length: 1000 }, () => {
        // Box-Muller: latency-like, heavy right tail (p99 ~ 10x median).
        const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
        const value = Math.exp(3 + 1 * z);
        values.push(value);
        return { name: "latency_ms", value, timestamp: now - Math.floor(random() * 240_000) };
      });
      expect((await c.post(`${P}/metrics`, { metrics })).status).toBe(202);
    }
    const sorted = [...values].sort((a, b) => a - b);
    for (const [aggregation, q] of [
      ["p50", 0.5],
      ["p90", 0.9],
      ["p95", 0.95],
      ["p99", 0.99],
    ] as const) {
      const res = await c.get(`${P}/metrics/latency_ms?window=600&aggregation=${aggregation}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as Series;
      const exact = exactQuantile(sorted, q);
      expect(Math.abs((body.value as number) - exact) / exact).toBeLessThanOrEqual(0.01);
    }
    const get = async (aggregation: string) =>
      ((await (await c.get(`${P}/metrics/latency_ms?window=600&aggregation=${aggregation}`)).json()) as Series).value;
    expect(await get("count")).toBe(5000);
    expect(await get("sum")).toBeCloseTo(
      values.reduce((s, v) => s + v, 0),
      6,
    );
    expect(await get("min")).toBe(sorted[0]);
    expect(await get("max")).toBe(sorted[sorted.length - 1]);
    expect(await get("avg")).toBeCloseTo(values.reduce((s, v) => s + v, 0) / values.length, 9);
  });

  it("series: ISO step starts, ascending, counts per step add up to the window", async () => {
    const c = await as("m-series");
    const now = Date.now();
    const metrics = Array.from({ length: 120 }, (_, i) => ({ name: "reqs", value: 1, timestamp: now - i * 5_000 }));
    await c.post(`${P}/metrics`, { metrics });
    const body = (await (await c.get(`${P}/metrics/reqs?window=900&step=60&aggregation=count`)).json()) as Series;
    expect(body).toMatchObject({ name: "reqs", aggregation: "count", window_seconds: 900, step_seconds: 60 });
    const times = body.series.map((p) => Date.parse(p.t));
    expect(times.every((t, i) => i === 0 || t - (times[i - 1] as number) === 60_000)).toBe(true);
    expect(body.series.every((p) => p.t.endsWith("Z"))).toBe(true);
    expect(body.series.reduce((s, p) => s + (p.value ?? 0), 0)).toBe(120);
    expect(body.value).toBe(120);
    // Default aggregation is avg, default window an hour.
    const dflt = (await (await c.get(`${P}/metrics/reqs`)).json()) as Series;
    expect(dflt).toMatchObject({ aggregation: "avg", window_seconds: 3600, value: 1 });
  });

  it("GET /metrics lists names with latest value and trend", async () => {
    const c = await as("m-list");
    const now = Date.now();
    // Previous 5 min around 10, last 5 min around 20: trend up. A flat metric: stable.
    const metrics = [
      ...Array.from({ length: 10 }, (_, i) => ({ name: "rising", value: 10, timestamp: now - 400_000 - i * 1000 })),
      ...Array.from({ length: 10 }, (_, i) => ({ name: "rising", value: 20, timestamp: now - 60_000 - i * 1000 })),
      ...Array.from({ length: 10 }, (_, i) => ({ name: "flat", value: 5, timestamp: now - i * 40_000 })),
    ];
    metrics.push({ name: "rising", value: 21, timestamp: now - 1000 });
    await c.post(`${P}/metrics`, { metrics });
    const list = (await (await c.get(`${P}/metrics`)).json()) as Page<{
      name: string;
      latest: number;
      trend: string;
      latest_at: string;
    }>;
    expect(list.items.map((m) => m.name)).toEqual(["flat", "rising"]);
    expect(list.items[1]).toMatchObject({ latest: 21, trend: "up", latest_at: new Date(now - 1000).toISOString() });
    expect(list.items[0]).toMatchObject({ latest: 5, trend: "stable" });
  });

  it("validation: 400 naming each bad point, 404 for an unknown metric, over 1000 points", async () => {
    const c = await as("m-bad");
    const bad = await expectProblem(
      await c.post(`${P}/metrics`, {
        metrics: [
          { name: "ok", value: 1 },
          { name: "bad name!", value: 1 },
          { name: "x", value: "1" },
        ],
      }),
      400,
    );
    expect(bad.errors?.map((e) => e.path)).toEqual(["metrics.1.name", "metrics.2.value"]);
    await expectProblem(
      await c.post(`${P}/metrics`, { metrics: Array.from({ length: 1001 }, () => ({ name: "a", value: 1 })) }),
      400,
    );
    await expectProblem(await c.post(`${P}/metrics`, { name: "a" }), 400);
    // Nothing of the rejected batches was stored.
    expect(((await (await c.get(`${P}/metrics`)).json()) as Page<unknown>).items).toHaveLength(0);
    await expectProblem(await c.get(`${P}/metrics/never_sent`), 404);
    await c.post(`${P}/metrics`, { name: "single", value: 3 });
    await expectProblem(await c.get(`${P}/metrics/single?aggregation=p42`), 400);
    await expectProblem(await c.get(`${P}/metrics/single?window=abc`), 400);
    await expectProblem(await c.get(`${P}/metrics/single?window=5`), 400);
    expect((await c.get(`${P}/metrics/single?aggregation=max`)).status).toBe(200);
  });

  // "." and ".." were accepted and stored, but no URL can name them: clients and the runtime
  // normalize /metrics/.. (and %2e%2e) away, so GET /metrics/:name could never read them.
  it("a name that is only dots ('.' or '..') is refused; dots within a name are fine, and read back", async () => {
    const c = await as("m-dots");
    const bad = await expectProblem(
      await c.post(`${P}/metrics`, {
        metrics: [
          { name: ".", value: 1 },
          { name: "..", value: 1 },
        ],
      }),
      400,
    );
    expect(bad.errors?.map((e) => e.path)).toEqual(["metrics.0.name", "metrics.1.name"]);
    expect(((await (await c.get(`${P}/metrics`)).json()) as Page<unknown>).items).toHaveLength(0);
    const fine = ["...", ".a", "a..", "a.b"];
    expect((await c.post(`${P}/metrics`, { metrics: fine.map((name) => ({ name, value: 2 })) })).status).toBe(202);
    for (const name of fine) {
      const res = await c.get(`${P}/metrics/${encodeURIComponent(name)}?aggregation=max`);
      expect(res.status, name).toBe(200);
      expect(((await res.json()) as { name: string; value: number }).value).toBe(2);
    }
  });
});

describe("predictions", () => {
  it("single and batch, filters, newest first", async () => {
    const c = await as("pred-org");
    const one = await c.post(`${P}/predictions`, {
      model_name: "churn",
      model_version: "v2",
      prediction: { label: "stay" },
      confidence: 0.9,
      latency_ms: 12.5,
      features: { tenure: 3 },
    });
    expect(one.status).toBe(201);
    expect(await one.json()).toMatchObject({
      model_name: "churn",
      model_version: "v2",
      prediction: { label: "stay" },
      confidence: 0.9,
      latency_ms: 12.5,
    });
    const base = Date.parse("2026-11-20T00:00:00Z");
    const batch = await c.post(`${P}/predictions`, {
      predictions: [0.1, 0.5, 0.7].map((confidence, i) => ({
        model_name: "fraud",
        prediction: i,
        confidence,
        timestamp: base + i,
      })),
    });
    expect(batch.status).toBe(201);
    expect(((await batch.json()) as { accepted: number }).accepted).toBe(3);

    const fraud = (await (await c.get(`${P}/predictions?model_name=fraud`)).json()) as Page<{ prediction: number }>;
    expect(fraud.items.map((p) => p.prediction)).toEqual([2, 1, 0]);
    const confident = (await (await c.get(`${P}/predictions?min_confidence=0.5`)).json()) as Page<{
      confidence: number;
    }>;
    expect(confident.items.map((p) => p.confidence).sort()).toEqual([0.5, 0.7, 0.9]);
    const since = (await (await c.get(`${P}/predictions?since=${base + 1}&model_name=fraud`)).json()) as Page<unknown>;
    expect(since.items).toHaveLength(2);
    // One version of a model: the other model's and unversioned predictions are left out.
    await c.post(`${P}/predictions`, { model_name: "churn", model_version: "v3", prediction: 3, confidence: 0.4 });
    const v2 = (await (await c.get(`${P}/predictions?model_name=churn&model_version=v2`)).json()) as Page<{
      model_version: string;
      prediction: unknown;
    }>;
    expect(v2.items.map((p) => [p.model_version, p.prediction])).toEqual([["v2", { label: "stay" }]]);
    const v3 = (await (await c.get(`${P}/predictions?model_version=v3`)).json()) as Page<{ prediction: unknown }>;
    expect(v3.items.map((p) => p.prediction)).toEqual([3]);
    await expectProblem(await c.get(`${P}/predictions?model_version=`), 400);

    const bad = await expectProblem(
      await c.post(`${P}/predictions`, {
        predictions: [
          { model_name: "m", prediction: 1, confidence: 0.2 },
          { model_name: "m", prediction: 1, confidence: 1.5 },
        ],
      }),
      400,
    );
    expect(bad.errors?.map((e) => e.path)).toEqual(["predictions.1.confidence"]);
    await expectProblem(await c.post(`${P}/predictions`, { model_name: "m", prediction: 1, confidence: -0.1 }), 400);
    await expectProblem(await c.post(`${P}/predictions`, { model_name: "m", confidence: 0.3 }), 400);
    await expectProblem(await c.get(`${P}/predictions?min_confidence=2`), 400);
  });
});

describe("dashboard", () => {
  it("totals, rates, predictions, alerts by status and severity, sources, metrics, recent items", async () => {
    const c = await as("dash-org");
    const src = (await (await c.post(`${P}/sources`, { name: "s", source_type: "http" })).json()) as { id: string };
    await c.post(`${P}/events`, {
      events: Array.from({ length: 30 }, (_, i) => ({ event_type: "view", source_id: src.id, event_id: `d${i}` })),
    });
    await c.post(`${P}/events`, { events: [{ event_type: "view", event_id: "d0" }] });
    await c.post(`${P}/predictions`, {
      predictions: [0.2, 0.6].map((confidence) => ({ model_name: "m", prediction: 1, confidence })),
    });
    const a = (await (await c.post(`${P}/alerts`, { severity: "critical", title: "a" })).json()) as { id: string };
    await c.post(`${P}/alerts`, { severity: "warning", title: "b" });
    await c.post(`${P}/alerts/${a.id}/acknowledge`, {});
    const r = (await (await c.post(`${P}/alerts`, { severity: "info", title: "c" })).json()) as { id: string };
    await c.post(`${P}/alerts/${r.id}/resolve`, {});
    await c.post(`${P}/metrics`, { name: "cpu", value: 42 });

    const res = await c.get(`${P}/dashboard`);
    expect(res.status).toBe(200);
    const d = (await res.json()) as {
      events: { total: number; last_5m: number; per_minute: number; per_minute_series: { t: string; count: number }[] };
      predictions: { total: number; mean_confidence: number };
      alerts: { by_status: Record<string, number>; by_severity: Record<string, number> };
      sources: { id: string; health: { status: string; events_last_5m: number } }[];
      metrics: { name: string; latest: number; trend: string }[];
      recent_events: { event_id: string }[];
      recent_predictions: unknown[];
    };
    expect(d.events).toMatchObject({ total: 30, last_5m: 30, per_minute: 6 });
    expect(d.events.per_minute_series).toHaveLength(30);
    expect(d.events.per_minute_series.reduce((s, p) => s + p.count, 0)).toBe(30);
    expect(d.predictions.total).toBe(2);
    expect(d.predictions.mean_confidence).toBeCloseTo(0.4, 12);
    expect(d.alerts.by_status).toEqual({ open: 1, acknowledged: 1, resolved: 1 });
    expect(d.alerts.by_severity).toEqual({ info: 0, warning: 1, error: 0, critical: 1 });
    expect(d.sources).toEqual([
      expect.objectContaining({
        id: src.id,
        health: expect.objectContaining({ status: "healthy", events_last_5m: 30 }),
      }),
    ]);
    expect(d.metrics).toEqual([expect.objectContaining({ name: "cpu", latest: 42, trend: "stable" })]);
    expect(d.recent_events).toHaveLength(20);
    expect(d.recent_predictions).toHaveLength(2);
  });
});

describe("GET /dashboard?minutes=", () => {
  it("gives a per-minute series of that many minutes, up to a day, from the kept 10 s counts", async () => {
    const org = "dash-minutes";
    const c = await as(org);
    const MIN = 60_000;
    const now = Date.UTC(2026, 11, 3, 12, 0, 30); // 30 s into a minute
    // Received 170 minutes, 20 hours and 25 hours before now (the clock is the object's, pinned).
    for (const [ago, n] of [
      [25 * 60, 4],
      [20 * 60, 3],
      [170, 2],
      [0, 1],
    ] as const) {
      await pinClock(org, now - ago * MIN);
      const events = Array.from({ length: n }, (_, i) => ({ event_type: "view", event_id: `m-${ago}-${i}` }));
      expect((await c.post(`${P}/events`, { events })).status).toBe(202);
    }
    await pinClock(org, now);
    type Series = { t: string; count: number }[];
    const series = async (query: string) => {
      const res = await c.get(`${P}/dashboard${query}`);
      expect(res.status).toBe(200);
      return ((await res.json()) as { events: { per_minute_series: Series } }).events.per_minute_series;
    };
    const minute = (ago: number) => new Date(now - (now % MIN) - ago * MIN).toISOString();
    const nonZero = (s: Series) => s.filter((p) => p.count > 0).map((p) => [p.t, p.count]);

    const day = await series("?minutes=1440");
    expect(day).toHaveLength(1440);
    expect(day[0]?.t).toBe(minute(1439));
    expect(day.at(-1)?.t).toBe(minute(0));
    // The 25-hour-old batch is older than the series (and than what event_rate keeps).
    expect(nonZero(day)).toEqual([
      [minute(20 * 60), 3],
      [minute(170), 2],
      [minute(0), 1],
    ]);
    expect(nonZero(await series("?minutes=180"))).toEqual([
      [minute(170), 2],
      [minute(0), 1],
    ]);
    const standard = await series("");
    expect(standard).toHaveLength(30);
    expect(nonZero(standard)).toEqual([[minute(0), 1]]);

    for (const bad of ["0", "1441", "abc", "1.5"]) {
      const problem = await expectProblem(await c.get(`${P}/dashboard?minutes=${bad}`), 400);
      expect(problem.errors?.map((e) => e.path)).toEqual(["query.minutes"]);
    }
  });
});

// Found by an outside probe: every numeric query parameter was a coerced number, which read `0x10`
// as 16, ` 5` as 5, `1e2` as 100 and `5.0` as 5, and a repeated parameter (an array) was refused
// with "expected number, received NaN". Now each takes plain decimal digits, given once (a point
// too for min_confidence), and anything else is one error naming the parameter, its range and default.
describe("numeric query parameters take plain decimal digits, given once", () => {
  const A = "/api/v1/ab-testing";
  const LIMIT = "must be a whole number from 1 to 500 (default 50), given once";
  const WINDOW = "must be a whole number from 10 to 34560000 (default 3600), given once";
  const STEP = "must be a whole number from 10 to 34560000 (default: about 60 points over the window), given once";
  const MODELS = "must be a whole number from 60 to 604800 (default 3600), given once";
  const MINUTES = "must be a whole number from 1 to 1440 (default 30), given once";
  const CONFIDENCE = "must be a decimal number from 0 to 1 (such as 0.8), given once";

  it.each([
    [`${P}/events?limit=0x10`, "limit", LIMIT],
    [`${P}/events?limit=%205`, "limit", LIMIT],
    [`${P}/events?limit=5.0`, "limit", LIMIT],
    [`${P}/predictions?limit=1e2`, "limit", LIMIT],
    [`${P}/alerts?limit=%2B5`, "limit", LIMIT],
    [`${P}/events?limit=5&limit=6`, "limit", LIMIT],
    [`${A}/flags?limit=0x10`, "limit", LIMIT],
    [`${A}/experiments?limit=1e1`, "limit", LIMIT],
    [`${P}/metrics/lat?window=1e2`, "window", WINDOW],
    [`${P}/metrics/lat?window=60&window=120`, "window", WINDOW],
    [`${P}/metrics/lat?window=3600.0`, "window", WINDOW],
    [`${P}/metrics/lat?step=0x3c`, "step", STEP],
    [`${P}/metrics/lat?step=60%20`, "step", STEP],
    [`${P}/models?window=0x100`, "window", MODELS],
    [`${P}/models?window=3600&window=7200`, "window", MODELS],
    [`${P}/dashboard?minutes=1e1`, "minutes", MINUTES],
    [`${P}/predictions?min_confidence=0x1`, "min_confidence", CONFIDENCE],
    [`${P}/predictions?min_confidence=%200.5`, "min_confidence", CONFIDENCE],
    [`${P}/predictions?min_confidence=5e-1`, "min_confidence", CONFIDENCE],
    [`${P}/predictions?min_confidence=Infinity`, "min_confidence", CONFIDENCE],
    [`${P}/predictions?min_confidence=0.5&min_confidence=0.6`, "min_confidence", CONFIDENCE],
  ])("%s is a 400 naming %s", async (path, name, message) => {
    const c = await as("strict-query-refused");
    await expectQueryError(await c.get(path), name, message);
  });

  it("plain digits in range answer as before", async () => {
    const c = await as("strict-query-plain");
    const now = Date.UTC(2026, 11, 3, 12, 0, 0);
    await pinClock("strict-query-plain", now);
    for (let i = 0; i < 3; i++)
      expect((await c.post(`${P}/events`, { events: [{ event_type: `e${i}` }] })).status).toBe(202);
    expect((await c.post(`${P}/metrics`, { name: "lat", value: 5 })).status).toBe(202);
    for (const confidence of [0.3, 0.9])
      expect((await c.post(`${P}/predictions`, { model_name: "m", prediction: 1, confidence })).status).toBe(201);
    const ok = async <T>(path: string): Promise<T> => {
      const res = await c.get(path);
      expect(res.status, path).toBe(200);
      return (await res.json()) as T;
    };
    expect((await ok<Page<unknown>>(`${P}/events?limit=2`)).items).toHaveLength(2);
    expect((await ok<Page<unknown>>(`${P}/events?limit=500`)).items).toHaveLength(3);
    expect((await ok<Page<unknown>>(`${P}/events?limit=016`)).items).toHaveLength(3);
    expect((await ok<Page<unknown>>(`${A}/flags?limit=1`)).items).toEqual([]);
    const series = await ok<Series>(`${P}/metrics/lat?window=600&step=60&aggregation=max`);
    expect(series).toMatchObject({ window_seconds: 600, step_seconds: 60, value: 5 });
    expect((await ok<Series>(`${P}/metrics/lat`)).window_seconds).toBe(3600);
    expect((await ok<{ window_seconds: number }>(`${P}/models?window=60`)).window_seconds).toBe(60);
    const confident = await ok<Page<{ confidence: number }>>(`${P}/predictions?min_confidence=0.5`);
    expect(confident.items.map((p) => p.confidence)).toEqual([0.9]);
    expect((await ok<Page<unknown>>(`${P}/predictions?min_confidence=0`)).items).toHaveLength(2);
    expect((await ok<Page<unknown>>(`${P}/predictions?min_confidence=1`)).items).toEqual([]);
    const dashboard = await ok<{ events: { per_minute_series: unknown[] } }>(`${P}/dashboard?minutes=16`);
    expect(dashboard.events.per_minute_series).toHaveLength(16);
  });
});
