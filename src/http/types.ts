import type { Env } from "../env";

export const SCOPES = ["read", "write", "ingest", "assign", "admin"] as const;
/** A token's `org` claim (docs/contract.md): checked by auth.ts, and by scripts/token.ts before signing. */
export const ORG_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export type Scope = (typeof SCOPES)[number];

/** Who is calling, taken from the verified token only: never from the URL or the body. */
export interface Principal {
  sub: string;
  org: string;
  scopes: ReadonlySet<Scope>;
}

export interface AppEnv {
  Bindings: Env;
  /**
   * Read with `c.get(name)`, not `c.var.name`: Hono's `c.var` builds an object of every variable
   * on each access (context.js `Object.fromEntries`), about 2% of the Worker's CPU on POST /assign
   * in `npm run bench:profile -- assign-targeting`, where two reads a request went through it.
   */
  Variables: {
    requestId: string;
    principal: Principal;
    /** The request's D1 session, on routes declared with defineD1Route (src/http/d1-session.ts). */
    d1?: D1DatabaseSession;
  };
}
