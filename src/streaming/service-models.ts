/**
 * The model rollups' write side: what a batch of predictions adds to them (at ingest, in the
 * batch's transaction), and the backfill of predictions stored before the rollups existed (schema
 * V5), which the alarm runs a chunk at a time so that no call holds the object for long.
 */
import { MODEL_RULE_METRICS } from "./model";
import { type PredictionFacts, predictionPoints } from "./models";
import { foldPoints, mergeStored } from "./rollup";
import { inTransaction, type OrgContext } from "./service-types";
import { storedRollups, writeRollups } from "./store/metrics";
import { type BackfillMarker, backfillMarker, predictionFactsAfter, saveBackfillMarker } from "./store/predictions";
import { metricRetentionMs } from "./store/retention";

const MODEL_RULE_METRIC_NAMES = Object.keys(MODEL_RULE_METRICS);

/** Predictions folded per alarm run: a few tens of ms, like one retention chunk. */
const BACKFILL_CHUNK = 5_000;

/** Folds the predictions into the model rollups (read, merge, write: three statements). Call inside a transaction. */
export function foldModelRollups(ctx: OrgContext, predictions: readonly PredictionFacts[]): void {
  // Model statistic rules (`@models/…`) read these rollups: their cached baselines (baseline-cache.ts)
  // that a prediction falls into go, whichever model it is.
  ctx.baselines?.writtenBatch(predictions, () => MODEL_RULE_METRIC_NAMES);
  const folded = foldPoints(predictionPoints(predictions), {
    now: ctx.now,
    metricRetentionMs: metricRetentionMs(ctx.retention),
  });
  if (folded.size === 0) return;
  const stored = storedRollups(ctx.sql, [...folded.values()], "model_rollups");
  writeRollups(ctx.sql, mergeStored(folded, stored), "model_rollups");
}

/**
 * One chunk of the backfill: the next predictions up to the marker's end, folded, and the marker
 * moved past them (or removed when none are left) in the same transaction, so a crash repeats no
 * prediction and skips none. Returns whether the backfill is done.
 */
export function backfillModelRollups(ctx: OrgContext, chunk = BACKFILL_CHUNK): boolean {
  const marker = backfillMarker(ctx.sql);
  if (marker === null) return true;
  return inTransaction(ctx, (tx) => {
    const rows = predictionFactsAfter(tx.sql, marker.next_seq, marker.until_seq, chunk);
    foldModelRollups(tx, rows);
    const last = rows[rows.length - 1];
    const next: BackfillMarker | null =
      rows.length < chunk || last === undefined ? null : { ...marker, next_seq: last.seq };
    saveBackfillMarker(tx.sql, next);
    return next === null;
  });
}
