/** Metric catalogue use cases: defaults from the model, rows to API shapes, guarded updates. */
import type { Db } from "../db/client";
import type { MetricDefinitionRow } from "../db/schema";
import { decodeCursor, encodeCursor } from "../http/cursor";
import { conflict, notFound, unprocessable } from "../http/problem";
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

export async function createMetric(db: Db, orgId: string, input: MetricInput) {
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
  await repo.insertMetric(db, row);
  return presentMetric(row);
}

async function loadMetric(db: Db, orgId: string, id: string) {
  const found = await repo.getMetric(db, orgId, id);
  if (!found) throw notFound("metric");
  return found;
}

export const getMetric = async (db: Db, orgId: string, id: string) => presentMetric(await loadMetric(db, orgId, id));

export async function listMetrics(db: Db, orgId: string, query: { limit: number; cursor?: string | undefined }) {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const rows = await repo.listMetrics(db, orgId, query.limit, after);
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const next_cursor =
    rows.length > query.limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null;
  return { items: page.map(presentMetric), next_cursor };
}

export async function updateMetric(db: Db, orgId: string, id: string, patch: MetricPatchInput) {
  const current = await loadMetric(db, orgId, id);
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
    // Strictly later than the read, so the guard of a concurrent update always sees the change.
    updatedAt: Math.max(Date.now(), current.updatedAt + 1),
  };
  const updated = await repo.updateMetric(db, orgId, id, current.updatedAt, fields);
  if (updated) return presentMetric(updated);
  await loadMetric(db, orgId, id); // 404 if deleted meanwhile
  throw conflict("the metric changed concurrently; retry");
}

export async function deleteMetric(db: Db, orgId: string, id: string): Promise<void> {
  if (!(await repo.deleteMetric(db, orgId, id))) throw notFound("metric");
}
