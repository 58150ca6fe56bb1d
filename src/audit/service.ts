/** History pages: rows to the API shape, with an opaque cursor over the row id. */
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { type AuditRow, experiments, flags, metricDefinitions } from "../db/schema";
import { badRequest, notFound } from "../http/problem";
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

const encode = (id: number) => btoa(`a${id}`).replace(/=+$/, "");
function decode(cursor: string): number {
  try {
    const match = /^a([1-9][0-9]{0,15})$/.exec(atob(cursor));
    if (match?.[1]) return Number(match[1]);
  } catch {
    // fall through to the 400 below
  }
  throw badRequest("invalid cursor", [{ path: "query.cursor", message: "not a cursor returned by this API" }]);
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
  const before = query.cursor === undefined ? undefined : decode(query.cursor);
  const rows = await listHistory(db, orgId, type, id, { limit: query.limit, before });
  if (rows.length === 0 && before === undefined && !(await exists(db, orgId, type, id))) throw notFound(type);
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(presentAuditRow),
    next_cursor: rows.length > query.limit && last ? encode(last.id) : null,
  };
}
