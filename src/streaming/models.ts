/**
 * Model monitoring, the pure part: what a prediction feeds (one confidence point and, when it has
 * one, a latency point, under its model and version) and how a window's rollups become the
 * per-version summary of `GET /models`. The rollups are the metric ones (rollup.ts), keyed by a name
 * that encodes (model, version, series), so folding, merging, retention and percentiles are shared
 * with metrics, and so is their accuracy: quantiles within 1% relative error of the exact value.
 */
import { CONFIDENCE_QUANTILES, LATENCY_QUANTILES, MODEL_SERIES, MODELS_MAX, type ModelSeries } from "./model";
import { aggregate, type BucketRollup, bucketStart, type MetricPoint, type QueryPlan, type Rollup } from "./rollup";
import { QuantileSketch } from "./sketch";

/** A rollup name for one series of one model version. JSON, so no model name can forge another's key. */
export const modelRollupName = (model: string, version: string | null, series: ModelSeries): string =>
  JSON.stringify([model, version, series]);

export interface ModelKey {
  model_name: string;
  model_version: string | null;
  series: ModelSeries;
}

export function parseModelRollupName(name: string): ModelKey | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(name);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) return null;
  const [model_name, model_version, series] = parsed as unknown[];
  if (typeof model_name !== "string" || !(typeof model_version === "string" || model_version === null)) return null;
  if (!MODEL_SERIES.includes(series as ModelSeries)) return null;
  return { model_name, model_version, series: series as ModelSeries };
}

export interface PredictionFacts {
  model_name: string;
  model_version: string | null;
  confidence: number;
  latency_ms: number | null;
  ts: number;
}

/** The rollup points a batch of predictions feeds: its confidences, and the latencies it carries. */
export function predictionPoints(predictions: readonly PredictionFacts[]): MetricPoint[] {
  const points: MetricPoint[] = [];
  for (const p of predictions) {
    points.push({ name: modelRollupName(p.model_name, p.model_version, "confidence"), value: p.confidence, ts: p.ts });
    if (p.latency_ms !== null) {
      points.push({
        name: modelRollupName(p.model_name, p.model_version, "latency_ms"),
        value: p.latency_ms,
        ts: p.ts,
      });
    }
  }
  return points;
}

interface ModelSeriesPoint {
  /** Step start, epoch ms. */
  t: number;
  predictions: number;
  mean_confidence: number | null;
  latency_p95_ms: number | null;
}

interface VersionSummary {
  model_version: string | null;
  predictions: number;
  /** Of the model's predictions in the window. */
  share: number;
  confidence: { mean: number; min: number; max: number; quantiles: Quantiles<typeof CONFIDENCE_QUANTILES> };
  latency_ms: { count: number; mean: number; max: number; quantiles: Quantiles<typeof LATENCY_QUANTILES> } | null;
  /** Epoch ms of the newest prediction in the window. */
  last_at: number;
  series: ModelSeriesPoint[];
}

interface ModelSummary {
  model_name: string;
  predictions: number;
  versions: VersionSummary[];
}

export interface ModelsSummary {
  models: ModelSummary[];
  /** Models left out past MODELS_MAX (the least busy ones). */
  models_omitted: number;
}

type Quantiles<T extends Record<string, number>> = { [K in keyof T]: number };

/**
 * Each named quantile of the rollups' values (non-empty rollups only). The sketches are merged once;
 * like aggregate()'s percentiles, an estimate is clamped to [min, max].
 */
function quantiles<T extends Record<string, number>>(rollups: readonly Rollup[], named: T): Quantiles<T> {
  const sketch = new QuantileSketch();
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const r of rollups) {
    sketch.merge(r.sketch);
    min = Math.min(min, r.min);
    max = Math.max(max, r.max);
  }
  const out = {} as Quantiles<T>;
  for (const [label, q] of Object.entries(named) as [keyof T, number][]) {
    out[label] = Math.min(max, Math.max(min, sketch.quantile(q) ?? 0));
  }
  return out;
}

interface VersionRollups {
  confidence: BucketRollup[];
  latency_ms: BucketRollup[];
}

