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

export function encodeCursor(p: Position): string {
  return base64url.encode(JSON.stringify([p.createdAt, p.id]));
}

export function decodeCursor(cursor: string): Position {
  try {
    const json = new TextDecoder().decode(base64url.decode(cursor));
    const value: unknown = JSON.parse(json);
    if (Array.isArray(value) && value.length === 2) {
      const [createdAt, id] = value as unknown[];
      if (typeof createdAt === "number" && Number.isSafeInteger(createdAt) && typeof id === "string") {
        return { createdAt, id };
      }
    }
  } catch {
    // fall through to the 400 below
  }
  throw badRequest("invalid cursor", [{ path: "query.cursor", message: "not a cursor returned by this API" }]);
}
