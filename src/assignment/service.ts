/**
 * Assignment answers: cache first, D1 only on a miss. A running experiment in the org's cached
 * snapshot, or a paused/completed one remembered after an earlier miss, is answered without any
 * I/O; only in-experiment answers leave work behind (an exposure, written after the response).
 */
import { getConfig } from "../config";
import { createDb, type Db } from "../db/client";
import type { ExposureRow } from "../db/schema";
import type { Env } from "../env";
import { type Assignment, type ClientExperiment, EMPTY_ASSIGNMENTS_REASON } from "../experiments/model";
import { conflict, ProblemError } from "../http/problem";
import { type Attributes, CONDITION_LIMITS, type NotInExperimentReason } from "../targeting/model";
import { budgetShares } from "../targeting/condition";
import { assignmentCache, type OrgSnapshot, type SnapshotOptions } from "./cache";
import { type Evaluation, evaluateExperiment } from "../evaluation/evaluate";
import { loadEdgeConfig } from "./read-model";
import { exposureBuffer } from "./exposures";
import { checkReportedExposure } from "./exposure-check";
import type { ExposureReport } from "./exposure-types";
import { findExperimentById, findExperimentsByKeys } from "./lookup";
import { insertExposures } from "./read-model";

export interface AssignContext {
  orgId: string;
  env: Env;
  waitUntil: (promise: Promise<unknown>) => void;
}

type SkipReason = "not_found" | "draft" | "no_variants";

/** An empty answer explains itself: a new user's first /assign often names another organization. */
const emptyAssignmentsDetail = (orgId: string) =>
  `Organization '${orgId}' has no running experiment. Start one, or check that your token's org claim ` +
  "names the organization the experiment was created in (the dashboard shows its organization beside your name).";

export interface AssignManyAnswer {
  assignments: AssignmentAnswer[];
  skipped: { key: string; reason: SkipReason }[];
  reason?: typeof EMPTY_ASSIGNMENTS_REASON;
  detail?: string;
}

const unavailable = (err: unknown) => {
  console.error(JSON.stringify({ level: "error", event: "assignment_store_unavailable", error: String(err) }));
  return new ProblemError("unavailable", "the experiment store is unavailable; retry shortly", {
    headers: { "Retry-After": "1" },
  });
};

class Assigner {
  readonly #ctx: AssignContext;
  readonly #ttlMs: number;
  #db: Db | null = null;

  constructor(ctx: AssignContext) {
    this.#ctx = ctx;
    this.#ttlMs = getConfig(ctx.env).assignmentCacheTtlMs;
  }

  // Created on first use: the hot path never builds a drizzle client it does not need.
  get db(): Db {
    this.#db ??= createDb(this.#ctx.env.DB);
    return this.#db;
  }

  get #options(): SnapshotOptions {
    return {
      ttlMs: this.#ttlMs,
      load: () => loadEdgeConfig(this.db, this.#ctx.orgId),
      waitUntil: this.#ctx.waitUntil,
    };
  }

