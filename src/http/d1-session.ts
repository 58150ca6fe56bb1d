/**
 * Opens the request's D1 session (src/db/session.ts) and hands its bookmark back. Routes read it
 * through `at(c)`, which builds the drizzle client over the session instead of the bare binding.
 */
import { createMiddleware } from "hono/factory";
import { BOOKMARK_HEADER, isBookmark, sessionStart } from "../db/session";
import { badRequest } from "./problem";
import type { AppEnv } from "./types";

export const d1Session = createMiddleware<AppEnv>(async (c, next) => {
  const sent = c.req.header(BOOKMARK_HEADER);
  if (sent !== undefined && !isBookmark(sent)) {
    throw badRequest(`${BOOKMARK_HEADER} is not a D1 bookmark: send back the value a response gave, or nothing`, [
      { path: `header.${BOOKMARK_HEADER}`, message: "not a bookmark" },
    ]);
  }
  const session = c.env.DB.withSession(sessionStart(c.req.method, sent));
  c.set("d1", session);
  await next();
  const bookmark = session.getBookmark();
  if (bookmark !== null) c.header(BOOKMARK_HEADER, bookmark);
});
