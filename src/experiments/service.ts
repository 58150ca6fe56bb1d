/**
 * Experiment use cases: decide with the pure lifecycle rules, write through the repository's
 * guarded statements, and announce every committed change (events.ts) so caches can drop it.
 */
import { type AuditAction, type Changes, createdFields, deletedFields, LIFECYCLE_AUDIT } from "../audit/model";
import type { AuditEntry } from "../audit/repository";
import type { Db } from "../db/client";
import type { ExperimentRow } from "../db/schema";
import { conflict, notFoundById, unprocessable } from "../http/problem";
import { cursorOf, cursorValue, decodeCursor, encodeCursor, foreignCursor, invalidCursor } from "../http/cursor";
import { emitExperimentChanged } from "./events";
import { addVariantConflict, deleteConflict, type LifecycleAction, startReadiness, transition } from "./lifecycle";
import { auditedExperimentFields, presentExperiment, presentVariant } from "./present";
import * as repo from "./repository";
import type { ExperimentInput, ListQueryInput, VariantInput } from "./schemas";

const newId = (prefix: string) => `${prefix}_${crypto.randomUUID().replace(/-/g, "")}`;

export function toNewVariant(v: VariantInput, id = newId("var")): repo.NewVariant {
  return {
    id,
    key: v.key,
    variantName: v.variant_name ?? v.key,
    variantType: v.variant_type,
    modelVersion: v.model_version ?? null,
    config: v.config ?? {},
    trafficPercentage: v.traffic_percentage,
  };
}

export async function loadExperiment(db: Db, orgId: string, id: string): Promise<repo.ExperimentWithVariants> {
  const found = await repo.getExperimentWithVariants(db, orgId, id);
  if (!found) throw notFoundById("experiment", "/api/v1/ab-testing/experiments");
  return found;
}

/** The history row of a change to experiment `id`, by `actor`, at `at`. */
export const auditOf = (
  orgId: string,
  id: string,
  actor: string,
  at: number,
  action: AuditAction,
  changes: Changes,
): AuditEntry => ({ orgId, entityType: "experiment", entityId: id, at, actor, action, changes });

export async function createExperiment(db: Db, orgId: string, input: ExperimentInput, actor: string) {
  const now = Date.now();
  const row: ExperimentRow = {
    id: newId("exp"),
    orgId,
    key: input.key,
    experimentName: input.experiment_name,
    description: input.description ?? null,
    hypothesis: input.hypothesis ?? null,
    status: "draft",
    primaryMetric: input.primary_metric ?? null,
    coverage: input.coverage ?? 100,
    seed: input.seed ?? null,
    winnerVariantId: null,
    secondaryMetrics: input.secondary_metrics ?? [],
    guardrailMetrics: input.guardrail_metrics ?? [],
    plannedUsersPerVariant: input.planned_users_per_variant ?? null,
    analysisSettings: input.analysis_settings ?? null,
    createdAt: now,
    updatedAt: now,
    startedAt: null,
    completedAt: null,
    targeting: input.targeting ?? null,
    namespace: input.namespace ?? null,
    scheduledStartAt: input.scheduled_start_at ?? null,
    scheduledEndAt: input.scheduled_end_at ?? null,
  };
  // traffic_split on create sets the inline variants' percentages by key, as PATCH does; the
  // schema has already refused keys that name no variant.
  const split = input.traffic_split ?? {};
  const list = (input.variants ?? []).map((v) =>
    toNewVariant({ ...v, traffic_percentage: split[v.key] ?? v.traffic_percentage }),
  );
  const stored = list.map((v, position) => ({ ...v, orgId, experimentId: row.id, position, createdAt: now }));
  const created = { ...row, variants: stored };
  const changes = createdFields(auditedExperimentFields(created));
  await repo.createExperiment(db, row, list, auditOf(orgId, row.id, actor, now, "created", changes));
  emitExperimentChanged(orgId);
  return presentExperiment(created);
}

export async function listExperiments(db: Db, orgId: string, { cursor, ...filter }: ListQueryInput) {
  const after = cursor === undefined ? undefined : decodeCursor(cursor, "experiments");
  const rows = await repo.listExperiments(db, orgId, { ...filter, after });
  const page = rows.slice(0, filter.limit);
  const last = page[page.length - 1];
  const next_cursor =
    rows.length > filter.limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }, "experiments") : null;
  return { items: page.map(presentExperiment), next_cursor };
}

export async function deleteExperiment(db: Db, orgId: string, id: string, actor: string): Promise<void> {
  const before = await loadExperiment(db, orgId, id);
  const changes = deletedFields(auditedExperimentFields(before));
  if (await repo.deleteExperiment(db, orgId, id, auditOf(orgId, id, actor, Date.now(), "deleted", changes))) {
    emitExperimentChanged(orgId);
    return;
  }
  const current = await loadExperiment(db, orgId, id);
  throw conflict(deleteConflict(current.status) ?? "the experiment changed concurrently; retry");
}