  async snapshot(): Promise<OrgSnapshot> {
    try {
      return await assignmentCache.snapshot(this.#ctx.orgId, this.#options);
    } catch (err) {
      throw unavailable(err);
    }
  }

  cached(snapshot: OrgSnapshot, kind: "id" | "key", value: string): ClientExperiment | undefined {
    const running = kind === "id" ? snapshot.byId.get(value) : snapshot.byKey.get(value);
    // A stopped experiment answers everyone one variant, which the snapshot keeps (GET /config's
    // stopped_experiments); one stopped since the snapshot was read is remembered after its D1 read.
    return (
      running ??
      snapshot.stoppedIndex.get(`${kind}:${value}`) ??
      assignmentCache.inactive(this.#ctx.orgId, `${kind}:${value}`, this.#ttlMs)
    );
  }

  /** Whether a key was recently looked up in D1 and not found (the negative cache). */
  knownMissing(key: string): boolean {
    return assignmentCache.isMissing(this.#ctx.orgId, key, this.#ttlMs);
  }

  /** Keys asked of D1 that it did not have: remembered so the next call skips the read. */
  learnedMissing(keys: readonly string[], generation: number): void {
    assignmentCache.rememberMissing(this.#ctx.orgId, keys, generation);
  }

  get generation(): number {
    return assignmentCache.generation(this.#ctx.orgId);
  }

  /** Keeps what D1 said for next time; a running one the snapshot lacks means it is behind. */
  learned(found: readonly ClientExperiment[]): void {
    for (const e of found) {
      assignmentCache.remember(this.#ctx.orgId, e);
      if (e.status === "running") assignmentCache.refreshInBackground(this.#ctx.orgId, this.#options);
    }
  }

  expose(userId: string, assignments: readonly Assignment[]): void {
    const exposedAt = Date.now();
    const rows: ExposureRow[] = [];
    for (const a of assignments) {
      if (!a.in_experiment) continue;
      rows.push({ orgId: this.#ctx.orgId, experimentId: a.experiment_id, userId, variantId: a.variant_id, exposedAt });
    }
    if (rows.length === 0) return;
    const flush = exposureBuffer(this.#ctx.env.EXPOSURES).add(rows);
    if (flush !== undefined) this.#ctx.waitUntil(flush);
  }
}

function conflictFor(result: Exclude<Evaluation, { kind: "assigned" }>): ProblemError {
  return result.reason === "draft"
    ? conflict(`experiment '${result.experiment_key}' is a draft: start it before assigning users`)
    : conflict(`experiment '${result.experiment_key}' has no variants to assign`);
}

/** An answer on the wire: the assignment, and why it is not an exposure (null when it is). */
export type AssignmentAnswer = Omit<Assignment, "reason"> & { reason: NotInExperimentReason | null };

const answerOf = (r: Extract<Evaluation, { kind: "assigned" }>): AssignmentAnswer => ({
  ...r.assignment,
  reason: r.reason,
});

/** The user as a request describes them. One budget bounds every condition of one request. */
export interface Subject {
  userId: string;
  attributes?: Attributes | undefined;
  /** `{ experiment_key: variant_key }` of the user's earlier in-experiment answers, as the client kept them. */
  exposed?: Readonly<Record<string, string>> | undefined;
}

/** The variant this user was already shown in `experiment`, per the request (own keys only). */
const exposedIn = (subject: Subject, experiment: ClientExperiment): string | undefined =>
  subject.exposed !== undefined && Object.hasOwn(subject.exposed, experiment.key)
    ? subject.exposed[experiment.key]
    : undefined;

/** POST /experiments/:id/assign. 404 unknown, 409 draft. */
export async function assignOne(ctx: AssignContext, id: string, subject: Subject): Promise<AssignmentAnswer> {
  const { userId } = subject;
  const assigner = new Assigner(ctx);
  const snapshot = await assigner.snapshot();
  let experiment = assigner.cached(snapshot, "id", id);
  if (experiment === undefined) {
    // Unknown here: absent, a draft, or changed elsewhere since the snapshot. D1 decides.
    const found = await findExperimentById(assigner.db, ctx.orgId, id).catch((err: unknown) => {
      throw unavailable(err);
    });
    // The route a client most often hands a key: say which route takes one.
    if (found === null)
      throw new ProblemError(
        "not-found",
        "experiment not found (this route takes the experiment's id, not its key; POST /api/v1/ab-testing/assign " +
          'with "experiments": ["<key>"] assigns by key)',
      );
    assigner.learned([found]);
    experiment = found;
  }
  const result = evaluateExperiment(
    experiment,
    userId,
    subject.attributes,
    { steps: CONDITION_LIMITS.stepBudget },
    exposedIn(subject, experiment),
  );
  if (result.kind !== "assigned") throw conflictFor(result);
  assigner.expose(userId, [result.assignment]);
  return answerOf(result);
}

/**
 * POST /assign. Without `keys`: every running experiment, in config order (what the SDK's
 * getAssignments gives for GET /config). With `keys`: those experiments in request order,
 * paused and completed ones included (control / winner, as the single route answers); unknown
 * keys and drafts are skipped and listed, so one stale key never fails a page's whole call.
 */
export async function assignMany(
  ctx: AssignContext,
  subject: Subject,
  keys: readonly string[] | undefined,
): Promise<AssignManyAnswer> {
  const { userId, attributes } = subject;
  const assigner = new Assigner(ctx);
  const snapshot = await assigner.snapshot();
  if (keys === undefined) {
    const assignments: AssignmentAnswer[] = [];
    const share = budgetShares(CONDITION_LIMITS.stepBudget, snapshot.running.length);
    for (const e of snapshot.running) {
      const r = evaluateExperiment(e, userId, attributes, share(), exposedIn(subject, e));
      if (r.kind === "assigned") assignments.push(answerOf(r));
    }
    assigner.expose(userId, assignments);
    if (snapshot.running.length === 0)
      return { assignments, skipped: [], reason: EMPTY_ASSIGNMENTS_REASON, detail: emptyAssignmentsDetail(ctx.orgId) };
    return { assignments, skipped: [] };
  }

  const unique = [...new Set(keys)];
  const byKey = new Map<string, ClientExperiment>();
  const missing: string[] = [];
  for (const key of unique) {
    const hit = assigner.cached(snapshot, "key", key);
    if (hit !== undefined) byKey.set(key, hit);
    else if (!assigner.knownMissing(key)) missing.push(key);
  }
  if (missing.length > 0) {
    const generation = assigner.generation;
    const found = await findExperimentsByKeys(assigner.db, ctx.orgId, missing).catch((err: unknown) => {
      throw unavailable(err);
    });
    assigner.learned(found);
    for (const e of found) byKey.set(e.key, e);
    assigner.learnedMissing(
      missing.filter((key) => !byKey.has(key)),
      generation,
    );
  }

  const assignments: AssignmentAnswer[] = [];
  const skipped: { key: string; reason: SkipReason }[] = [];
  const share = budgetShares(CONDITION_LIMITS.stepBudget, byKey.size);
  for (const key of unique) {
    const experiment = byKey.get(key);
    if (experiment === undefined) {
      skipped.push({ key, reason: "not_found" });
      continue;
    }
    const result = evaluateExperiment(experiment, userId, attributes, share(), exposedIn(subject, experiment));
    if (result.kind === "assigned") assignments.push(answerOf(result));
    else skipped.push({ key, reason: result.reason });
  }
  assigner.expose(userId, assignments);
  return { assignments, skipped };
}

/** GET /config: the running experiments and their ETag, from the cache. */
export function configSnapshot(ctx: AssignContext): Promise<OrgSnapshot> {
  return new Assigner(ctx).snapshot();
}

/** One exposure of POST /exposures, its timestamp already epoch ms (absent: now). */
export interface ReportedExposure {
  experiment_key: string;
  variant_key: string;
  user_id: string;
  timestamp?: number | undefined;
}

/**
 * POST /exposures: checks each exposure against the bucketing (checkReportedExposure) and stores
 * the valid ones through the same statement as the assignment routes' exposures (first exposure
 * of an experiment and user wins, stored once). Written before answering, so the counts are true.
 */
export async function reportExposures(ctx: AssignContext, items: readonly ReportedExposure[]): Promise<ExposureReport> {
  const assigner = new Assigner(ctx);
  const snapshot = await assigner.snapshot();
  const byKey = new Map<string, ClientExperiment>();
  const missing = new Set<string>();
  for (const { experiment_key: key } of items) {
    if (byKey.has(key) || missing.has(key)) continue;
    const hit = assigner.cached(snapshot, "key", key);
    if (hit === undefined) missing.add(key);
    else byKey.set(key, hit);
  }
  if (missing.size > 0) {
    // Not running per the snapshot: D1 tells a stopped or draft experiment from an unknown key.
    const found = await findExperimentsByKeys(assigner.db, ctx.orgId, [...missing]).catch((err: unknown) => {
      throw unavailable(err);
    });
    assigner.learned(found);
    for (const e of found) byKey.set(e.key, e);
  }

  const now = Date.now();
  const rejected: ExposureReport["rejected"] = [];
  const rows = new Map<string, ExposureRow>();
  let repeated = 0;
  items.forEach((x, index) => {
    const at = x.timestamp ?? now;
    const check = checkReportedExposure(byKey.get(x.experiment_key), x.variant_key, x.user_id, at, now);
    if (!check.ok) {
      rejected.push({ index, reason: check.reason });
      return;
    }
    const experimentId = (byKey.get(x.experiment_key) as ClientExperiment).id;
    const pair = `${experimentId}\u0000${x.user_id}`;
    const earlier = rows.get(pair);
    if (earlier !== undefined) {
      repeated++;
      // First exposure wins: within one batch that is the earliest timestamp.
      if (at < earlier.exposedAt) earlier.exposedAt = at;
      return;
    }
    rows.set(pair, { orgId: ctx.orgId, experimentId, userId: x.user_id, variantId: check.variantId, exposedAt: at });
  });
  const stored = await insertExposures(assigner.db, [...rows.values()]).catch((err: unknown) => {
    throw unavailable(err);
  });
  return { accepted: stored, duplicates: rows.size - stored + repeated, rejected };
}
