/**
 * The cache-miss reads of the assignment routes. By id the experiments read model serves
 * (getExperimentWithVariants); by key it has no query, so this one lives here: POST /assign may
 * name keys that are not running (paused, completed, draft, unknown) and they are looked up
 * together in one round trip.
 */
import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { experiments, type VariantRow, variants } from "../db/schema";
import { getExperimentWithVariants, toClientExperiment } from "../experiments/read-model";
import type { ClientExperiment } from "./config-types";

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
  const [exps, vs] = await db.batch([
    db.select().from(experiments).where(named),
    db
      .select({ variant: variants })
      .from(variants)
      .innerJoin(experiments, eq(experiments.id, variants.experimentId))
      .where(and(named, eq(variants.orgId, orgId)))
      .orderBy(asc(variants.experimentId), asc(variants.position)),
  ]);
  const byExperiment = new Map<string, VariantRow[]>();
  for (const { variant } of vs) {
    const list = byExperiment.get(variant.experimentId);
    if (list) list.push(variant);
    else byExperiment.set(variant.experimentId, [variant]);
  }
  return exps.map((e) => toClientExperiment({ ...e, variants: byExperiment.get(e.id) ?? [] }));
}
