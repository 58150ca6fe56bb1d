/** Data sources: stored rows presented with their health at the call's `now`. */
import { presentSource, presentSources } from "./present";
import type { SourceInT, SourcePatchT, SourceT } from "./schemas";
import { fail, type OrgContext, ok, pageOrBadCursor, type Result } from "./service-types";
import { createSource, deleteSource, getSource, sourcePage, updateSource } from "./store/sources";
import type { Page, PageFilter } from "./store/sql";

const notFound = () => fail("not-found", "data source not found");

export const addSource = (ctx: OrgContext, input: SourceInT): SourceT =>
  presentSource(createSource(ctx.sql, input, ctx.now), ctx.now);

export function sourceList(ctx: OrgContext, filter: PageFilter): Result<Page<SourceT>> {
  const page = sourcePage(ctx.sql, filter, ctx.now);
  return pageOrBadCursor(page && { items: presentSources(page.items, ctx.now), next_cursor: page.next_cursor });
}

export function sourceById(ctx: OrgContext, id: string): Result<SourceT> {
  const row = getSource(ctx.sql, id, ctx.now);
  return row === null ? notFound() : ok(presentSource(row, ctx.now));
}

export function patchSource(ctx: OrgContext, id: string, patch: SourcePatchT): Result<SourceT> {
  const row = updateSource(ctx.sql, id, patch, ctx.now);
  return row === null ? notFound() : ok(presentSource(row, ctx.now));
}

export const removeSource = (ctx: OrgContext, id: string): Result<null> =>
  deleteSource(ctx.sql, id) ? ok(null) : notFound();
