/** The scheduler's reads across organizations, and the refusal write (with its audit row). */
import { and, asc, eq, inArray, isNotNull, lte } from "drizzle-orm";
import { SCHEDULER_ACTOR } from "../audit/model";
import { auditStatement } from "../audit/repository";
import type { Db } from "../db/client";
import { experiments } from "../db/schema";
import { EXPERIMENT_STATUSES, isLive } from "../experiments/model";
import { batch, changesOf } from "../db/d1";

/** Per pass; the rest waits a minute (a backlog must not make one invocation run unbounded). */
const MAX_PER_PASS = 100;

export interface Due {
  id: string;
  orgId: string;
  scheduledAt: number;
}

export async function dueStarts(db: Db, now: number): Promise<Due[]> {
  const rows = await db
    .select({ id: experiments.id, orgId: experiments.orgId, scheduledAt: experiments.scheduledStartAt })
    .from(experiments)
    .where(
      and(
        isNotNull(experiments.scheduledStartAt),
        lte(experiments.scheduledStartAt, now),
        eq(experiments.status, "draft"),
      ),
    )
    .orderBy(asc(experiments.scheduledStartAt))
    .limit(MAX_PER_PASS);
  return rows.map((r) => ({ ...r, scheduledAt: r.scheduledAt ?? now }));
}

/** Running or paused past their end: both may be completed (src/experiments/lifecycle.ts). */
export async function dueEnds(db: Db, now: number): Promise<Due[]> {
  const rows = await db
    .select({ id: experiments.id, orgId: experiments.orgId, scheduledAt: experiments.scheduledEndAt })
    .from(experiments)
    .where(
      and(
        isNotNull(experiments.scheduledEndAt),
        lte(experiments.scheduledEndAt, now),
        inArray(experiments.status, EXPERIMENT_STATUSES.filter(isLive)),
      ),
    )
    .orderBy(asc(experiments.scheduledEndAt))
    .limit(MAX_PER_PASS);
  return rows.map((r) => ({ ...r, scheduledAt: r.scheduledAt ?? now }));
}

/**
 * Keeps the draft, clears its scheduled start and records why, in one batch; only if it is still
 * the same scheduled draft (a concurrent edit wins and records nothing).
 */
export async function refuseScheduledStart(db: Db, due: Due, reason: string, now: number): Promise<boolean> {
  const clear = db.$client
    .prepare(
      `UPDATE experiments SET scheduled_start_at = NULL, updated_at = max(?4, updated_at + 1)
       WHERE id = ?1 AND org_id = ?2 AND status = 'draft' AND scheduled_start_at = ?3`,
    )
    .bind(due.id, due.orgId, due.scheduledAt, now);
  const audit = auditStatement(
    db,
    {
      orgId: due.orgId,
      entityType: "experiment",
      entityId: due.id,
      at: now,
      actor: SCHEDULER_ACTOR,
      action: "start_refused",
      changes: { scheduled_start_at: { from: new Date(due.scheduledAt).toISOString(), to: null } },
      reason,
    },
    { afterGuard: true },
  );
  const [cleared] = await batch(db, [clear, audit]);
  return changesOf(cleared) === 1;
}
