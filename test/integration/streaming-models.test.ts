// GET /models: model monitoring from the rollups every prediction feeds. The statistics are checked
// against numpy (test/fixtures/models-golden.json, scripts/gen_models_golden.py): counts, shares,
// means, minima and maxima exactly, quantiles within the documented 1% relative error.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import golden from "../fixtures/models-golden.json";
import type { OrgObject } from "../../src/streaming/org-object";
import { applyRetention } from "../../src/streaming/store/retention";
import { migrate } from "../../src/streaming/store/schema";
import { as, expectProblem } from "../helpers";
import { pinClock, stub } from "../org-object";

const P = "/api/v1/streaming-analytics";
const MIN = 60_000;
// A round minute, so the steps of an hour's window are easy to reason about.
const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);

interface Version {
  model_version: string | null;
  predictions: number;
  share: number;
  confidence: { mean: number; min: number; max: number; quantiles: Record<string, number> };
  latency_ms: { count: number; mean: number; max: number; quantiles: Record<string, number> } | null;
  last_at: string;
  series: { t: string; predictions: number; mean_confidence: number | null; latency_p95_ms: number | null }[];
}
interface Models {
  window_seconds: number;
  step_seconds: number;
  from: string;
  to: string;
  models: { model_name: string; predictions: number; versions: Version[] }[];
  models_omitted: number;
}

type Client = Awaited<ReturnType<typeof as>>;

