/**
 * The audit vocabulary, zod-free: what can be audited, what happened to it, and how a change is
 * described. A change is `{ field: { from, to } }` over the API's field names, so the history
 * reads like the resource it describes.
 */

import type { LifecycleAction } from "../experiments/model";

export const AUDIT_ENTITY_TYPES = ["experiment", "flag", "metric"] as const;
export type AuditEntityType = (typeof AUDIT_ENTITY_TYPES)[number];

const AUDIT_ACTIONS = [
  "created",
  "updated",
  "deleted",
  "started",
  "paused",
  "completed",
  "variant_added",
  "start_refused",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The history action of each lifecycle move. */
export const LIFECYCLE_AUDIT: Readonly<Record<LifecycleAction, AuditAction>> = {
  start: "started",
  pause: "paused",
  complete: "completed",
};

/** Who is acting, and for which organization (both from the verified token): every audited write takes one. */
export interface Actor {
  orgId: string;
  sub: string;
}

/** The actor of changes made by the Cron Trigger rather than by a token holder. */
export const SCHEDULER_ACTOR = "scheduler";

interface FieldChange {
  from: unknown;
  to: unknown;
}
export type Changes = Record<string, FieldChange>;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The fields of `after` whose value differs from `before` (compared as JSON). Fields absent from
 * `after` are not changes: callers pass only what a request set.
 */
export function diffFields(
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
): Changes {
  const changes: Changes = {};
  for (const [field, to] of Object.entries(after)) {
    if (to === undefined) continue;
    const from = before[field] ?? null;
    if (!same(from, to)) changes[field] = { from, to };
  }
  return changes;
}

/** A created resource as changes from nothing: every given field, `from: null`. */
export function createdFields(after: Readonly<Record<string, unknown>>): Changes {
  return diffFields({}, after);
}

/** A deleted resource as changes to nothing: every field it had, `to: null`. */
export function deletedFields(before: Readonly<Record<string, unknown>>): Changes {
  const changes: Changes = {};
  for (const [field, from] of Object.entries(before))
    if (from !== null && from !== undefined) changes[field] = { from, to: null };
  return changes;
}
