/**
 * Metric catalogue use cases: defaults from the model, rows to API shapes, guarded updates, each
 * change written with its audit row (actor, time, changed fields) in one batch.
 */
import { type Actor, type AuditAction, type Changes, createdFields, deletedFields, diffFields } from "../audit/model";
import type { AuditEntry } from "../audit/repository";
import type { Db } from "../db/client";
import { nextUpdatedAt } from "../db/d1";
import type { MetricDefinitionRow } from "../db/schema";
import { decodeCursor, encodeCursor } from "../http/cursor";
import { conflict, notFoundById, unprocessable } from "../http/problem";
import { currencyProblem, UNDEFINED_METRIC } from "./model";
import * as repo from "./repository";
import type { MetricInput, MetricOut, MetricPatchInput } from "./schemas";

const iso = (ms: number) => new Date(ms).toISOString();

function presentMetric(m: MetricDefinitionRow): MetricOut {
  return {
    id: m.id,
    key: m.key,
    name: m.name,
    description: m.description,
    kind: m.kind,
    direction: m.direction,
    format: m.format,
    currency: m.currency,
    capping: m.cappingType !== null && m.cappingValue !== null ? { type: m.cappingType, value: m.cappingValue } : null,
    created_at: iso(m.createdAt),
    updated_at: iso(m.updatedAt),
  };
}

/** The audited fields of a definition, under their API names (what history `changes` speak of). */
function auditedMetricFields(m: MetricDefinitionRow) {
  const { id: _id, created_at: _created, updated_at: _updated, ...fields } = presentMetric(m);
  return fields;
}

const auditOf = (actor: Actor, id: string, at: number, action: AuditAction, changes: Changes): AuditEntry => ({
  orgId: actor.orgId,
  entityType: "metric",
  entityId: id,
  at,
  actor: actor.sub,
  action,
  changes,
});

export async function createMetric(db: Db, actor: Actor, input: MetricInput) {
  const { orgId } = actor;
  const now = Date.now();
  const row: MetricDefinitionRow = {
    id: `met_${crypto.randomUUID().replace(/-/g, "")}`,
    orgId,
    key: input.key,
    name: input.name ?? input.key,
    description: input.description ?? null,
    kind: input.kind ?? UNDEFINED_METRIC.kind,
    direction: input.direction ?? UNDEFINED_METRIC.direction,
    format: input.format ?? UNDEFINED_METRIC.format,
    currency: input.currency ?? null,
    cappingType: input.capping?.type ?? null,
    cappingValue: input.capping?.value ?? null,
    createdAt: now,
    updatedAt: now,
  };
  await repo.insertMetric(db, row, auditOf(actor, row.id, now, "created", createdFields(auditedMetricFields(row))));
  return presentMetric(row);
}

async function loadMetric(db: Db, orgId: string, id: string) {
  const found = await repo.getMetric(db, orgId, id);
  if (!found) throw notFoundById("metric", "/api/v1/ab-testing/metrics");
  return found;
}

export const getMetric = async (db: Db, orgId: string, id: string) => presentMetric(await loadMetric(db, orgId, id));

export async function listMetrics(
  db: Db,
  orgId: string,
  query: { limit: number; key?: string | undefined; cursor?: string | undefined },
) {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, "metrics");
  const rows = await repo.listMetrics(db, orgId, query.limit, after, query.key);
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const next_cursor =
    rows.length > query.limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }, "metrics") : null;
  return { items: page.map(presentMetric), next_cursor };
}

export async function updateMetric(db: Db, actor: Actor, id: string, patch: MetricPatchInput) {
  const current = await loadMetric(db, actor.orgId, id);
  const format = patch.format ?? current.format;
  const currency = patch.currency !== undefined ? patch.currency : format === "currency" ? current.currency : null;
  const problem = currencyProblem(format, currency);
  if (problem) throw unprocessable(problem, [{ path: "currency", message: problem }]);
  const fields: repo.MetricFields = {
    ...(patch.key !== undefined && { key: patch.key }),
    ...(patch.name !== undefined && { name: patch.name }),
    ...(patch.description !== undefined && { description: patch.description }),
    ...(patch.kind !== undefined && { kind: patch.kind }),
    ...(patch.direction !== undefined && { direction: patch.direction }),
    format,
    currency,
    ...(patch.capping !== undefined && {
      cappingType: patch.capping?.type ?? null,
      cappingValue: patch.capping?.value ?? null,
    }),
  };
  const next: MetricDefinitionRow = { ...current, ...fields };
  const changes = diffFields(auditedMetricFields(current), auditedMetricFields(next));
  // Nothing to change: no write, no history row, the stored definition as it is.
  if (Object.keys(changes).length === 0) return presentMetric(current);
  if (next.key !== current.key) await refuseRenameWhileRead(db, actor.orgId, current.key);
  const updatedAt = nextUpdatedAt(current.updatedAt, Date.now());
  const applied = await repo.updateMetric(
    db,
    actor.orgId,
    id,
    current.updatedAt,
    { ...fields, updatedAt },
    auditOf(actor, id, updatedAt, "updated", changes),
    next.key !== current.key ? current.key : undefined,
  );
  if (applied) return presentMetric({ ...next, updatedAt });
  await loadMetric(db, actor.orgId, id); // 404 if deleted meanwhile
  // An experiment reading the old key started since the check above: say so, not "retry".
  if (next.key !== current.key) await refuseRenameWhileRead(db, actor.orgId, current.key);
  throw conflict("the metric changed concurrently; retry");
}

/**
 * The key is the `metric_name` results carry: renaming it leaves an experiment's results under the
 * old name, read from then on as an undefined metric (sum, direction increase), so a running
 * experiment's verdicts could flip without anyone touching it. Refused while one reads it.
 */
async function refuseRenameWhileRead(db: Db, orgId: string, key: string): Promise<void> {
  const live = await repo.liveExperimentsReading(db, orgId, key);
  if (live.length === 0) return;
  const names = live.length > 5 ? `${live.slice(0, 5).join(", ")} and more` : live.join(", ");
  throw conflict(
    `'${key}' is read by running or paused experiments (${names}): renaming it would leave their results under the old name, read as an undefined metric; complete them first, or define a new metric`,
  );
}

export async function deleteMetric(db: Db, actor: Actor, id: string): Promise<void> {
  const current = await loadMetric(db, actor.orgId, id);
  const audit = auditOf(actor, id, Date.now(), "deleted", deletedFields(auditedMetricFields(current)));
  if (!(await repo.deleteMetric(db, actor.orgId, id, audit)))
    throw notFoundById("metric", "/api/v1/ab-testing/metrics");
}
