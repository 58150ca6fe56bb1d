import type { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ProblemError } from "../http/problem";
import type { AppEnv } from "../http/types";
import type { OrgObject } from "./org-object";
import type { Failure } from "./service-types";

/**
 * The object's public methods as the Worker calls them. Workers' `Rpc` typing turns any `unknown`
 * (event payloads, prediction values: arbitrary JSON) into `never`, although structured clone
 * carries plain JSON losslessly; this view keeps the methods' declared types, awaited.
 */
type OrgApi = {
  [K in keyof OrgObject as OrgObject[K] extends (...args: never[]) => unknown ? K : never]: OrgObject[K] extends (
    ...args: infer A
  ) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never;
};

/** The caller's organization object; the org comes from the verified token, never the request. */
export const orgOf = (c: Context<AppEnv>): OrgApi => c.env.ORG.getByName(c.var.principal.org) as unknown as OrgApi;

/** Turns an RPC `Result` into its value, or throws the ProblemError it describes (same kind, detail, errors). */
export function unwrap<T>(result: { ok: true; value: T } | Failure): T {
  if (result.ok) return result.value;
  throw new ProblemError(result.kind, result.detail, result.errors ? { errors: result.errors } : {});
}

export { IdParam } from "../http/params";

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export const body = <T extends z.ZodType>(schema: T) => ({ body: { content: { "application/json": { schema } } } });

export const TAG = ["Streaming analytics"];
