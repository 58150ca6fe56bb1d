/** Data sources: stored rows presented with their health at the call's `now`. */
import { presentSource, presentSources } from "./present";
import type { SourceInT, SourcePatchT, SourceT } from "./schemas";
import { fail, type OrgContext, ok, type Result } from "./service-types";
import { createSource, deleteSource, getSource, listSources, updateSource } from "./store/sources";

const notFound = () => fail("not-found", "data source not found");

export const addSource = (ctx: OrgContext, input: SourceInT): SourceT =>
  presentSource(createSource(ctx.sql, input, ctx.now), ctx.now);

export const sourceList = (ctx: OrgContext): SourceT[] => presentSources(listSources(ctx.sql, ctx.now), ctx.now);

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
