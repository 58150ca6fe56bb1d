/**
 * Experiments and variants in D1. Every statement is filtered by org_id, and every state-dependent
 * write carries its guard in SQL (WHERE status = ...), so two concurrent requests can never both
 * apply a change that only one of them may make: the caller checks `meta.changes`.
 */
import { and, asc, desc, eq, lt, or, type SQL, sql } from "drizzle-orm";
import type { ExperimentStatus } from "./model";
import { type AuditEntry, auditStatement } from "../audit/repository";
import type { Db } from "../db/client";
import { type ExperimentRow, experiments, type VariantRow, variants } from "../db/schema";
import { keyTaken } from "../http/problem";
import { batch, changesOf, statementOf } from "../db/d1";
import { guardUnique } from "../db/errors";

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

/** A variant to store; position comes from its order in the list. */
export type NewVariant = Omit<VariantRow, "orgId" | "experimentId" | "position" | "createdAt">;

// Variants go in as one JSON parameter (D1 allows 100 bound parameters per statement; 50 variants
// of 11 columns would need 550). The guard makes the insert a no-op unless the experiment is a
// draft of this org; positions continue after the existing ones (the CTE is evaluated once).
const INSERT_VARIANTS = `
  WITH base AS MATERIALIZED (SELECT COALESCE(MAX(position) + 1, 0) AS b FROM variants WHERE experiment_id = ?3)
  INSERT INTO variants (id, org_id, experiment_id, key, variant_name, variant_type, model_version, config,
                        traffic_percentage, position, created_at)
  SELECT j.value ->> '$.id', ?2, ?3, j.value ->> '$.key', j.value ->> '$.name', j.value ->> '$.type',
         j.value ->> '$.model_version', json(j.value -> '$.config'), j.value ->> '$.pct', base.b + j.key, ?4
  FROM json_each(?1) AS j, base
  WHERE EXISTS (SELECT 1 FROM experiments WHERE id = ?3 AND org_id = ?2 AND status = 'draft'
                AND (?5 IS NULL OR updated_at = ?5))`;

/** `expectedUpdatedAt`: only if the experiment is still the version the caller read (a PATCH's guard). */
function insertVariants(
  db: Db,
  orgId: string,
  experimentId: string,
  list: readonly NewVariant[],
  now: number,
  expectedUpdatedAt: number | null = null,
) {
  const json = list.map((v) => ({
    id: v.id,
    key: v.key,
    name: v.variantName,
    type: v.variantType,
    model_version: v.modelVersion,
    config: v.config,
    pct: v.trafficPercentage,
  }));
  return db.$client.prepare(INSERT_VARIANTS).bind(JSON.stringify(json), orgId, experimentId, now, expectedUpdatedAt);
}

const DUPLICATE_EXPERIMENT_KEY = /UNIQUE constraint failed: experiments\.org_id, experiments\.key/;
const DUPLICATE_VARIANT_KEY = /UNIQUE constraint failed: variants\.experiment_id, variants\.key/;

/**
 * The keys a write stores, to name the one taken: `key`, the experiment's (none: it keeps its key);
 * `variantKey`, the one variant it adds (a whole variant list is checked for repeats before any write).
 */
/** A variant's key is unique in its experiment, whose variants list has no `?key=` filter. */
const IN_EXPERIMENT = { byKey: false, within: " in this experiment" };

interface Written {
  experimentId: string;
  key?: string | undefined;
  variantKey?: string | undefined;
}

const guardDuplicates = <T>(work: Promise<T>, { experimentId, key, variantKey }: Written) =>
  guardUnique(
    work,
    [DUPLICATE_EXPERIMENT_KEY, key, (k) => keyTaken("an experiment", k, "/api/v1/ab-testing/experiments")],
    [
      DUPLICATE_VARIANT_KEY,
      variantKey,
      (k) => keyTaken("a variant", k, `/api/v1/ab-testing/experiments/${experimentId}/variants`, IN_EXPERIMENT),
    ],
  );

/** The experiment and its variants in one transaction: nothing is half-stored. */
export async function createExperiment(
  db: Db,
  row: ExperimentRow,
  list: readonly NewVariant[],
  audit: AuditEntry,
): Promise<void> {
  const statements = [statementOf(db, db.insert(experiments).values(row)), auditStatement(db, audit)];
  if (list.length > 0) statements.push(insertVariants(db, row.orgId, row.id, list, row.createdAt));
  await guardDuplicates(batch(db, statements), { experimentId: row.id, key: row.key });
}

export interface PageRequest {
  status?: ExperimentStatus | undefined;
  /** Only the experiments whose key or name contains this text (ASCII case folded). */
  q?: string | undefined;
  key?: string | undefined;
  /** Only the experiments whose namespace has this key. */
  namespace?: string | undefined;
  limit: number;
  after?: { createdAt: number; id: string } | undefined;
}

