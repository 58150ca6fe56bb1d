import type { ClientResponse } from "hono/client";
import { type SuccessBody, unwrap } from "./client";

/**
 * Every item of a cursor-paged list route of the typed client (`streaming.channels.$get`), with
 * `query` beside the paging: asks for pages of 500 (the maximum), each with the cursor the last
 * one gave, until none is left. The answer reads as one page holding every item.
 */
export async function wholeList<R extends ClientResponse<unknown, number, string>, Q extends object = object>(
  get: (args: { query: Q & { limit: string; cursor?: string } }) => Promise<R>,
  query?: Q,
): Promise<SuccessBody<R>> {
  const items: unknown[] = [];
  let cursor: string | undefined;
  do {
    const page = (await unwrap(get({ query: { ...(query as Q), limit: "500", ...(cursor ? { cursor } : {}) } }))) as {
      items: unknown[];
      next_cursor: string | null;
    };
    items.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return { items, next_cursor: null } as SuccessBody<R>;
}
