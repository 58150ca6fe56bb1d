/**
 * The cache-miss reads of the assignment routes, by id or by keys, through the read model's one
 * loader. POST /assign may name keys that are not running (stopped, draft, unknown) and they are
 * looked up together in one round trip.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { experiments } from "../db/schema";
import type { ClientExperiment } from "../experiments/model";
import { loadClientExperiments } from "./read-model";

export async function findExperimentById(db: Db, orgId: string, id: string): Promise<ClientExperiment | null> {
  // A batch is a transaction: the variants belong to the experiment read.
  const [found] = await loadClientExperiments(db, orgId, and(eq(experiments.orgId, orgId), eq(experiments.id, id)));
  return found ?? null;
}

/** The org's experiments with these keys (any status), variants in creation order. */
export async function findExperimentsByKeys(
  db: Db,
  orgId: string,
  keys: readonly string[],
): Promise<ClientExperiment[]> {
  if (keys.length === 0) return [];
  // One JSON parameter instead of one per key: D1 binds at most 100 parameters a statement.
  const named = and(
    eq(experiments.orgId, orgId),
    sql`${experiments.key} IN (SELECT value FROM json_each(${JSON.stringify(keys)}))`,
  );
  return loadClientExperiments(db, orgId, named);
}
