/**
 * Assignment's repository: the client view of experiments (the evaluation config the cache,
 * GET /config and the cache-miss lookups read) and the exposures assignment writes. Experiments
 * never import this module; it reads their tables and reuses their variant presenter, so the
 * dependency points one way. Every query is filtered by organization.
 */
import { and, asc, eq, inArray, or, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import {
  type ExperimentRow,
  type ExposureRow,
  experiments,
  type FlagRow,
  flags,
  type VariantRow,
  variants,
} from "../db/schema";
import { stoppedVariant } from "../evaluation/evaluate";
import { type ClientExperiment, EXPERIMENT_STATUSES, isStopped } from "../experiments/model";
import type { ClientFlag } from "../flags/model";
import type { EdgeConfig } from "./cache";
import { toClientExperiment } from "../experiments/present";

/**
 * Experiments matching `where` (which must filter by organization), oldest first, each with its
 * variants in creation order: two statements in one batch, however many experiments match.
 */
export async function loadClientExperiments(
  db: Db,
  orgId: string,
  where: SQL | undefined,
): Promise<ClientExperiment[]> {
  const [exps, vs] = await db.batch(experimentQueries(db, orgId, where));
  return assemble(exps, vs);
}

function experimentQueries(db: Db, orgId: string, where: SQL | undefined, variantWhere?: SQL) {
  return [
    db.select().from(experiments).where(where).orderBy(asc(experiments.createdAt), asc(experiments.id)),
    db
      .select({ variant: variants })
      .from(variants)
      .innerJoin(experiments, eq(experiments.id, variants.experimentId))
      .where(and(where, eq(variants.orgId, orgId), variantWhere))
      .orderBy(asc(variants.experimentId), asc(variants.position)),
  ] as const;
}

function assemble(exps: readonly ExperimentRow[], vs: readonly { variant: VariantRow }[]): ClientExperiment[] {
  const byExperiment = new Map<string, VariantRow[]>();
  for (const { variant } of vs) {
    const list = byExperiment.get(variant.experimentId);
    if (list) list.push(variant);
    else byExperiment.set(variant.experimentId, [variant]);
  }
  return exps.map((e) => toClientExperiment({ ...e, variants: byExperiment.get(e.id) ?? [] }));
}

const running = (orgId: string) => and(eq(experiments.orgId, orgId), eq(experiments.status, "running"));
/** What GET /config serves: running experiments, and the paused and completed ones (the `stopped` of cache.ts). */
const SERVED_STATUSES = EXPERIMENT_STATUSES.filter((s) => s !== "draft");
const served = (orgId: string) => and(eq(experiments.orgId, orgId), inArray(experiments.status, SERVED_STATUSES));
/**
 * Every variant of a running experiment; of a stopped one only those stoppedVariant may pick (the
 * control, the first, the winner): completed experiments accumulate, so a reload reads at most
 * three variant rows for each rather than all of them.
 */
const servedVariants = or(
  eq(experiments.status, "running"),
  eq(variants.variantType, "control"),
  eq(variants.position, 0),
  eq(variants.id, experiments.winnerVariantId),
);

/**
 * A paused or completed experiment as GET /config carries it: only the variant it answers everyone
 * (its answer never depends on a bucket, and a config keeps every completed experiment), without
 * the targeting and namespace that no longer apply.
 */
function stoppedForConfig(e: ClientExperiment): ClientExperiment {
  const answered = stoppedVariant(e);
  const { targeting: _t, namespace: _n, ...rest } = e;
  return { ...rest, variants: answered === undefined ? [] : [answered] };
}

/** The organization's running experiments, oldest first, each with variants in creation order. */
export function listRunningExperimentsForConfig(db: Db, orgId: string): Promise<ClientExperiment[]> {
  return loadClientExperiments(db, orgId, running(orgId));
}

/** A flag's evaluation shape (src/flags/model.ts): what GET /config and the cache carry. */
const toClientFlag = (f: FlagRow): ClientFlag => ({
  key: f.key,
  value_type: f.valueType,
  default_value: f.defaultValue,
  enabled: f.enabled,
  rules: f.rules,
});

/**
 * The org's evaluation config for the edge cache: running experiments with their variants, the
 * paused and completed ones with the variant they answer, and every flag (oldest first), in one
 * D1 batch: one round trip per reload.
 */
export async function loadEdgeConfig(db: Db, orgId: string): Promise<EdgeConfig> {
  const [exps, vs, flagRows] = await db.batch([
    ...experimentQueries(db, orgId, served(orgId), servedVariants),
    db.select().from(flags).where(eq(flags.orgId, orgId)).orderBy(asc(flags.createdAt), asc(flags.id)),
  ]);
  const all = assemble(exps, vs);
  return {
    experiments: all.filter((e) => e.status === "running"),
    stopped: all.filter((e) => isStopped(e.status)).map(stoppedForConfig),
    flags: flagRows.map(toClientFlag),
  };
}

/** Rows per statement: one JSON parameter each, so D1's 100-parameter limit never applies. */
const EXPOSURE_CHUNK = 1000;

/**
 * Stores exposures, the first one per (experiment, user) winning: re-sent pairs are ignored.
 * Set-based (INSERT ... SELECT FROM json_each(?)), chunked, all chunks in one atomic batch.
 * A row whose experiment is not of its org, or whose variant is not of its experiment, is
 * skipped rather than stored. Returns how many rows were new.
 */
// The WHERE is also what SQLite needs to parse ON CONFLICT after INSERT ... SELECT.
// No exposure is stored before its experiment first started (started_at, kept across pauses): an
// earlier time (a reported one from a skewed or replaying client) is stored as the start, so that
// results before the start stay pre-exposure data for CUPED and data_quality.
const INSERT_EXPOSURES = `
  INSERT INTO exposures (org_id, experiment_id, user_id, variant_id, exposed_at)
  SELECT j.value ->> '$.o', x.id, j.value ->> '$.u', j.value ->> '$.v',
         max(j.value ->> '$.t', coalesce(x.started_at, 0))
  FROM json_each(?1) AS j
  JOIN experiments x ON x.id = j.value ->> '$.e' AND x.org_id = j.value ->> '$.o'
  WHERE EXISTS (SELECT 1 FROM variants v WHERE v.id = j.value ->> '$.v' AND v.experiment_id = x.id)
  ON CONFLICT (experiment_id, user_id) DO NOTHING
  RETURNING 1`;

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
  // Counted from RETURNING (one row per exposure stored): D1's meta.changes also counts the
  // user_metric_values rows the exposures_refold_on_insert trigger writes for a user with results.
  return results.reduce((n, r) => n + (r.results?.length ?? 0), 0);
}
