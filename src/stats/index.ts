/** Pure statistics for experiment results. No runtime imports: safe anywhere, tested as plain functions. */

export { chiSquareSurvival, standardNormalCdf, studentTTwoSided, studentTUpperQuantile } from "./distributions";
export type { CentralAggregates, MomentSummary, SumAggregates } from "./moments";
export { summarizeMoments } from "./moments";
export type { SrmResult } from "./srm";
export { SRM_ALPHA, srmCheck } from "./srm";
export type { ArmStats, WelchComparison, WelchOptions } from "./welch";
export { compareWelch } from "./welch";
