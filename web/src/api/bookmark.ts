/**
 * Read-your-writes for the dashboard across D1 replicas: every D1-backed response carries the
 * session's bookmark in `x-d1-bookmark` (src/db/session.ts); sending the latest one back on the next
 * request makes that request read a copy at least as new as what this tab last wrote or read. So
 * "Save" followed by the list page never shows the list from before the save, whichever replica
 * answers. Routes without D1 ignore the header; the server refuses a malformed one with 400, and
 * only values a response gave are ever sent.
 */
import { BOOKMARK_HEADER } from "../../../src/db/session";

export interface BookmarkFetch {
  fetch: typeof fetch;
  /** The bookmark the next request will carry (null until a D1 route answered). */
  current(): string | null;
}

/**
 * Wraps `inner` so each request carries the latest bookmark seen, and each response's bookmark
 * replaces it. Latest by arrival: the dashboard's writes are awaited before it navigates, so the
 * write's answer always arrives before the reads that must see it are sent.
 */
export function withBookmarks(inner: typeof fetch): BookmarkFetch {
  let bookmark: string | null = null;
  const wrapped: typeof fetch = async (input, init) => {
    let request = init;
    if (bookmark !== null) {
      const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
      if (!headers.has(BOOKMARK_HEADER)) headers.set(BOOKMARK_HEADER, bookmark);
      request = { ...init, headers };
    }
    const res = await inner(input, request);
    const next = res.headers.get(BOOKMARK_HEADER);
    if (next !== null && next !== "") bookmark = next;
    return res;
  };
  return { fetch: wrapped, current: () => bookmark };
}
