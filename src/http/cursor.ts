/**
 * Opaque list cursors: the (created_at, id) of the last item of a page, base64url-encoded JSON.
 * Clients must not build them; a cursor that does not decode is a 400, never a 500.
 */
import { base64url } from "jose";
import { badRequest } from "./problem";

export interface Position {
  createdAt: number;
  id: string;
}

/** The lists that page by (created_at, id). A cursor names its list, so another list refuses it. */
export type CursorList = "experiments" | "metrics" | "flags";

/**
 * The one cursor encoding every list shares (these A/B lists, the histories in audit/service.ts and
 * the organization object's lists in streaming/store/sql.ts): a JSON value, base64url-encoded.
 * Each list decides what its value holds and whether a decoded one is its own.
 */
export const cursorOf = (value: unknown): string => base64url.encode(JSON.stringify(value));

/** The JSON value a cursor carries, or null when it does not decode to one. */
export function cursorValue(cursor: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(base64url.decode(cursor)));
  } catch {
    return null;
  }
}

/** A well-formed cursor of another list (`whose`: which one), as a 400 naming `query.cursor`. */
export const foreignCursor = (whose: string) =>
  badRequest("cursor is not valid for this list", [{ path: "query.cursor", message: whose }]);

/** A cursor no list of this API gave, as a 400 naming `query.cursor`. */
export const invalidCursor = () =>
  badRequest("invalid cursor", [{ path: "query.cursor", message: "not a cursor returned by this API" }]);

export function encodeCursor(p: Position, list: CursorList): string {
  return cursorOf([p.createdAt, p.id, list]);
}

export function decodeCursor(cursor: string, list: CursorList): Position {
  const value = cursorValue(cursor);
  // Two elements: a cursor handed out before cursors named their list; it is read as this list's.
  if (Array.isArray(value) && (value.length === 2 || value.length === 3)) {
    const [createdAt, id, from = list] = value as unknown[];
    if (typeof createdAt === "number" && Number.isSafeInteger(createdAt) && typeof id === "string") {
      if (from === list) return { createdAt, id };
      throw foreignCursor(`a cursor of GET /${String(from)}, not of GET /${list}`);
    }
  }
  throw invalidCursor();
}
