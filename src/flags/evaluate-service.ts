/**
 * POST /flags/evaluate: every flag of the org (or those named) for one user, from the assignment
 * cache's snapshot (src/assignment/cache.ts): no D1 read on a warm isolate, and nothing written.
 */
import { type AssignContext, configSnapshot, type Subject } from "../assignment/service";
import { evaluateFlags } from "./evaluate";
import type { FlagEvaluation } from "./model";

export async function evaluateFlagsFor(
  ctx: AssignContext,
  subject: Subject,
  keys: readonly string[] | undefined,
): Promise<{ flags: Record<string, FlagEvaluation> }> {
  const snapshot = await configSnapshot(ctx);
  const only = keys === undefined ? undefined : [...new Set(keys)];
  return { flags: evaluateFlags(snapshot.flags, subject.userId, subject.attributes, only) };
}