/** Newest first, keyset-paginated on (created_at, id); one row more than asked tells if a page follows. */
export async function listExperiments(db: Db, orgId: string, page: PageRequest): Promise<ExperimentWithVariants[]> {
  const conds: (SQL | undefined)[] = [eq(experiments.orgId, orgId)];
  if (page.status) conds.push(eq(experiments.status, page.status));
  if (page.key) conds.push(eq(experiments.key, page.key));
  if (page.q) {
    // instr, not LIKE: a search for "50%" or "a_b" means those characters, with nothing to escape.
    // Fold the query as SQLite's lower() folds the columns, ASCII only: "É" still finds "École".
    const q = page.q.replace(/[A-Z]+/g, (s) => s.toLowerCase());
    conds.push(
      or(sql`instr(lower(${experiments.key}), ${q}) > 0`, sql`instr(lower(${experiments.experimentName}), ${q}) > 0`),
    );
  }
  if (page.namespace) conds.push(sql`json_extract(${experiments.namespace}, '$.key') = ${page.namespace}`);
  if (page.after) {
    const { createdAt, id } = page.after;
    conds.push(
      or(lt(experiments.createdAt, createdAt), and(eq(experiments.createdAt, createdAt), lt(experiments.id, id))),
    );
  }
  const rows = await db
    .select()
    .from(experiments)
    .where(and(...conds))
    .orderBy(desc(experiments.createdAt), desc(experiments.id))
    .limit(page.limit + 1);
  if (rows.length === 0) return [];
  // One JSON parameter for up to 501 ids: a plain IN (?, ?, ...) would break D1's parameter limit.
  const ids = JSON.stringify(rows.map((r) => r.id));
  const vs = await db
    .select()
    .from(variants)
    .where(and(eq(variants.orgId, orgId), sql`${variants.experimentId} IN (SELECT value FROM json_each(${ids}))`))
    .orderBy(asc(variants.experimentId), asc(variants.position));
  const byExperiment = new Map<string, VariantRow[]>();
  for (const v of vs) byExperiment.set(v.experimentId, [...(byExperiment.get(v.experimentId) ?? []), v]);
  return rows.map((r) => ({ ...r, variants: byExperiment.get(r.id) ?? [] }));
}

export type ExperimentFields = Partial<
  Pick<
    ExperimentRow,
    | "key"
    | "experimentName"
    | "description"
    | "hypothesis"
    | "primaryMetric"
    | "coverage"
    | "seed"
    | "secondaryMetrics"
    | "guardrailMetrics"
    | "plannedUsersPerVariant"
    | "analysisSettings"
    | "targeting"
    | "namespace"
    | "scheduledStartAt"
    | "scheduledEndAt"
  >
>;

export interface UpdateRequest {
  /** The status the caller decided on; the update applies only if it still holds. */
  expectedStatus: ExperimentStatus;
  /**
   * The updated_at of the version the caller read and planned against: the update applies only
   * if no other change landed since (every writer moves updated_at forward; see nextUpdatedAt).
   * Without it, two PATCHes of different settings both answered 200 and the later one's merge
   * dropped the earlier's, and a split planned on replaced variants applied to half of them.
   */
  expectedUpdatedAt: number;
  /** When coverage may only rise: apply only if the stored coverage is still at most this. */
  coverageAtMost?: number | undefined;
  fields: ExperimentFields;
  /** Draft only: replace the variant set (a kept key keeps its id: the caller passes it in). */
  replaceVariants?: readonly NewVariant[] | undefined;
  /** Draft only: new percentages by variant key. */
  percentages?: Readonly<Record<string, number>> | undefined;
  /** Must be above expectedUpdatedAt (nextUpdatedAt, db/d1.ts). */
  now: number;
}

/** Applies an update atomically under its guard; false when the guard no longer held. */
export async function updateExperiment(
  db: Db,
  orgId: string,
  id: string,
  req: UpdateRequest,
  /** null: nothing the history speaks of changed (a PATCH {} still touches updated_at). */
  audit: AuditEntry | null,
): Promise<boolean> {
  const guard = [
    eq(experiments.id, id),
    eq(experiments.orgId, orgId),
    eq(experiments.status, req.expectedStatus),
    eq(experiments.updatedAt, req.expectedUpdatedAt),
  ];
  if (req.coverageAtMost !== undefined) guard.push(sql`${experiments.coverage} <= ${req.coverageAtMost}`);
  // The variant statements run first, under the same version guard, and the experiment UPDATE
  // (which moves updated_at on) last: inside the batch's transaction they all see the version the
  // caller read, so either every statement applies or none does.
  const readVersion = `EXISTS (SELECT 1 FROM experiments WHERE id = ?1 AND org_id = ?2 AND status = 'draft' AND updated_at = ?3)`;
  const statements: D1PreparedStatement[] = [];
  if (req.replaceVariants) {
    statements.push(
      db.$client
        .prepare(`DELETE FROM variants WHERE experiment_id = ?1 AND org_id = ?2 AND ${readVersion}`)
        .bind(id, orgId, req.expectedUpdatedAt),
      insertVariants(db, orgId, id, req.replaceVariants, req.now, req.expectedUpdatedAt),
    );
  }
  if (req.percentages) {
    statements.push(
      db.$client
        .prepare(
          `UPDATE variants SET traffic_percentage = p.value
           FROM json_each(?4) AS p
           WHERE variants.key = p.key AND variants.experiment_id = ?1 AND variants.org_id = ?2 AND ${readVersion}`,
        )
        .bind(id, orgId, req.expectedUpdatedAt, JSON.stringify(req.percentages)),
    );
  }
  const update = statements.length;
  statements.push(
    statementOf(
      db,
      db
        .update(experiments)
        .set({ ...req.fields, updatedAt: req.now })
        .where(and(...guard)),
    ),
  );
  if (audit !== null) statements.push(auditStatement(db, audit, { afterGuard: true }));
  const results = await guardDuplicates(batch(db, statements), { experimentId: id, key: req.fields.key });
  return changesOf(results[update]) === 1;
}

