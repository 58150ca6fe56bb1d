/** Small helpers shared by this feature's route files. */
import type { Context } from "hono";
import { createDb } from "../db/client";
import type { AppEnv } from "../http/types";

/**
 * The leading (db, orgId) arguments of every service call: a drizzle client for this request and
 * the organization of the verified token (never taken from the URL or the body).
 */
export const at = (c: Context<AppEnv>) => [createDb(c.env.DB), c.var.principal.org] as const;

export const json = <T>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
export const body = <T>(schema: T) => ({ content: { "application/json": { schema } } });