async function models(c: Client, query = ""): Promise<Models> {
  const res = await c.get(`${P}/models${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Models;
}

/** Posts the golden predictions, spread over the 10 minutes before NOW, in batches of 1,000. */
async function postGolden(c: Client): Promise<number> {
  let newest = 0;
  const all = golden.versions.flatMap((v) =>
    v.confidence.map((confidence, i) => {
      const ts = NOW - ((i * 7919) % (10 * MIN)) - 1;
      newest = Math.max(newest, ts);
      return {
        model_name: golden.model_name,
        ...(v.model_version === null ? {} : { model_version: v.model_version }),
        prediction: { churn: confidence > 0.5 },
        confidence,
        ...(v.latency_ms === null ? {} : { latency_ms: v.latency_ms[i] }),
        timestamp: ts,
      };
    }),
  );
  for (let i = 0; i < all.length; i += 1000) {
    expect((await c.post(`${P}/predictions`, { predictions: all.slice(i, i + 1000) })).status).toBe(201);
  }
  return newest;
}

const within1Percent = (actual: number, exact: number) =>
  expect(Math.abs(actual - exact) / Math.abs(exact)).toBeLessThanOrEqual(0.01);

describe("GET /models", () => {
  it("per version: counts, shares, mean/min/max exact, quantiles within 1% of numpy's; busiest first", async () => {
    const c = await as("models-golden");
    await pinClock("models-golden", NOW);
    const newest = await postGolden(c);
    const body = await models(c);
    expect(body.window_seconds).toBe(3600);
    expect(body.models_omitted).toBe(0);
    expect(body.models).toHaveLength(1);
    const [model] = body.models;
    expect(model?.model_name).toBe("churn");
    expect(model?.predictions).toBe(2200);
    expect(model?.versions.map((v) => v.model_version)).toEqual(["v1", "v2", null]);
    for (const [i, expected] of golden.versions.entries()) {
      const got = model?.versions[i] as Version;
      const want = expected.expected;
      expect(got.predictions).toBe(want.predictions);
      expect(got.share).toBeCloseTo(want.predictions / 2200, 12);
      expect(got.confidence.mean).toBeCloseTo(want.confidence.mean, 9);
      expect(got.confidence.min).toBe(want.confidence.min);
      expect(got.confidence.max).toBe(want.confidence.max);
      expect(Object.keys(got.confidence.quantiles)).toEqual(["p10", "p25", "p50", "p75", "p90"]);
      for (const [k, exact] of Object.entries(want.confidence.quantiles)) {
        within1Percent(got.confidence.quantiles[k] as number, exact);
      }
      if (want.latency_ms === null) {
        expect(got.latency_ms).toBeNull();
      } else {
        expect(got.latency_ms?.count).toBe(want.latency_ms.count);
        expect(got.latency_ms?.mean).toBeCloseTo(want.latency_ms.mean, 6);
        expect(got.latency_ms?.max).toBe(want.latency_ms.max);
        expect(Object.keys(got.latency_ms?.quantiles ?? {})).toEqual(["p50", "p95", "p99"]);
        for (const [k, exact] of Object.entries(want.latency_ms.quantiles)) {
          within1Percent(got.latency_ms?.quantiles[k] as number, exact);
        }
      }
      expect(Date.parse(got.last_at)).toBeLessThanOrEqual(newest);
    }
    expect(Math.max(...(model?.versions ?? []).map((v) => Date.parse(v.last_at)))).toBe(newest);
  });

  it("series: one point per step over the window, ascending, adding up to the version's predictions", async () => {
    const c = await as("models-series");
    await pinClock("models-series", NOW);
    await postGolden(c);
    const body = await models(c);
    expect(body.step_seconds).toBe(60);
    expect(Date.parse(body.to)).toBe(NOW);
    expect(Date.parse(body.from)).toBe(NOW - 3600_000);
    for (const v of body.models[0]?.versions ?? []) {
      expect(v.series).toHaveLength(61);
      const times = v.series.map((p) => Date.parse(p.t));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(v.series.reduce((n, p) => n + p.predictions, 0)).toBe(v.predictions);
      // The golden predictions are in the last 10 minutes: earlier steps are empty, with nulls.
      const early = v.series.slice(0, 45);
      expect(early.every((p) => p.predictions === 0 && p.mean_confidence === null && p.latency_p95_ms === null)).toBe(
        true,
      );
      const busy = v.series.filter((p) => p.predictions > 0);
      expect(busy.length).toBeGreaterThanOrEqual(10);
      for (const p of busy) {
        expect(p.mean_confidence).not.toBeNull();
        expect(p.latency_p95_ms === null).toBe(v.latency_ms === null);
      }
    }
  });

  it("counts only the window: older and future predictions are left out; model_name filters", async () => {
    const c = await as("models-window");
    await pinClock("models-window", NOW);
    const prediction = (model_name: string, timestamp: number, confidence = 0.9) => ({
      model_name,
      prediction: 1,
      confidence,
      timestamp,
    });
    const res = await c.post(`${P}/predictions`, {
      predictions: [
        prediction("ranker", NOW - 5 * MIN, 0.6),
        prediction("ranker", NOW - 5 * MIN, 0.8),
        prediction("ranker", NOW - 3 * 3600_000), // outside the hour, inside a day
        prediction("fraud", NOW - MIN),
      ],
    });
    expect(res.status).toBe(201);
    // A prediction dated after the reading time: sent while the object's clock stood 10 minutes
    // later (times more than 5 minutes ahead of the clock are refused), then read back at NOW.
    await pinClock("models-window", NOW + 10 * MIN);
    expect((await c.post(`${P}/predictions`, prediction("ranker", NOW + 10 * MIN))).status).toBe(201);
    await pinClock("models-window", NOW);
    const hour = await models(c);
    expect(hour.models.map((m) => [m.model_name, m.predictions])).toEqual([
      ["ranker", 2],
      ["fraud", 1],
    ]);
    const ranker = hour.models[0]?.versions[0];
    expect(ranker?.model_version).toBeNull();
    expect(ranker?.confidence.mean).toBeCloseTo(0.7, 12);
    expect(ranker?.latency_ms).toBeNull();
    expect((await models(c, "?window=86400")).models[0]?.predictions).toBe(3);
    const only = await models(c, "?model_name=fraud");
    expect(only.models.map((m) => m.model_name)).toEqual(["fraud"]);
    expect((await models(c, "?model_name=nothing")).models).toEqual([]);
  });

  it("prediction ids are version-7 UUIDs of the arrival time, distinct", async () => {
    const c = await as("models-ids");
    await pinClock("models-ids", NOW);
    const res = await c.post(`${P}/predictions`, {
      predictions: Array.from({ length: 50 }, () => ({ model_name: "m", prediction: 1, confidence: 0.5 })),
    });
    const { items } = (await res.json()) as { items: { id: string }[] };
    for (const { id } of items) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(Number.parseInt(id.replace("-", "").slice(0, 12), 16)).toBe(NOW);
    }
    expect(new Set(items.map((p) => p.id)).size).toBe(50);
  });

  it("another organization sees none of it", async () => {
    const owner = await as("models-owner");
    await owner.post(`${P}/predictions`, { model_name: "secret", prediction: 1, confidence: 0.5 });
    expect((await models(owner)).models.map((m) => m.model_name)).toEqual(["secret"]);
    const other = await as("models-other");
    expect(await models(other)).toMatchObject({ models: [], models_omitted: 0 });
  });

  it("a refused batch folds nothing; latencies are bounded; bad windows are 400 naming the parameter", async () => {
    const c = await as("models-refused");
    const bad = await c.post(`${P}/predictions`, {
      predictions: [
        { model_name: "m", prediction: 1, confidence: 0.5 },
        { model_name: "m", prediction: 1, confidence: 1.5 },
      ],
    });
    const problem = await expectProblem(bad, 400);
    expect(problem.errors?.map((e) => e.path)).toContain("predictions.1.confidence");
    expect((await models(c)).models).toEqual([]);
    // Latencies are summed into float64 rollups: bounded like metric values (two near 1.8e308 made
    // the sum Infinity, stored as NULL, and the write failed; found by no-poisoned-org.test.ts).
    const huge = await c.post(`${P}/predictions`, {
      predictions: [1.7e308, 1.7e308].map((latency_ms) => ({
        model_name: "m",
        prediction: 1,
        confidence: 0.5,
        latency_ms,
      })),
    });
    expect((await expectProblem(huge, 400)).errors?.map((e) => e.path)).toEqual([
      "predictions.0.latency_ms",
      "predictions.1.latency_ms",
    ]);
    const largest = await c.post(`${P}/predictions`, {
      predictions: [1e15, 1e15].map((latency_ms) => ({ model_name: "m", prediction: 1, confidence: 0.5, latency_ms })),
    });
    expect(largest.status).toBe(201);
    expect((await models(c)).models[0]?.versions[0]?.latency_ms).toMatchObject({ count: 2, mean: 1e15, max: 1e15 });
    for (const window of ["59", "604801", "abc", "1.5"]) {
      const refused = await expectProblem(await c.get(`${P}/models?window=${window}`), 400);
      expect(refused.errors?.map((e) => e.path)).toContain("query.window");
    }
    expect((await c.get(`${P}/models?window=604800`)).status).toBe(200);
  });

  // An hour of 100 busy versions was 72,000 rollup rows and 0.46 s of the organization's object on
  // every Models page refresh. The rows are counted first; past MODEL_ROLLUPS_MAX the window is read
  // from coarser buckets (its step says so), and the counts stay exact.
  it("a window with more rollup rows than one answer may read is answered from coarser buckets, counts intact", async () => {
    const c = await as("models-many");
    await pinClock("models-many", NOW);
    // 30 versions with a prediction, and a latency, in every 10 s bucket of the hour: 30 × 2 × 361
    // rows at 10 s, past 20,000.
    const all = Array.from({ length: 30 }, (_, v) =>
      Array.from({ length: 360 }, (_, i) => ({
        model_name: v < 15 ? "ranker" : "fraud",
        model_version: `v${v}`,
        prediction: 1,
        confidence: 0.5,
        latency_ms: 10 + (i % 7),
        timestamp: NOW - 1 - i * 10_000,
      })),
    ).flat();
    for (let i = 0; i < all.length; i += 1000) {
      expect((await c.post(`${P}/predictions`, { predictions: all.slice(i, i + 1000) })).status).toBe(201);
    }
    const hour = await models(c);
    expect(hour.step_seconds).toBe(300);
    expect(hour.models.map((m) => [m.model_name, m.predictions, m.versions.length])).toEqual([
      ["fraud", 5400, 15],
      ["ranker", 5400, 15],
    ]);
    for (const m of hour.models) {
      for (const v of m.versions) {
        expect(v.predictions).toBe(360);
        expect(v.latency_ms?.count).toBe(360);
        expect(v.series.reduce((n, p) => n + p.predictions, 0)).toBe(360);
      }
    }
    // One model's 15 versions are 10,830 rows: the usual buckets.
    const one = await models(c, "?model_name=ranker");
    expect(one.step_seconds).toBe(60);
    expect(one.models[0]?.predictions).toBe(5400);
  });

  it("a window whose rollups do not fit even at hourly buckets is 422 naming window and model_name", async () => {
    const c = await as("models-too-many");
    await pinClock("models-too-many", NOW);
    // 60 versions with a prediction and a latency in each of the 168 hours before NOW (the window's
    // 169 hourly buckets include the current one): 60 × 2 × 168 = 20,160 rows.
    const all = Array.from({ length: 60 }, (_, v) =>
      Array.from({ length: 168 }, (_, h) => ({
        model_name: `m${v % 2}`,
        model_version: `v${v}`,
        prediction: 1,
        confidence: 0.5,
        latency_ms: 10,
        timestamp: NOW - 1 - h * 3_600_000,
      })),
    ).flat();
    for (let i = 0; i < all.length; i += 1000) {
      expect((await c.post(`${P}/predictions`, { predictions: all.slice(i, i + 1000) })).status).toBe(201);
    }
    const refused = await expectProblem(await c.get(`${P}/models?window=604800`), 422);
    expect(refused.detail).toContain("20000");
    expect(refused.errors?.map((e) => e.path)).toEqual(["query.window", "query.model_name"]);
    // Half the versions, or a day of them, fit.
    expect((await models(c, "?window=604800&model_name=m0")).models[0]?.predictions).toBe(30 * 168);
    expect((await models(c, "?window=86400")).models.reduce((n, m) => n + m.predictions, 0)).toBeGreaterThan(0);
  });

  it("needs the read scope", async () => {
    const ingestOnly = await as("models-scope", "ingest");
    await expectProblem(await ingestOnly.get(`${P}/models`), 403);
  });

  it("model buckets expire with the metric retention, per resolution", async () => {
    const c = await as("models-retention");
    await pinClock("models-retention", NOW);
    await c.post(`${P}/predictions`, { model_name: "m", prediction: 1, confidence: 0.5, timestamp: NOW - MIN });
    const count = () =>
      runInDurableObject(stub("models-retention"), (_i: OrgObject, state) =>
        state.storage.sql
          .exec<{ resolution_ms: number; n: number }>(
            "SELECT resolution_ms, count(*) AS n FROM model_rollups GROUP BY resolution_ms ORDER BY resolution_ms",
          )
          .toArray()
          .map((r) => [r.resolution_ms, r.n]),
      );
    // One confidence bucket per resolution (no latency was sent).
    expect(await count()).toEqual([
      [10_000, 1],
      [300_000, 1],
      [3_600_000, 1],
    ]);
    const policy = { eventDays: 7, alertDays: 30, metricDays: 90 };
    await runInDurableObject(stub("models-retention"), (_i: OrgObject, state) => {
      applyRetention(state.storage.sql, policy, NOW + 2 * 86_400_000);
    });
    // Two days on, the 10 s buckets (kept a day) are gone; the 5 min and hourly ones stay.
    expect(await count()).toEqual([
      [300_000, 1],
      [3_600_000, 1],
    ]);
    await runInDurableObject(stub("models-retention"), (_i: OrgObject, state) => {
      applyRetention(state.storage.sql, policy, NOW + 91 * 86_400_000);
    });
    expect(await count()).toEqual([]);
  });
});

describe("predictions stored before the model rollups (schema V5)", () => {
  it("are folded in by the alarm, a chunk at a time, to the same summary; later ones are not counted twice", async () => {
    const org = "models-backfill";
    const c = await as(org);
    await pinClock(org, NOW);
    // 6,000 predictions over two versions in the last 10 minutes: more than one backfill chunk.
    for (let b = 0; b < 6; b++) {
      const predictions = Array.from({ length: 1000 }, (_, i) => ({
        model_name: "churn",
        model_version: b % 2 === 0 ? "v1" : "v2",
        prediction: 1,
        confidence: ((b * 1000 + i) % 97) / 96,
        latency_ms: ((b * 1000 + i) % 53) + 1,
        timestamp: NOW - ((b * 1000 + i) % 600) * 1000,
      }));
      expect((await c.post(`${P}/predictions`, { predictions })).status).toBe(201);
    }
    const before = await models(c);
    expect(before.models[0]?.predictions).toBe(6000);
    // Back to schema V4 (V6 undone too) and forward again: the V5 step finds the 6,000 predictions and marks them.
    const marker = await runInDurableObject(stub(org), (_i: OrgObject, state) => {
      const sql = state.storage.sql;
      sql.exec(`DROP TABLE model_rollups; DROP TABLE model_backfill; DROP INDEX events_source_ts;
        CREATE INDEX events_source_ts ON events (source_id, ts); DELETE FROM schema_version WHERE version >= 5`);
      migrate(state.storage);
      return sql.exec("SELECT next_seq, until_seq FROM model_backfill").toArray();
    });
    expect(marker).toEqual([{ next_seq: 0, until_seq: expect.any(Number) }]);
    expect((await models(c)).models).toEqual([]);
    // A prediction arriving now is folded at once, and is past the marker's end.
    await c.post(`${P}/predictions`, {
      model_name: "churn",
      model_version: "v1",
      prediction: 1,
      confidence: 1,
      timestamp: NOW,
    });
    expect((await models(c)).models[0]?.predictions).toBe(1);
    // The first alarm folds one chunk (5,000) and comes back in a second; the second folds the rest.
    expect(await runDurableObjectAlarm(stub(org))).toBe(true);
    expect((await models(c)).models[0]?.predictions).toBe(5001);
    const next = await runInDurableObject(stub(org), (_i: OrgObject, state) => state.storage.getAlarm());
    expect(next).toBe(NOW + 1000);
    expect(await runDurableObjectAlarm(stub(org))).toBe(true);
    const after = await models(c);
    expect(after.models[0]?.predictions).toBe(6001);
    const remaining = await runInDurableObject(stub(org), (_i: OrgObject, state) =>
      state.storage.sql.exec("SELECT count(*) AS n FROM model_backfill").one(),
    );
    expect(remaining).toEqual({ n: 0 });
    // What the backfill built is what ingestion had built: every version's statistics, apart from the
    // one prediction added since (confidence 1 into v1), are the same.
    const v2 = (m: Models) => m.models[0]?.versions.find((v) => v.model_version === "v2");
    expect(v2(after)).toEqual({ ...v2(before), share: 3000 / 6001 });
    expect(after.models[0]?.versions.find((v) => v.model_version === "v1")?.predictions).toBe(3001);
  });

  it("an object with no predictions has nothing to backfill", async () => {
    const org = "models-backfill-empty";
    const c = await as(org);
    await c.get(`${P}/models`);
    const marker = await runInDurableObject(stub(org), (_i: OrgObject, state) =>
      state.storage.sql.exec("SELECT count(*) AS n FROM model_backfill").one(),
    );
    expect(marker).toEqual({ n: 0 });
  });
});

describe("alert rules on model statistics", () => {
  interface Rule {
    id: string;
    metric_name: string;
    tags?: Record<string, string>;
    state: { status: string; alert_id: string | null };
  }
  interface Alert {
    id: string;
    status: string;
    title: string;
    fingerprint: string;
  }
  const alerts = async (c: Client) => ((await (await c.get(`${P}/alerts`)).json()) as { items: Alert[] }).items;
  const batch = (version: string, latency: number, confidence: number, at: number, n = 20) => ({
    predictions: Array.from({ length: n }, () => ({
      model_name: "churn",
      model_version: version,
      prediction: 1,
      confidence,
      latency_ms: latency,
      timestamp: at,
    })),
  });

  it("p95 latency of one version: opens on that version's batch, not on another's, and resolves when it clears", async () => {
    const org = "models-rule-latency";
    const c = await as(org);
    await pinClock(org, NOW);
    const res = await c.post(`${P}/alert-rules`, {
      name: "churn v2 slow",
      metric_name: "@models/latency_ms",
      tags: { model: "churn", version: "v2" },
      aggregation: "p95",
      window_seconds: 60,
      operator: "gt",
      threshold: 100,
      severity: "critical",
    });
    expect(res.status).toBe(201);
    const rule = (await res.json()) as Rule;
    expect(rule).toMatchObject({ metric_name: "@models/latency_ms", tags: { model: "churn", version: "v2" } });
    // The other version is slow: this rule does not see it.
    expect((await c.post(`${P}/predictions`, batch("v1", 500, 0.9, NOW - 1000))).status).toBe(201);
    expect(await alerts(c)).toEqual([]);
    // v2 is slow: the prediction batch itself opens the alert, naming the series it watched.
    expect((await c.post(`${P}/predictions`, batch("v2", 300, 0.9, NOW - 1000))).status).toBe(201);
    const [opened] = await alerts(c);
    expect(opened).toMatchObject({ status: "open", fingerprint: `rule:${rule.id}` });
    expect(opened?.title).toBe('churn v2 slow: p95(@models/latency_ms{model="churn",version="v2"}) = 300 > 100');
    // Two minutes on, v2 answers fast: the window holds only fast predictions and the alert resolves.
    await pinClock(org, NOW + 120_000);
    expect((await c.post(`${P}/predictions`, batch("v2", 20, 0.9, NOW + 119_000))).status).toBe(201);
    expect((await alerts(c)).map((a) => [a.id, a.status])).toEqual([[opened?.id, "resolved"]]);
  });

  it("mean confidence over every version of a model, below a threshold", async () => {
    const org = "models-rule-confidence";
    const c = await as(org);
    await pinClock(org, NOW);
    await c.post(`${P}/alert-rules`, {
      name: "churn unsure",
      metric_name: "@models/confidence",
      tags: { model: "churn" },
      aggregation: "avg",
      window_seconds: 300,
      operator: "lt",
      threshold: 0.6,
      severity: "warning",
    });
    // v1 at 0.9 and v2 at 0.2, 20 each: the model's mean is 0.55.
    await c.post(`${P}/predictions`, batch("v1", 10, 0.9, NOW - 1000));
    expect(await alerts(c)).toEqual([]);
    await c.post(`${P}/predictions`, batch("v2", 10, 0.2, NOW - 1000));
    const [opened] = await alerts(c);
    expect(opened?.title).toBe('churn unsure: avg(@models/confidence{model="churn"}) = 0.55 < 0.6');
    // Another model's predictions do not count.
    const other = await as("models-rule-other-model");
    await pinClock("models-rule-other-model", NOW);
    await other.post(`${P}/alert-rules`, {
      name: "fraud unsure",
      metric_name: "@models/confidence",
      tags: { model: "fraud" },
      aggregation: "avg",
      window_seconds: 300,
      operator: "lt",
      threshold: 0.6,
      severity: "warning",
    });
    await other.post(`${P}/predictions`, batch("v2", 10, 0.2, NOW - 1000));
    expect(await alerts(other)).toEqual([]);
  });

  it("the alarm evaluates model rules too: when predictions stop, no_data=resolve resolves the alert", async () => {
    const org = "models-rule-nodata";
    const c = await as(org);
    await pinClock(org, NOW);
    await c.post(`${P}/alert-rules`, {
      name: "churn slow",
      metric_name: "@models/latency_ms",
      tags: { model: "churn" },
      aggregation: "max",
      window_seconds: 60,
      operator: "gt",
      threshold: 100,
      severity: "error",
      no_data: "resolve",
    });
    await c.post(`${P}/predictions`, batch("v1", 250, 0.9, NOW - 1000));
    expect((await alerts(c)).map((a) => a.status)).toEqual(["open"]);
    await pinClock(org, NOW + 5 * MIN);
    expect(await runDurableObjectAlarm(stub(org))).toBe(true);
    const [alert] = await alerts(c);
    expect(alert?.status).toBe("resolved");
  });

  it("refuses an unknown model statistic and a filter on other tags, naming the field", async () => {
    const c = await as("models-rule-refused");
    const base = {
      name: "r",
      aggregation: "avg",
      window_seconds: 60,
      operator: "gt",
      threshold: 1,
      severity: "info",
    };
    const unknown = await expectProblem(
      await c.post(`${P}/alert-rules`, { ...base, metric_name: "@models/accuracy" }),
      400,
    );
    expect(unknown.errors?.map((e) => e.path)).toEqual(["metric_name"]);
    const tagged = await expectProblem(
      await c.post(`${P}/alert-rules`, {
        ...base,
        metric_name: "@models/confidence",
        tags: { model: "m", region: "eu" },
      }),
      400,
    );
    expect(tagged.errors?.map((e) => e.path)).toEqual(["tags.region"]);
    // A patch that would make a rule invalid is refused the same way.
    const rule = (await (
      await c.post(`${P}/alert-rules`, { ...base, metric_name: "@models/confidence" })
    ).json()) as Rule;
    const patched = await expectProblem(await c.patch(`${P}/alert-rules/${rule.id}`, { tags: { env: "prod" } }), 400);
    expect(patched.errors?.map((e) => e.path)).toEqual(["tags.env"]);
  });
});
