/** History pages: rows to the API shape, with an opaque cursor over the row id. */
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { type AuditRow, experiments, flags, metricDefinitions } from "../db/schema";
import { cursorOf, cursorValue, foreignCursor, invalidCursor } from "../http/cursor";
import { notFound } from "../http/problem";
import type { AuditEntityType } from "./model";
import { listHistory } from "./repository";

interface HistoryItem {
  at: string;
  actor: string;
  action: string;
  changes: Record<string, unknown>;
  reason: string | null;
}

const presentAuditRow = (r: AuditRow): HistoryItem => ({
  at: new Date(r.at).toISOString(),
  actor: r.actor,
  action: r.action,
  changes: r.changes,
  reason: r.reason,
});

/**
 * A history's cursor names its history (entity type and id) beside the last row's id, so another
 * history refuses it: audit ids are one sequence, and a cursor of one flag's history read as a
 * position in another's (or in an experiment's) paged it from there.
 */
const encode = (type: AuditEntityType, entityId: string, id: number) => cursorOf([type, entityId, id]);

function decode(cursor: string, type: AuditEntityType, entityId: string): number {
  // Null when not JSON: perhaps a cursor of the old format, below.
  const value = cursorValue(cursor);
  if (Array.isArray(value) && value.length === 3 && Number.isSafeInteger(value[2]) && value[2] > 0) {
    if (value[0] === type && value[1] === entityId) return value[2] as number;
    throw foreignCursor("a cursor of another history");
  }
  // "a" and the row id, base64: a cursor from before cursors named their history, read as this
  // one's (as http/cursor.ts reads the lists' old cursors).
  try {
    const match = /^a([1-9][0-9]{0,15})$/.exec(atob(cursor));
    if (match?.[1]) return Number(match[1]);
  } catch {
    // fall through to the 400 below
  }
  throw invalidCursor();
}

async function exists(db: Db, orgId: string, type: AuditEntityType, id: string): Promise<boolean> {
  const table = { experiment: experiments, flag: flags, metric: metricDefinitions }[type];
  const found = await db
    .select({ id: table.id })
    .from(table)
    .where(and(eq(table.orgId, orgId), eq(table.id, id)))
    .limit(1);
  return found.length > 0;
}

/**
 * GET /<entity>/:id/history (experiments, flags, metrics). The history outlives the entity (a deleted experiment's trail is
 * still readable by its organization); an id with neither rows nor a live entity is 404.
 */
export async function getHistory(
  db: Db,
  orgId: string,
  type: AuditEntityType,
  id: string,
  query: { limit: number; cursor?: string | undefined },
) {
  const before = query.cursor === undefined ? undefined : decode(query.cursor, type, id);
  const rows = await listHistory(db, orgId, type, id, { limit: query.limit, before });
  // An empty page is a 404 when there is nothing: neither the entity nor any of its history (with a
  // cursor, rows before it may be all there is). Forged cursors, of the old format or naming this
  // id, made an unknown or another organization's id a 200 of no items.
  if (rows.length === 0 && !(await exists(db, orgId, type, id))) {
    const any = before === undefined ? [] : await listHistory(db, orgId, type, id, { limit: 0 });
    if (any.length === 0) throw notFound(type);
  }
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(presentAuditRow),
    next_cursor: rows.length > query.limit && last ? encode(type, id, last.id) : null,
  };
}
