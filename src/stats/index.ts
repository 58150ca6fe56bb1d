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

export { compareBayesian } from "./bayesian";
export { adjustPValues } from "./corrections";
export { cuped } from "./cuped";
export {
  chiSquareSurvival,
  studentTTwoSided,
} from "./distributions";
export type { CompareOptions } from "./frequentist";
export { compareFrequentist, REASONS } from "./frequentist";
export type { Correction, CovariateMoments, Direction, Engine, Moments } from "./model";
export {
  CORRECTIONS,
  DEFAULT_SEQUENTIAL_TUNING,
  ENGINES,
  VERDICTS,
} from "./model";
export { percentile, summarizeMoments } from "./moments";
export { requiredUsersPerVariant, usersPerVariantExact } from "./power";
export { srmCheck } from "./srm";
export { verdictOf } from "./verdict";
export { compareWelch } from "./welch";
