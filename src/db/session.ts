/**
 * D1 read replication through the Sessions API. Every D1-backed route runs its queries in one
 * session (`env.DB.withSession`): reads may be served by a nearby replica, and the session's
 * bookmark travels to the client in `x-d1-bookmark` so that its next request, sending it back,
 * reads from a copy at least as new as what it wrote or read before (read-your-writes, monotonic
 * reads). docs/operations.md ("Consistency of each route") says what each route gives.
 */

export const BOOKMARK_HEADER = "x-d1-bookmark";

/**
 * What a bookmark looks like: D1's are hex groups joined by dashes (for example
 * `00000001-00000002-00004f47-1d1d6f0e...`). Anything else is refused with a 400 before it reaches
 * D1, which would fail the query instead.
 */
export const BOOKMARK_PATTERN = /^[0-9a-f]{1,64}(-[0-9a-f]{1,64}){1,7}$/;
export const isBookmark = (value: string): boolean => value.length <= 256 && BOOKMARK_PATTERN.test(value);

/**
 * The session a request starts: from the client's bookmark when it sent one; otherwise reads may
 * start anywhere (the nearest replica), and writes start on the primary so that the bookmark they
 * return covers the write.
 */
export function sessionStart(method: string, bookmark: string | undefined): string {
  if (bookmark !== undefined) return bookmark;
  return method === "GET" || method === "HEAD" ? "first-unconstrained" : "first-primary";
}
