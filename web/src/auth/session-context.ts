import type { InferResponseType } from "hono/client";
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { api } from "../api/client";

export type Me = InferResponseType<typeof api.me.$get, 200>;

export const SessionContext = createContext<Me | null>(null);

/** The signed-in principal; only rendered below the sign-in gate, so it is always present there. */
export function useMe(): Me {
  const me = useContext(SessionContext);
  if (!me) throw new Error("useMe outside a signed-in view");
  return me;
}

export const canWrite = (me: Me): boolean => me.scopes.includes("write");
