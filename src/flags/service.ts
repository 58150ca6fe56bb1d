/**
 * Flag use cases: check values (and conditions) against the flag as it will be stored, write
 * with the audit row in one batch, and announce the change so the edge cache drops the org.
 */
import { type Actor, createdFields, deletedFields, diffFields } from "../audit/model";
import type { Db } from "../db/client";
import { nextUpdatedAt } from "../db/d1";
import type { FlagRow } from "../db/schema";
import { decodeCursor, encodeCursor } from "../http/cursor";
import { emitExperimentChanged } from "../experiments/events";
import { badRequest, conflict, notFoundById } from "../http/problem";
import { type FlagRule, type FlagValueType, flagValueProblems } from "./model";
import { auditedFlagFields, presentFlag } from "./present";
import * as repo from "./repository";
import type { FlagInput, FlagPatchInput } from "./schemas";

const newId = () => `flg_${crypto.randomUUID().replace(/-/g, "")}`;

function checkValues(type: FlagValueType, defaultValue: unknown, rules: readonly FlagRule[]): void {
  const problems = flagValueProblems(type, defaultValue, rules);
  if (problems.length > 0) throw badRequest("flag values do not match value_type", problems);
}

async function load(db: Db, orgId: string, id: string): Promise<FlagRow> {
  const found = await repo.getFlag(db, orgId, id);
  if (found === null) throw notFoundById("flag", "/api/v1/ab-testing/flags");
  return found;
}

/** `input` passed FlagIn, which checked every value against value_type (schemas.ts). */
export async function createFlag(db: Db, actor: Actor, input: FlagInput) {
  const now = Date.now();
  const row: FlagRow = {
    id: newId(),
    orgId: actor.orgId,
    key: input.key,
    description: input.description ?? null,
    valueType: input.value_type,
    defaultValue: input.default_value,
    enabled: input.enabled,
    rules: input.rules,
    createdAt: now,
    updatedAt: now,
  };
  await repo.insertFlag(db, row, {
    orgId: actor.orgId,
    entityType: "flag",
    entityId: row.id,
    at: now,
    actor: actor.sub,
    action: "created",
    changes: createdFields(auditedFlagFields(row)),
  });
  emitExperimentChanged(actor.orgId);
  return presentFlag(row);
}

export async function listFlags(
  db: Db,
  orgId: string,
  query: { limit: number; key?: string | undefined; cursor?: string | undefined },
) {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, "flags");
  const rows = await repo.listFlags(db, orgId, { limit: query.limit, key: query.key, after });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const next_cursor =
    rows.length > query.limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }, "flags") : null;
  return { items: page.map(presentFlag), next_cursor };
}

export async function getFlag(db: Db, orgId: string, id: string) {
  return presentFlag(await load(db, orgId, id));
}

export async function updateFlag(db: Db, actor: Actor, id: string, patch: FlagPatchInput) {
  const current = await load(db, actor.orgId, id);
  const next = {
    key: patch.key ?? current.key,
    description: patch.description === undefined ? current.description : patch.description,
    valueType: patch.value_type ?? current.valueType,
    defaultValue: patch.default_value === undefined ? current.defaultValue : patch.default_value,
    enabled: patch.enabled ?? current.enabled,
    rules: patch.rules ?? current.rules,
  };
  // The stored flag must stay consistent: a new value_type re-checks the kept values too.
  checkValues(next.valueType, next.defaultValue, next.rules);
  const changes = diffFields(auditedFlagFields(current), auditedFlagFields(next));
  if (Object.keys(changes).length === 0) return presentFlag(current);

  const now = nextUpdatedAt(current.updatedAt, Date.now());
  const applied = await repo.updateFlag(
    db,
    actor.orgId,
    id,
    current.updatedAt,
    { ...next, updatedAt: now },
    {
      orgId: actor.orgId,
      entityType: "flag",
      entityId: id,
      at: now,
      actor: actor.sub,
      action: "updated",
      changes,
    },
  );
  if (!applied) {
    await load(db, actor.orgId, id); // 404 if it was deleted meanwhile
    throw conflict("the flag changed concurrently; re-read it and retry");
  }
  emitExperimentChanged(actor.orgId);
  return presentFlag({ ...current, ...next, updatedAt: now });
}

export async function deleteFlag(db: Db, actor: Actor, id: string): Promise<void> {
  const current = await load(db, actor.orgId, id);
  const deleted = await repo.deleteFlag(db, actor.orgId, id, {
    orgId: actor.orgId,
    entityType: "flag",
    entityId: id,
    at: Date.now(),
    actor: actor.sub,
    action: "deleted",
    changes: deletedFields(auditedFlagFields(current)),
  });
  if (!deleted) throw notFoundById("flag", "/api/v1/ab-testing/flags");
  emitExperimentChanged(actor.orgId);
}
