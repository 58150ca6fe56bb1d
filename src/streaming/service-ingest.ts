/** Events, predictions and metrics into the organization's store, one transaction per batch. */
import { presentEvents, presentMetricPoint, presentPredictions } from "./present";
import { foldPoints, mergeStored } from "./rollup";
import type { EventInT, MetricInT, PredictionInT, PredictionOutT } from "./schemas";
import { MODEL_RULE_METRICS } from "./model";
import { foldModelRollups } from "./service-models";
import { evaluateRules } from "./service-rules";
import { uuidV7 } from "./time-ordered-id";
import { planTags, writeTagged } from "./service-tags";
import { futureTimeErrors } from "../http/time";
import { type Failure, fail, inTransaction, type OrgContext, ok, type Result } from "./service-types";
import { countReceived, eventsAfter, insertEvents, markProcessed, readCounter } from "./store/events";
import { storedRollups, touchMetrics, writeRollups } from "./store/metrics";
import { insertPredictions, predictionTotals } from "./store/predictions";
import { listRules } from "./store/rules";
import { touchSources, unknownSourceIds } from "./store/sources";
import { metricRetentionMs } from "./store/retention";

const distinct = <T>(values: Iterable<T>): T[] => [...new Set(values)];

/**
 * A batch with an item dated past the clock skew (src/http/time.ts) is refused whole, each such item
 * named (`metrics.3.timestamp`), against this object's clock: the one that stamps the rest.
 */
function refuseFuture(items: readonly { timestamp?: number | undefined }[], key: string, now: number): Failure | null {
  const errors = futureTimeErrors(
    items,
    (x) => x.timestamp,
    (i) => `${key}.${i}.timestamp`,
    now,
  );
  return errors.length > 0 ? fail("validation", `${key} dated in the future`, errors) : null;
}

/**
 * The batch was validated as a whole by the Worker. Here: every source_id must exist (422 naming
 * each offending event, nothing stored), then one transaction writes the batch. The answer leaves
 * only after the transaction commits, and the output gate holds it until the write is durable.
 */
export function ingestEvents(
  ctx: OrgContext,
  events: readonly EventInT[],
): Result<{ accepted: number; duplicates: number }> {
  const future = refuseFuture(events, "events", ctx.now);
  if (future !== null) return future;
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
  // The validated batch goes to SQLite as it is: ids, payload text and default times are made
  // there, so no pass over the rows happens in JS unless a socket will be shown them.
  const inserted = inTransaction(ctx, (tx) => {
    const batch = insertEvents(tx.sql, events, tx.now);
    countReceived(tx.sql, batch, tx.now);
    touchSources(
      tx.sql,
      batch.perSource.flatMap((s) => (s.source_id === null ? [] : [s.source_id])),
      tx.now,
    );
    if (batch.inserted > 0 && tx.listening()) {
      tx.publish({
        type: "events",
        data: presentEvents(eventsAfter(tx.sql, batch.after)),
        total: readCounter(tx.sql, "events_total"),
      });
    }
    return batch.inserted;
  });
  return ok({ accepted: inserted, duplicates: events.length - inserted });
}

export function processEvents(ctx: OrgContext, ids: readonly string[]): { processed: number } {
  return { processed: markProcessed(ctx.sql, ids, ctx.now) };
}

/**
 * Stored as sent, and folded into the model rollups (models.ts) in the same transaction, so the
 * per-version summary of `GET /models` always agrees with what was acknowledged.
 */
export function ingestPredictions(ctx: OrgContext, predictions: readonly PredictionInT[]): Result<PredictionOutT[]> {
  const future = refuseFuture(predictions, "predictions", ctx.now);
  if (future !== null) return future;
  return ok(
    inTransaction(ctx, (tx) => {
      foldModelRollups(
        tx,
        predictions.map((p) => ({
          model_name: p.model_name,
          model_version: p.model_version ?? null,
          confidence: p.confidence,
          latency_ms: p.latency_ms ?? null,
          ts: p.timestamp ?? tx.now,
        })),
      );
      const stored = insertPredictions(
        tx.sql,
        predictions.map((p) => ({
          id: uuidV7(tx.now),
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
      // Before the rules, as for metrics: the predictions reach a socket before an alert they raise.
      if (tx.listening()) tx.publish({ type: "predictions", data: out, ...predictionTotals(tx.sql) });
      // Rules over model statistics see the batch at once, as metric rules see a metric batch.
      evaluateRules(tx, listRules(tx.sql, Object.keys(MODEL_RULE_METRICS)));
      return out;
    }),
  );
}

/**
 * Points are folded into rollups (fine and coarse resolutions, a sketch per bucket): read the
 * touched buckets, merge, write back — three statements per batch. Points older than their
 * resolution's retention are dropped by the fold. Then the rules watching these metrics run.
 */
export function ingestMetrics(ctx: OrgContext, points: readonly MetricInT[]): Result<{ accepted: number }> {
  const future = refuseFuture(points, "metrics", ctx.now);
  if (future !== null) return future;
  const normalized = points.map((p) => ({
    name: p.name,
    value: p.value,
    ts: p.timestamp ?? ctx.now,
    tags: p.tags ?? {},
  }));
  const keepMs = metricRetentionMs(ctx.retention);
  // The tag-set bound is checked first: a batch over it stores nothing at all.
  const tags = planTags(ctx, normalized);
  if (!tags.ok) return tags;
  const folded = foldPoints(normalized, { now: ctx.now, metricRetentionMs: keepMs });
  // Anomaly rules' cached baselines these points fall into go (baseline-cache.ts).
  ctx.baselines?.writtenBatch(normalized, (p) => [p.name]);
  const newest = new Map<string, (typeof normalized)[number]>();
  // A point older than the metric retention is kept by no rollup: it is no metric's latest either
  // (the catalogue would show a value no query returns), nor a live frame, nor a rule's input.
  const kept = ctx.now - keepMs;
  for (const p of normalized) {
    if (p.ts < kept) continue;
    const had = newest.get(p.name);
    if (had === undefined || p.ts >= had.ts) newest.set(p.name, p);
  }
  inTransaction(ctx, (tx) => {
    const merged = mergeStored(folded, storedRollups(tx.sql, [...folded.values()]));
    writeRollups(tx.sql, merged);
    writeTagged(tx, tags.value, keepMs);
    const nowLatest = touchMetrics(
      tx.sql,
      [...newest.values()].map((p) => ({ name: p.name, value: p.value, at: p.ts })),
      tx.now,
    );
    // One live message per metric of the batch (its newest point), so a 1000-point batch is not 1000
    // frames, and only when that point is the metric's latest: a back-dated point would otherwise
    // show on the dashboard as the current value. Published before the rules run: an alert flushes
    // what waits in the hub, so a socket gets the point before the alert it caused.
    for (const p of newest.values()) {
      if (nowLatest.has(p.name)) tx.publish({ type: "metric", data: presentMetricPoint(p) });
    }
    evaluateRules(tx, listRules(tx.sql, [...newest.keys()]));
  });
  return ok({ accepted: points.length });
}
