import { z } from "@hono/zod-openapi";

/**
 * The largest magnitude of a numeric value on input (streaming metrics, experiment results).
 * Rollups and the analysis add values into float64 sums (and sums of squares); with |value| ≤ 1e15
 * those stay finite (and integers stay exact up to 2^53) for far more values than one bucket or
 * experiment can receive. Two values near 1.8e308 used to overflow a sum to Infinity, which SQLite
 * stores as NULL.
 */
export const MAX_METRIC_ABS = 1e15;
const METRIC_RANGE = "must be a finite number between -1e15 and 1e15";

/** A finite number of magnitude at most MAX_METRIC_ABS; `doc` names where the limit is documented. */
export const boundedValue = (doc: string) =>
  z
    .number()
    .min(-MAX_METRIC_ABS, METRIC_RANGE)
    .max(MAX_METRIC_ABS, METRIC_RANGE)
    .openapi({ description: `At most 1e15 in absolute value (${doc})` });