/**
 * The window's rollups (those `plan` names; others are ignored) as one summary per model, busiest
 * first, each with its versions, busiest first (ties by name, so the order is stable). Every step
 * of the plan is in each version's series, empty ones with 0 predictions and nulls.
 */
export function summarizeModels(rollups: Iterable<BucketRollup>, plan: QueryPlan): ModelsSummary {
  const byModel = new Map<string, Map<string | null, VersionRollups>>();
  for (const b of rollups) {
    if (b.resolution_ms !== plan.resolution_ms || b.bucket < plan.from || b.bucket > plan.to || b.rollup.count === 0)
      continue;
    const key = parseModelRollupName(b.name);
    if (key === null) continue;
    const versions = byModel.get(key.model_name) ?? new Map<string | null, VersionRollups>();
    byModel.set(key.model_name, versions);
    const rows = versions.get(key.model_version) ?? { confidence: [], latency_ms: [] };
    versions.set(key.model_version, rows);
    rows[key.series].push(b);
  }
  const models: ModelSummary[] = [];
  for (const [model_name, versions] of byModel) {
    const summaries = [...versions].flatMap(([version, rows]) => {
      const s = summarizeVersion(version, rows, plan);
      return s === null ? [] : [s];
    });
    const predictions = summaries.reduce((n, v) => n + v.predictions, 0);
    if (predictions === 0) continue;
    for (const v of summaries) v.share = v.predictions / predictions;
    summaries.sort((a, b) => b.predictions - a.predictions || compareVersions(a.model_version, b.model_version));
    models.push({ model_name, predictions, versions: summaries });
  }
  models.sort((a, b) => b.predictions - a.predictions || (a.model_name < b.model_name ? -1 : 1));
  return { models: models.slice(0, MODELS_MAX), models_omitted: Math.max(0, models.length - MODELS_MAX) };
}

/** No version sorts after every named one. */
function compareVersions(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

function summarizeVersion(version: string | null, rows: VersionRollups, plan: QueryPlan): VersionSummary | null {
  const confidence = rows.confidence.map((b) => b.rollup);
  const predictions = aggregate(confidence, "count") ?? 0;
  if (predictions === 0) return null;
  const latency = rows.latency_ms.map((b) => b.rollup);
  const latencyCount = aggregate(latency, "count") ?? 0;
  return {
    model_version: version,
    predictions,
    share: 1,
    confidence: {
      mean: aggregate(confidence, "avg") ?? 0,
      min: aggregate(confidence, "min") ?? 0,
      max: aggregate(confidence, "max") ?? 0,
      quantiles: quantiles(confidence, CONFIDENCE_QUANTILES),
    },
    latency_ms:
      latencyCount === 0
        ? null
        : {
            count: latencyCount,
            mean: aggregate(latency, "avg") ?? 0,
            max: aggregate(latency, "max") ?? 0,
            quantiles: quantiles(latency, LATENCY_QUANTILES),
          },
    last_at: Math.max(...confidence.map((r) => r.last_at)),
    series: seriesOf(rows, plan),
  };
}

function seriesOf(rows: VersionRollups, plan: QueryPlan): ModelSeriesPoint[] {
  const stepOf = (b: BucketRollup) => bucketStart(b.bucket, plan.step_ms);
  const group = (list: BucketRollup[]) => {
    const out = new Map<number, Rollup[]>();
    for (const b of list) {
      const t = stepOf(b);
      const had = out.get(t);
      if (had === undefined) out.set(t, [b.rollup]);
      else had.push(b.rollup);
    }
    return out;
  };
  const confidence = group(rows.confidence);
  const latency = group(rows.latency_ms);
  const series: ModelSeriesPoint[] = [];
  for (let t = bucketStart(plan.from, plan.step_ms); t <= plan.to; t += plan.step_ms) {
    const c = confidence.get(t) ?? [];
    series.push({
      t,
      predictions: aggregate(c, "count") ?? 0,
      mean_confidence: aggregate(c, "avg"),
      latency_p95_ms: aggregate(latency.get(t) ?? [], "p95"),
    });
  }
  return series;
}
