/**
 * The cache-miss reads of the assignment routes. By id the experiments read model serves
 * (getExperimentWithVariants); by key it has no query, so this one lives here: POST /assign may
 * name keys that are not running (paused, completed, draft, unknown) and they are looked up
 * together in one round trip.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { experiments } from "../db/schema";
import { getExperimentWithVariants, loadClientExperiments, toClientExperiment } from "../experiments/read-model";
import type { ClientExperiment } from "../experiments/model";

export async function findExperimentById(db: Db, orgId: string, id: string): Promise<ClientExperiment | null> {
  const found = await getExperimentWithVariants(db, orgId, id);
  return found === null ? null : toClientExperiment(found);
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
