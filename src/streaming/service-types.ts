/**
 * What crosses the RPC boundary between the Worker and the organization object. Exceptions lose
 * their class on the way (a ProblemError arrives as a plain Error), so expected failures travel
 * as values carrying the same vocabulary the Worker throws in: a `ProblemKind` (src/http/problem.ts)
 * with its detail and field errors. `unwrap` (routes-shared.ts) rethrows them as that ProblemError.
 */
import type { FieldError, ProblemKind } from "../http/problem";
import type { BaselineCache } from "./baseline-cache";
import type { Publishable } from "./live/protocol";
import type { RetentionPolicy } from "./store/retention";
import type { Page } from "./store/sql";

/** The kinds the object can answer with; everything else (auth, limits) is decided in the Worker. */
export type FailureKind = Extract<ProblemKind, "validation" | "not-found" | "conflict" | "unprocessable">;

export interface Failure {
  ok: false;
  kind: FailureKind;
  detail: string;
  errors?: FieldError[];
}

export type Result<T> = { ok: true; value: T } | Failure;

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

export const fail = (kind: FailureKind, detail: string, errors?: FieldError[]): Failure =>
  errors === undefined ? { ok: false, kind, detail } : { ok: false, kind, detail, errors };

/**
 * A list's page, or a 400 naming `query.cursor` when the store did not issue the cursor (it gave
 * null): forged, another list's, or from before cursors named their list (store/sql.ts).
 */
export const pageOrBadCursor = <T>(page: Page<T> | null): Result<Page<T>> =>
  page === null
    ? fail("validation", "cursor is not valid for this list", [
        { path: "query.cursor", message: "not a cursor this list gave: each list takes only its own" },
      ])
    : ok(page);

/** What the live hub accepts (`live/protocol.ts`): published after each durable write. */
type LivePublication = Publishable;

export interface LivePublisher {
  publish(message: LivePublication): void;
  /** Whether any socket could receive a publication now; writers skip building one otherwise. */
  listening(): boolean;
}

/** Everything a service function needs for one call; `now` is read once so a call sees one time. */
export interface OrgContext {
  sql: SqlStorage;
  storage: DurableObjectStorage;
  now: number;
  retention: RetentionPolicy;
  publish(message: LivePublication): void;
  /** See LivePublisher.listening. */
  listening(): boolean;
  /** The object's baseline windows of anomaly rules, between evaluations; none: read every time. */
  baselines?: BaselineCache | undefined;
}

/**
 * Runs `fn` in one storage transaction with publications held back: what `fn` publishes is sent
 * only after the transaction commits, in order, and dropped if it throws (and so rolls back). A
 * socket therefore never sees an alert or a frame for a write that did not happen.
 */
export function inTransaction<T>(ctx: OrgContext, fn: (tx: OrgContext) => T): T {
  const held: LivePublication[] = [];
  let result: T;
  try {
    result = ctx.storage.transactionSync(() => fn({ ...ctx, publish: (message) => held.push(message) }));
  } catch (error) {
    // Baselines read inside it may hold what the rollback undid.
    ctx.baselines?.clear();
    throw error;
  }
  for (const message of held) ctx.publish(message);
  return result;
}
