/**
 * The Cron Trigger's work: complete live experiments past `scheduled_end_at` (no winner) and start
 * drafts past `scheduled_start_at`. Starts go through the same service as `POST .../start`, so the
 * start checks apply; a refused start stays draft, its schedule is cleared (so the refusal is
 * recorded once, not every minute) and the reason is written to the history in the same batch.
 */
import { SCHEDULER_ACTOR } from "../audit/model";
import type { Db } from "../db/client";
import { changeStatus } from "../experiments/service";
import { ProblemError } from "../http/problem";
import { dueEnds, dueStarts, refuseScheduledStart } from "./repository";

export interface ScheduleOutcome {
  started: string[];
  completed: string[];
  refused: { id: string; reason: string }[];
  failed: { id: string; error: string }[];
}

/** One pass at `now` (the trigger's scheduledTime). Every experiment is handled on its own. */
export async function runSchedule(db: Db, now: number): Promise<ScheduleOutcome> {
  const outcome: ScheduleOutcome = { started: [], completed: [], refused: [], failed: [] };
  // Starts first: a draft whose start and end have both passed is started, then completed below.
  for (const due of await dueStarts(db, now)) {
    try {
      await changeStatus(db, due.orgId, due.id, "start", null, SCHEDULER_ACTOR);
      outcome.started.push(due.id);
    } catch (err) {
      if (err instanceof ProblemError && err.kind === "unprocessable") {
        const reason = err.message;
        if (await refuseScheduledStart(db, due, reason, now)) outcome.refused.push({ id: due.id, reason });
      } else if (!(err instanceof ProblemError && (err.kind === "conflict" || err.kind === "not-found"))) {
        // Changed or deleted meanwhile is not a failure; anything else is logged and retried next minute.
        outcome.failed.push({ id: due.id, error: String(err) });
      }
    }
  }
  for (const due of await dueEnds(db, now)) {
    try {
      await changeStatus(db, due.orgId, due.id, "complete", null, SCHEDULER_ACTOR);
      outcome.completed.push(due.id);
    } catch (err) {
      if (!(err instanceof ProblemError && (err.kind === "conflict" || err.kind === "not-found"))) {
        outcome.failed.push({ id: due.id, error: String(err) });
      }
    }
  }
  if (outcome.failed.length > 0) {
    console.error(JSON.stringify({ level: "error", event: "schedule_failed", failed: outcome.failed }));
  }
  return outcome;
}
