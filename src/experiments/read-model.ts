/**
 * Reads and writes other features build on (the assignment routes and config cache).
 * Kept apart from repository.ts so that module can change with the experiments API while
 * these signatures stay stable. Every query is filtered by organization.
 */
import { and, asc, eq, type SQL } from "drizzle-orm";
import type { ClientExperiment, ClientVariant } from "./model";
import type { Db } from "../db/client";
import { type ExperimentRow, type ExposureRow, experiments, type VariantRow, variants } from "../db/schema";

export type ExperimentWithVariants = ExperimentRow & { variants: VariantRow[] };

/** One experiment of `orgId` with its variants in creation order; null if absent or another org's. */
export async function getExperimentWithVariants(
  db: Db,
  orgId: string,
  id: string,
): Promise<ExperimentWithVariants | null> {
  // One round trip, and a batch is a transaction: the variants belong to the experiment read.
  const [found, vs] = await db.batch([
    db
      .select()
      .from(experiments)
      .where(and(eq(experiments.orgId, orgId), eq(experiments.id, id))),
    db
      .select()
      .from(variants)
      .where(and(eq(variants.orgId, orgId), eq(variants.experimentId, id)))
      .orderBy(asc(variants.position)),
  ]);
  const experiment = found[0];
  return experiment ? { ...experiment, variants: vs } : null;
}

type VariantFields = Pick<
  VariantRow,
  "id" | "key" | "variantName" | "variantType" | "modelVersion" | "config" | "trafficPercentage"
>;

export function toClientVariant(v: VariantFields): ClientVariant {
  return {
    id: v.id,
    key: v.key,
    variant_name: v.variantName,
    variant_type: v.variantType,
    model_version: v.modelVersion,
    config: v.config,
    traffic_percentage: v.trafficPercentage,
  };
}

/** The evaluation shape (src/experiments/model.ts); the seed defaults to the key here, once. */
export function toClientExperiment(e: ExperimentWithVariants): ClientExperiment {
  return {
    id: e.id,
    key: e.key,
    status: e.status,
    seed: e.seed ?? e.key,
    coverage: e.coverage,
    winner_variant_id: e.winnerVariantId,
    variants: e.variants.map(toClientVariant),
  };
}

/**
 * Experiments matching `where` (which must filter by organization), oldest first, each with its
 * variants in creation order: two statements in one batch, however many experiments match.
 */
export async function loadClientExperiments(
  db: Db,
  orgId: string,
  where: SQL | undefined,
): Promise<ClientExperiment[]> {
  const [exps, vs] = await db.batch([
    db.select().from(experiments).where(where).orderBy(asc(experiments.createdAt), asc(experiments.id)),
    db
      .select({ variant: variants })
      .from(variants)
      .innerJoin(experiments, eq(experiments.id, variants.experimentId))
      .where(and(where, eq(variants.orgId, orgId)))
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

/** The organization's running experiments, oldest first, each with variants in creation order. */
export function listRunningExperimentsForConfig(db: Db, orgId: string): Promise<ClientExperiment[]> {
  return loadClientExperiments(db, orgId, and(eq(experiments.orgId, orgId), eq(experiments.status, "running")));
}

/** Rows per statement: one JSON parameter each, so D1's 100-parameter limit never applies. */
export const EXPOSURE_CHUNK = 1000;

/**
 * Stores exposures, the first one per (experiment, user) winning: re-sent pairs are ignored.
 * Set-based (INSERT ... SELECT FROM json_each(?)), chunked, all chunks in one atomic batch.
 * A row whose experiment is not of its org, or whose variant is not of its experiment, is
 * skipped rather than stored. Returns how many rows were new.
 */
// The WHERE is also what SQLite needs to parse ON CONFLICT after INSERT ... SELECT.
const INSERT_EXPOSURES = `
  INSERT INTO exposures (org_id, experiment_id, user_id, variant_id, exposed_at)
  SELECT j.value ->> '$.o', j.value ->> '$.e', j.value ->> '$.u', j.value ->> '$.v', j.value ->> '$.t'
  FROM json_each(?1) AS j
  WHERE EXISTS (
    SELECT 1 FROM variants v JOIN experiments x ON x.id = v.experiment_id
    WHERE v.id = j.value ->> '$.v' AND x.id = j.value ->> '$.e' AND x.org_id = j.value ->> '$.o'
  )
  ON CONFLICT (experiment_id, user_id) DO NOTHING`;

export async function insertExposures(db: Db, rows: readonly ExposureRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  // Raw D1 statements: set-based SQL that drizzle's builder cannot express, batched natively.
  const d1 = db.$client;
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < rows.length; i += EXPOSURE_CHUNK) {
    const chunk = rows.slice(i, i + EXPOSURE_CHUNK).map((r) => ({
      o: r.orgId,
      e: r.experimentId,
      u: r.userId,
      v: r.variantId,
      t: r.exposedAt,
    }));
    statements.push(d1.prepare(INSERT_EXPOSURES).bind(JSON.stringify(chunk)));
  }
  const results = await d1.batch(statements);
  return results.reduce((n, r) => n + (r.meta.changes ?? 0), 0);
}
