import type { Env } from "../env";

export const SCOPES = ["read", "write", "ingest", "assign", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

/** Who is calling, taken from the verified token only: never from the URL or the body. */
export interface Principal {
  sub: string;
  org: string;
  scopes: ReadonlySet<Scope>;
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    principal: Principal;
    /** The request's D1 session, on routes declared with defineD1Route (src/http/d1-session.ts). */
    d1?: D1DatabaseSession;
  };
}
