/**
 * The vocabulary of the statistics: enums, defaults and the shapes that cross the seam between
 * src/stats (pure maths) and the analysis builder. Written once here; zod schemas, drizzle columns
 * and the dashboard derive from these arrays.
 */

/** Which way is good for a metric. */
export const DIRECTIONS = ["increase", "decrease"] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const VERDICTS = ["winning", "losing", "inconclusive", "guardrail_failed"] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Multiple-comparison corrections: none, Holm (family-wise error), Benjamini-Hochberg (false discovery rate). */
export const CORRECTIONS = ["none", "holm", "bh"] as const;
export type Correction = (typeof CORRECTIONS)[number];

export const ENGINES = ["frequentist", "bayesian"] as const;
export type Engine = (typeof ENGINES)[number];

/** Tuning parameter of the confidence sequence: the total sample size (both arms) at which it is tightest. */
export const DEFAULT_SEQUENTIAL_TUNING = 5000;

/** SRM is not tested while any variant has fewer users than this: too few to say anything. */
export const SRM_MIN_USERS = 8;

/** The threshold is deliberately strict: SRM is checked on every look at every experiment. */
export const SRM_ALPHA = 0.001;

/**
 * Per-arm summary of per-user values (or per-row values for event_mean). `variance` is the sample
 * variance (n − 1). `mean` MAY be relative to a shift common to all arms of one metric (pass it as
 * CompareOptions.shift): differences then stay exact when values are ~1e12.
 */
export interface Moments {
  n: number;
  mean: number;
  variance: number;
}

/** Per-arm moments with the CUPED covariate X (the user's pre-exposure value of the same metric). */
export interface CovariateMoments extends Moments {
  meanX: number;
  varianceX: number;
  /** Sample covariance of X and Y within the arm (n − 1 denominator). */
  covarianceXY: number;
}
