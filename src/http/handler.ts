/** Small helpers shared by the route files of every D1-backed feature. */
import type { Context } from "hono";
import type { Actor } from "../audit/model";
import { createDb } from "../db/client";
import type { AppEnv } from "./types";

/**
 * The leading (db, orgId) arguments of every service call: a drizzle client for this request (over
 * its D1 session on routes declared with defineD1Route) and the organization of the verified token
 * (never taken from the URL or the body).
 */
export const at = (c: Context<AppEnv>) => [dbOf(c), c.get("principal").org] as const;

/** The request's drizzle client: over its D1 session when the route opened one. */
export const dbOf = (c: Context<AppEnv>) => createDb(c.get("d1") ?? c.env.DB);

/** Who an audited change is by: the verified token's organization and `sub`. */
export const actorOf = (c: Context<AppEnv>): Actor => ({ orgId: c.get("principal").org, sub: c.get("principal").sub });

/** The leading (db, actor) arguments of every audited write. */
export const by = (c: Context<AppEnv>) => [createDb(c.env.DB), actorOf(c)] as const;

export const json = <T>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
export const body = <T>(schema: T) => ({ content: { "application/json": { schema } } });