/** The winner a complete names: by id (the contract's field) or by key, as a GrowthBook user thinks of it. */
export interface WinnerChoice {
  id?: string | null | undefined;
  key?: string | undefined;
}

const notAVariant = (path: "winner_variant_id" | "winner_variant_key") =>
  unprocessable(`${path} is not a variant of this experiment`, [{ path, message: "not a variant of this experiment" }]);

/** The winner's variant id, or null for none; a 422 naming the field when it is not one of the variants. */
function resolveWinner(variants: readonly { id: string; key: string }[], choice: WinnerChoice | null): string | null {
  const byId = choice?.id ? variants.find((v) => v.id === choice.id) : undefined;
  if (choice?.id && byId === undefined) throw notAVariant("winner_variant_id");
  if (choice?.key === undefined) return byId?.id ?? null;
  const byKey = variants.find((v) => v.key === choice.key);
  if (byKey === undefined) throw notAVariant("winner_variant_key");
  if (byId !== undefined && byId.id !== byKey.id) {
    throw unprocessable("winner_variant_id and winner_variant_key name different variants", [
      { path: "winner_variant_key", message: `names variant ${byKey.id}, not ${byId.id}` },
    ]);
  }
  return byKey.id;
}

export async function changeStatus(
  db: Db,
  orgId: string,
  id: string,
  action: LifecycleAction,
  winner: WinnerChoice | null,
  actor: string,
) {
  // Two tries at most: if the guarded UPDATE loses a race, the re-read explains why (409/422).
  for (let attempt = 0; attempt < 2; attempt++) {
    const current = await loadExperiment(db, orgId, id);
    const move = transition(current.status, action);
    if (!move.ok) throw conflict(move.reason);
    if (action === "start") {
      const errors = startReadiness(current.variants.map(presentVariant));
      if (errors.length > 0) throw unprocessable(`cannot start: ${errors.map((e) => e.message).join("; ")}`, errors);
    }
    const winnerVariantId = action === "complete" ? resolveWinner(current.variants, winner) : null;
    const now = Date.now();
    const changes: Changes = { status: { from: current.status, to: move.to } };
    if (action === "complete") changes.winner_variant_id = { from: null, to: winnerVariantId };
    const moved = await repo.transitionExperiment(
      db,
      orgId,
      id,
      { from: current.status, to: move.to, now, winnerVariantId },
      auditOf(orgId, id, actor, now, LIFECYCLE_AUDIT[action], changes),
    );
    if (moved) {
      emitExperimentChanged(orgId);
      return presentExperiment(await loadExperiment(db, orgId, id));
    }
  }
  throw conflict("the experiment changed concurrently; retry");
}

/**
 * The variants in creation order, a page of them (API.md: every list takes `limit` and `cursor`).
 * The cursor holds the experiment and the last variant's position, its place in that order, so
 * another experiment's cursor is refused. A draft whose variants are replaced between two pages
 * is read on from the same place in the new list.
 */
export async function listVariants(db: Db, orgId: string, id: string, page: { limit: number; cursor?: string }) {
  const current = await loadExperiment(db, orgId, id);
  const after = page.cursor === undefined ? -1 : variantCursor(page.cursor, id);
  const rest = current.variants.filter((v) => v.position > after);
  const items = rest.slice(0, page.limit);
  const last = items[items.length - 1];
  const next = rest.length > items.length && last !== undefined ? cursorOf(["variants", id, last.position]) : null;
  return { items: items.map(presentVariant), next_cursor: next };
}

function variantCursor(cursor: string, experimentId: string): number {
  const value = cursorValue(cursor);
  if (Array.isArray(value) && value.length === 3 && value[0] === "variants" && Number.isSafeInteger(value[2])) {
    if (value[1] === experimentId) return value[2] as number;
    throw foreignCursor("a cursor of another experiment's variants");
  }
  throw invalidCursor();
}

export async function addVariant(db: Db, orgId: string, id: string, input: VariantInput, actor: string) {
  const variant = toNewVariant(input);
  const now = Date.now();
  const changes = { [`variants.${variant.key}`]: { from: null, to: presentVariant(variant) } };
  if (await repo.addVariant(db, orgId, id, variant, now, auditOf(orgId, id, actor, now, "variant_added", changes))) {
    emitExperimentChanged(orgId);
    return presentVariant(variant);
  }
  const current = await loadExperiment(db, orgId, id);
  throw conflict(addVariantConflict(current.status) ?? "the experiment changed concurrently; retry");
}

export async function getExperiment(db: Db, orgId: string, id: string) {
  return presentExperiment(await loadExperiment(db, orgId, id));
}
