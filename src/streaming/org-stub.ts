/** The one way the Worker reaches an organization's Durable Object (a stub wrapper, see orgObject). */
import type { Context } from "hono";
import type { Env } from "../env";
import { storageRestarted } from "../http/problem";
import type { AppEnv } from "../http/types";
import type { OrgObject } from "./org-object";

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

type AnyMethod = (...args: unknown[]) => Promise<unknown>;

/**
 * An organization's object, as every caller in the Worker reaches it (routes, the socket upgrade,
 * organization deletion, the readiness probe). A call that fails without the runtime's `remote`
 * mark did not fail in the object's code: the object was reset, aborted or unreachable under it (workerd does not always set `retryable`, for
 * example on an aborted object). That is the platform's, not the caller's, so it becomes a 503 with
 * Retry-After; an error the object's own code threw keeps its meaning (a 500 if it is a bug).
 */
export const orgObject = (env: Env, org: string): OrgApi => {
  const stub = env.ORG.getByName(org) as unknown as Record<string, AnyMethod>;
  return new Proxy({} as OrgApi, {
    get: (_target, method) =>
      // Not a thenable, and only named methods: the proxy stands for the stub's RPC methods alone.
      typeof method !== "string" || method === "then"
        ? undefined
        : async (...args: unknown[]) => {
            try {
              // A member call (not .apply: on an RPC stub that would name a remote method "apply").
              return await stub[method]?.(...args);
            } catch (err) {
              if (isRemote(err)) throw err;
              console.warn(JSON.stringify({ level: "warn", error: `organization object call failed: ${String(err)}` }));
              throw storageRestarted();
            }
          },
  });
};

/** The caller's organization object: the org comes from the verified token, never the request. */
export const orgOf = (c: Context<AppEnv>): OrgApi => orgObject(c.env, c.get("principal").org);

const isRemote = (err: unknown): boolean =>
  typeof err === "object" && err !== null && (err as { remote?: unknown }).remote === true;