/** Adds one variant at the end, only while the experiment is a draft; false otherwise. */
export async function addVariant(
  db: Db,
  orgId: string,
  experimentId: string,
  v: NewVariant,
  now: number,
  audit: AuditEntry,
) {
  const touch = db.$client
    .prepare(
      `UPDATE experiments SET updated_at = max(?3, updated_at + 1) WHERE id = ?1 AND org_id = ?2 AND status = 'draft'`,
    )
    .bind(experimentId, orgId, now);
  const insert = insertVariants(db, orgId, experimentId, [v], now);
  const [inserted] = await guardDuplicates(
    batch(db, [insert, auditStatement(db, audit, { afterGuard: true }), touch]),
    {
      experimentId,
      variantKey: v.key,
    },
  );
  return changesOf(inserted) === 1;
}

/**
 * Deletes an experiment that is not running, with its variants, exposures and results (explicitly,
 * not relying on foreign-key cascades being enabled). Returns whether it was deleted.
 */
export async function deleteExperiment(db: Db, orgId: string, id: string, audit: AuditEntry): Promise<boolean> {
  const deletable = `(SELECT id FROM experiments WHERE id = ?1 AND org_id = ?2 AND status <> 'running')`;
  const d1 = db.$client;
  const results = await batch(db, [
    d1.prepare(`DELETE FROM results WHERE experiment_id IN ${deletable}`).bind(id, orgId),
    d1.prepare(`DELETE FROM exposures WHERE experiment_id IN ${deletable}`).bind(id, orgId),
    d1.prepare(`DELETE FROM variants WHERE experiment_id IN ${deletable}`).bind(id, orgId),
    d1.prepare(`DELETE FROM experiments WHERE id IN ${deletable}`).bind(id, orgId),
    auditStatement(db, audit, { afterGuard: true }),
  ]);
  return changesOf(results[3]) === 1;
}

// The start guard re-checks in SQL what startReadiness() checks in TypeScript (basis points as
// bucketing counts them), so a variant change racing with the start cannot slip through.
const STARTABLE = `
  (SELECT COUNT(*) FROM variants WHERE experiment_id = ?1 AND org_id = ?2) >= 2
  AND (SELECT COUNT(*) FROM variants WHERE experiment_id = ?1 AND org_id = ?2 AND variant_type = 'control') = 1
  AND (SELECT SUM(CASE WHEN traffic_percentage <= 0 THEN 0 WHEN traffic_percentage >= 100 THEN 10000
                       ELSE CAST(traffic_percentage * 100 + 0.5 AS INTEGER) END)
       FROM variants WHERE experiment_id = ?1 AND org_id = ?2) = 10000`;

export interface TransitionRequest {
  from: ExperimentStatus;
  to: ExperimentStatus;
  now: number;
  winnerVariantId?: string | null | undefined;
}

/** Moves the experiment from exactly `from` to `to`; false when another request got there first. */
export async function transitionExperiment(
  db: Db,
  orgId: string,
  id: string,
  t: TransitionRequest,
  audit: AuditEntry,
): Promise<boolean> {
  const guard = t.to === "running" ? `AND ${STARTABLE}` : "";
  const stmt = db.$client
    .prepare(
      `UPDATE experiments SET status = ?4, updated_at = max(?5, updated_at + 1),
         started_at = CASE WHEN ?4 = 'running' THEN COALESCE(started_at, ?5) ELSE started_at END,
         completed_at = CASE WHEN ?4 = 'completed' THEN ?5 ELSE completed_at END,
         winner_variant_id = CASE WHEN ?4 = 'completed' THEN ?6 ELSE winner_variant_id END
       WHERE id = ?1 AND org_id = ?2 AND status = ?3 ${guard}`,
    )
    .bind(id, orgId, t.from, t.to, t.now, t.winnerVariantId ?? null);
  const [result] = await batch(db, [stmt, auditStatement(db, audit, { afterGuard: true })]);
  return changesOf(result) === 1;
}
