// The organization object as tests reach it: its stub by name, and its clock pinned (the object
// reads `clock` once per call, so a pinned time steps rules and retention without sleeping).
import { env, runInDurableObject } from "cloudflare:test";
import type { OrgObject } from "../src/streaming/org-object";

export const stub = (org: string) => env.ORG.getByName(org);

export const pinClock = (org: string, at: number) =>
  runInDurableObject(stub(org), (instance: OrgObject) => {
    instance.clock = () => at;
  });

export interface Statement {
  query: string;
  params: unknown[];
}

/**
 * Runs `body` while the organization's object records every SQL statement it executes (those
 * `keep` accepts) with its arguments, then puts `exec` back. The plan tests `EXPLAIN` what was
 * recorded, so they check the statements the code really runs, not copies of their SQL.
 */
export async function recordStatements(
  org: string,
  body: () => Promise<void>,
  keep: (query: string) => boolean = () => true,
): Promise<Statement[]> {
  const recorded: Statement[] = [];
  await runInDurableObject(stub(org), (_instance: OrgObject, state) => {
    const sql = state.storage.sql;
    const exec = sql.exec.bind(sql);
    sql.exec = ((query: string, ...params: unknown[]) => {
      if (keep(query)) recorded.push({ query, params });
      return exec(query, ...(params as SqlStorageValue[]));
    }) as typeof sql.exec;
  });
  try {
    await body();
  } finally {
    await runInDurableObject(stub(org), (_instance: OrgObject, state) => {
      delete (state.storage.sql as { exec?: unknown }).exec; // back to the prototype's method
    });
  }
  return recorded;
}

/** How many rows the recorded statements answer when run again now: what a read returned to the code. */
export const rowsAnswered = (org: string, statements: readonly Statement[]) =>
  runInDurableObject(stub(org), (_instance: OrgObject, state) =>
    statements.reduce(
      (n, r) => n + state.storage.sql.exec(r.query, ...(r.params as SqlStorageValue[])).toArray().length,
      0,
    ),
  );
