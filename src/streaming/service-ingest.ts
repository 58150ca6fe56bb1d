/** Events, predictions and metrics into the organization's store, one transaction per batch. */
import { presentEvents, presentMetricPoint, presentPredictions } from "./present";
import { foldPoints, mergeStored } from "./rollup";
import type { EventInT, MetricInT, PredictionInT, PredictionOutT } from "./schemas";
import { evaluateRules } from "./service-rules";
import { fail, inTransaction, type OrgContext, ok, type Result } from "./service-types";
import { countReceived, insertEvents, markProcessed, type NewEvent } from "./store/events";
import { storedRollups, touchMetrics, writeRollups } from "./store/metrics";
import { insertPredictions } from "./store/predictions";
import { listRules } from "./store/rules";
import { touchSources, unknownSourceIds } from "./store/sources";

const DAY_MS = 86_400_000;
const distinct = <T>(values: Iterable<T>): T[] => [...new Set(values)];

/**
 * The batch was validated as a whole by the Worker. Here: every source_id must exist (422 naming
 * each offending event, nothing stored), then one transaction writes the batch. The answer leaves
 * only after the transaction commits, and the output gate holds it until the write is durable.
 */
export function ingestEvents(
  ctx: OrgContext,
  events: readonly EventInT[],
): Result<{ accepted: number; duplicates: number }> {
  const unknown = new Set(
    unknownSourceIds(ctx.sql, distinct(events.flatMap((e) => (e.source_id === undefined ? [] : [e.source_id])))),
  );
  if (unknown.size > 0) {
    const errors = events.flatMap((e, i) =>
      e.source_id !== undefined && unknown.has(e.source_id)
        ? [{ path: `events.${i}.source_id`, message: `no data source with id ${e.source_id}` }]
        : [],
    );
    return fail("unprocessable", `unknown source_id: ${[...unknown].join(", ")}`, errors);
  }
  const rows: NewEvent[] = events.map((e) => ({
    i: e.event_id ?? crypto.randomUUID(),
    s: e.source_id ?? null,
    t: e.event_type,
    p: e.payload === undefined ? null : JSON.stringify(e.payload),
    ts: e.timestamp ?? ctx.now,
  }));
  const inserted = inTransaction(ctx, (tx) => {
    const stored = insertEvents(tx.sql, rows, tx.now);
    countReceived(tx.sql, stored, tx.now);
    touchSources(tx.sql, distinct(stored.flatMap((e) => (e.source_id === null ? [] : [e.source_id]))), tx.now);
    if (stored.length > 0) tx.publish({ type: "events", data: presentEvents(stored) });
    return stored;
  });
  return ok({ accepted: inserted.length, duplicates: events.length - inserted.length });
}

export function processEvents(ctx: OrgContext, ids: readonly string[]): { processed: number } {
  return { processed: markProcessed(ctx.sql, ids, ctx.now) };
}

export function ingestPredictions(ctx: OrgContext, predictions: readonly PredictionInT[]): PredictionOutT[] {
  return inTransaction(ctx, (tx) => {
    const stored = insertPredictions(
      tx.sql,
      predictions.map((p) => ({
        id: crypto.randomUUID(),
        model_name: p.model_name,
        model_version: p.model_version ?? null,
        prediction: JSON.stringify(p.prediction ?? null),
        confidence: p.confidence,
        latency_ms: p.latency_ms ?? null,
        event_id: p.event_id ?? null,
        features: p.features === undefined ? null : JSON.stringify(p.features),
        ts: p.timestamp ?? tx.now,
      })),
      tx.now,
    );
    const out = presentPredictions(stored);
    for (const p of out) tx.publish({ type: "prediction", data: p });
    return out;
  });
}

/**
 * Points are folded into rollups (fine and coarse resolutions, a sketch per bucket): read the
 * touched buckets, merge, write back — three statements per batch. Points older than their
 * resolution's retention are dropped by the fold. Then the rules watching these metrics run.
 */
export function ingestMetrics(ctx: OrgContext, points: readonly MetricInT[]): { accepted: number } {
  const normalized = points.map((p) => ({
    name: p.name,
    value: p.value,
    ts: p.timestamp ?? ctx.now,
    tags: p.tags ?? {},
  }));
  const metricRetentionMs = ctx.retention.metricDays * DAY_MS;
  const folded = foldPoints(normalized, { now: ctx.now, metricRetentionMs });
  const newest = new Map<string, (typeof normalized)[number]>();
  for (const p of normalized) {
    const had = newest.get(p.name);
    if (had === undefined || p.ts >= had.ts) newest.set(p.name, p);
  }
  inTransaction(ctx, (tx) => {
    const merged = mergeStored(folded, storedRollups(tx.sql, [...folded.values()]));
    writeRollups(tx.sql, merged);
    touchMetrics(
      tx.sql,
      [...newest.values()].map((p) => ({ name: p.name, value: p.value, at: p.ts })),
      tx.now,
    );
    evaluateRules(tx, listRules(tx.sql, [...newest.keys()]));
    // One live message per metric of the batch (its newest point), so a 1000-point batch is not 1000 frames.
    for (const p of newest.values()) tx.publish({ type: "metric", data: presentMetricPoint(p) });
  });
  return { accepted: points.length };
}
