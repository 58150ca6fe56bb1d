import { type ExperimentStatus, isLive } from "../../../src/experiments/model";

/** Who may enter an experiment. */
export interface Audience {
  targeting: Record<string, unknown> | null;
  namespace: { key: string; start: number; end: number } | null;
}

/** The fields of an experiment the list's notes read. */
export interface ListedExperiment extends Audience {
  status: ExperimentStatus;
  scheduled_start_at: string | null;
  scheduled_end_at: string | null;
}

/**
 * What the scheduler will do next, if anything (src/scheduling/): a draft starts at its scheduled
 * start, a running or paused experiment completes at its scheduled end. Other schedules are inert
 * (a running experiment's past start, a draft's end before it starts), so the list does not show them.
 */
export function nextScheduled(e: ListedExperiment): { action: "starts" | "ends"; at: string } | null {
  if (e.status === "draft" && e.scheduled_start_at) return { action: "starts", at: e.scheduled_start_at };
  if (isLive(e.status) && e.scheduled_end_at) return { action: "ends", at: e.scheduled_end_at };
  return null;
}

/** Who can enter, in a few words: "targeted", "namespace checkout [0, 0.5)"; empty for everyone. */
export function audienceNotes(e: Audience): string[] {
  const notes: string[] = [];
  if (e.targeting && Object.keys(e.targeting).length > 0) notes.push("targeted");
  if (e.namespace) notes.push(`namespace ${e.namespace.key} [${e.namespace.start}, ${e.namespace.end})`);
  return notes;
}
