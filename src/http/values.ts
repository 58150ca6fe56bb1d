import { rangedNumber } from "./params";

/**
 * The largest magnitude of a numeric value on input (streaming metrics, experiment results).
 * Rollups and the analysis add values into float64 sums (and sums of squares); with |value| ≤ 1e15
 * those stay finite (and integers stay exact up to 2^53) for far more values than one bucket or
 * experiment can receive. Two values near 1.8e308 used to overflow a sum to Infinity, which SQLite
 * stores as NULL.
 */
export const MAX_METRIC_ABS = 1e15;

/**
 * A finite number of magnitude at most MAX_METRIC_ABS (from 0 up, `nonNegative`); `doc` names where
 * the limit is documented. One message for every way to miss (rangedNumber): zod's own said
 * "Invalid input: expected number, received Infinity" for 1e999, and "Too small: expected number to
 * be >=0" for a negative latency.
 */
export const boundedValue = (doc: string, { nonNegative = false } = {}) => {
  const { number, bound } = rangedNumber(`a finite number between ${nonNegative ? "0" : "-1e15"} and 1e15`);
  return number
    .min(nonNegative ? 0 : -MAX_METRIC_ABS, bound)
    .max(MAX_METRIC_ABS, bound)
    .openapi({ description: `At most 1e15 in absolute value (${doc})` });
};
