import type { ExperimentStatus } from "../api/types";

export const STATUSES: readonly ExperimentStatus[] = ["draft", "running", "paused", "completed"];

export type LifecycleAction = "start" | "pause" | "complete";

/**
 * The moves API.md allows from each status; the UI offers exactly these, so an illegal transition
 * is never a button (the server still answers 409 if two people race).
 */
export const LEGAL_ACTIONS: Record<ExperimentStatus, readonly LifecycleAction[]> = {
  draft: ["start"],
  running: ["pause", "complete"],
  paused: ["start", "complete"],
  completed: [],
};

export const actionLabel = (action: LifecycleAction, status: ExperimentStatus): string =>
  action === "start" ? (status === "paused" ? "Resume" : "Start") : action === "pause" ? "Pause" : "Complete…";
