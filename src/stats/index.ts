/**
 * Pure statistics for experiment results. No runtime imports: safe anywhere, tested as plain functions.
 * The seam with the analysis builder is fixed in /work/helpers/stats-interface.md; docs/statistics.md
 * explains every number for a product reader.
 *
 * Notes for callers:
 * - Moments.mean may be shifted by a constant common to all arms; pass it as `shift` so the relative
 *   lift uses the real means.
 * - After CUPED a binomial metric's values are no longer 0/1: compareFrequentist notices (mean·n is not
 *   an integer) and uses the Welch path; passing binary: false is equivalent.
 * - `direction` (default "increase") turns chance_to_beat_control and expected_loss into "chance of
 *   being better" for metrics where lower is better.
 */

export type { BayesianComparison, BayesianOptions, GaussianPrior } from "./bayesian";
export { compareBayesian, gaussianDecision } from "./bayesian";
export type { Interval } from "./binary";
export { newcombeInterval, newcombePValue, wilsonInterval } from "./binary";
export { adjustPValues } from "./corrections";
export type { CupedResult } from "./cuped";
export { cuped } from "./cuped";
export {
  binomialLowerTail,
  binomialUpperTail,
  chiSquareSurvival,
  standardNormalCdf,
  standardNormalUpperQuantile,
  studentTCdf,
  studentTTwoSided,
  studentTUpperQuantile,
} from "./distributions";
export type { CompareOptions, FrequentistComparison } from "./frequentist";
export { compareFrequentist, REASONS } from "./frequentist";
export type { Correction, CovariateMoments, Direction, Engine, Moments, Verdict } from "./model";
export {
  CORRECTIONS,
  DEFAULT_SEQUENTIAL_TUNING,
  DIRECTIONS,
  ENGINES,
  SRM_ALPHA,
  SRM_MIN_USERS,
  VERDICTS,
} from "./model";
export type { CentralAggregates, MomentSummary, SumAggregates } from "./moments";
export { percentile, summarizeMoments } from "./moments";
export type { PowerInput } from "./power";
export { requiredUsersPerVariant, usersPerVariantExact } from "./power";
export { sequentialHalfwidth, sequentialPValue, sequentialRho } from "./sequential";
export type { SrmResult } from "./srm";
export { srmCheck } from "./srm";
export { verdictOf } from "./verdict";
export type { ArmStats, WelchComparison, WelchOptions } from "./welch";
export { compareWelch } from "./welch";
