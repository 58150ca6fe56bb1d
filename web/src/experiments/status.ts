import { EXPERIMENT_STATUSES, type ExperimentStatus, type LifecycleAction } from "../../../src/experiments/model";

/**
 * legalActions gives the moves the lifecycle allows from a status; the UI offers exactly these, so
 * an illegal transition is never a button (the server still answers 409 if two people race).
 */
export { type LifecycleAction, legalActions } from "../../../src/experiments/model";

export const STATUSES: readonly ExperimentStatus[] = EXPERIMENT_STATUSES;

export const actionLabel = (action: LifecycleAction, status: ExperimentStatus): string =>
  action === "start" ? (status === "draft" ? "Start" : "Resume") : action === "pause" ? "Pause" : "Complete…";
