/**
 * The assignment hot path's memory: per isolate, per organization, the running experiments as
 * ClientExperiment[] and the feature flags as ClientFlag[] (the GET /config body, its ETag, indexes
 * by id and key), plus the paused and completed experiments that were asked for (looked up once,
 * then answered from memory).
 *
 * Freshness, with `ttl` = ASSIGNMENT_CACHE_TTL_SECONDS:
 *   age < ttl * REFRESH_AHEAD  served as is, no D1 call;
 *   age < ttl                  served as is, and one background reload starts (ctx.waitUntil);
 *   age >= ttl or absent       the request waits for the reload (single-flight: one D1 query
 *                              however many requests arrive meanwhile; they wait on timers of
 *                              their own, never on another request's promise: #awaitReload).
 * So no answer is ever computed from data older than the TTL plus one reload, and a busy isolate
 * never makes a request wait on D1. If a reload fails, the old snapshot keeps answering (an
 * outage of D1 must not take assignment down) and reloads are retried at most once per
 * FAILURE_BACKOFF_MS. An experiment or flag change made in this isolate drops the org's entry at
 * once (experiments/events.ts); other isolates see it within the TTL.
 */
import { base64url } from "jose";
import { onExperimentChanged } from "../experiments/events";
import { type ClientExperiment, isStopped } from "../experiments/model";
import type { ClientFlag } from "../flags/model";
import { sleep } from "./sleep";

/** Fraction of the TTL after which a background reload starts (refresh-ahead). */
const REFRESH_AHEAD = 0.75;
export const FAILURE_BACKOFF_MS = 1_000;
/**
 * How long a request waits for a reload before starting its own (see #awaitReload). Far above a
 * D1 read (milliseconds), so only a load whose request died, or a D1 in trouble, reaches it.
 */
export const RELOAD_WAIT_MS = 3_000;
/** The longest pause between two looks of a waiting request at the entry. */
const POLL_MAX_MS = 16;
// Bounds the memory of an isolate serving many organizations; the least recently loaded goes.
const MAX_ORGS = 1_000;
// Paused/completed experiments remembered per org; beyond it the map starts over.
const MAX_INACTIVE = 1_000;
// Unknown keys remembered per org (the negative cache); beyond it the map starts over, so a
// client spraying random keys costs at most one D1 read per key per TTL and bounded memory.
const MAX_MISSING = 1_000;

export interface OrgSnapshot {
  loadedAt: number;
  /** ISO-8601 time of the D1 read this snapshot comes from. */
  generatedAt: string;
  /** Running experiments in config order. */
  running: readonly ClientExperiment[];
  byId: ReadonlyMap<string, ClientExperiment>;
  byKey: ReadonlyMap<string, ClientExperiment>;
  /** Paused and completed experiments as GET /config carries them (read-model.ts, stoppedForConfig). */
  stopped: readonly ClientExperiment[];
  /** `stopped` by `id:<id>` and `key:<key>`: the assignment routes answer them without D1. */
  stoppedIndex: ReadonlyMap<string, ClientExperiment>;
  /** Every flag of the org (enabled or not), oldest first. */
  flags: readonly ClientFlag[];
  /** Strong ETag of GET /config: a hash of `running`, `stopped` and `flags` only, so it changes iff they do. */
  etag: string;
}

/** What one load reads from D1: the org's evaluation config. */
export interface EdgeConfig {
  experiments: ClientExperiment[];
  /** Absent: none (a loader from before stopped experiments were served). */
  stopped?: ClientExperiment[];
  flags: ClientFlag[];
}

export interface SnapshotOptions {
  ttlMs: number;
  /** Reads the org's running experiments and flags from D1. */
  load: () => Promise<EdgeConfig>;
  /** ctx.waitUntil: keeps a background reload alive after the response has gone. */
  waitUntil: (promise: Promise<unknown>) => void;
}

interface OrgEntry {
  snapshot: OrgSnapshot | null;
  /** Bumped by invalidate(); a reload that started under an older generation is not stored. */
  generation: number;
  /** The load in flight, which only the request that started it awaits (see #awaitReload). */
  inflight: Promise<OrgSnapshot> | null;
  /** When that load started, on the cache's clock. */
  inflightSince: number;
  /** Loads that failed; a waiter learns of a failure by a change of it (the clock may stand still). */
  failures: number;
  /** Loads started, and the number of the one whose snapshot is kept: an older one never replaces it. */
  startedSeq: number;
  storedSeq: number;
  failedAt: number;
  inactive: Map<string, { experiment: ClientExperiment; at: number }>;
  /** Keys D1 said do not exist in the org, with when it said so. */
  missing: Map<string, number>;
}

export class AssignmentCache {
  readonly #orgs = new Map<string, OrgEntry>();
  #now: () => number;
  /** D1 reads made by this cache; tests and the bench use it to prove hits make none. */
  loads = 0;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }
  /** Replaces the clock (tests step it instead of sleeping through TTLs). */
  useClock(now: () => number): void {
    this.#now = now;
  }

  /** The org's snapshot, from memory whenever it is young enough (see the module comment). */
  async snapshot(orgId: string, options: SnapshotOptions): Promise<OrgSnapshot> {
    const entry = this.#entry(orgId);
    const { snapshot } = entry;
    const now = this.#now();
    if (snapshot !== null) {
      const age = now - snapshot.loadedAt;
      if (age < options.ttlMs * REFRESH_AHEAD) return snapshot;
      const backingOff = now - entry.failedAt < FAILURE_BACKOFF_MS;
      if (age < options.ttlMs || backingOff) {
        if (!backingOff && this.#idle(entry)) options.waitUntil(this.#reload(orgId, entry, options).catch(noop));
        return snapshot;
      }
      // Too old to serve without trying: wait for the reload, but fall back to the old data.
      return this.#awaitReload(orgId, entry, options).catch(() => snapshot);
    }
    return this.#awaitReload(orgId, entry, options);
  }

  /**
   * The org's reload, single flight: the first request to need one starts it and awaits it; the
   * requests that arrive meanwhile never await that promise. workerd ties I/O to the request that
   * started it: a request awaiting another's D1 read has no pending event of its own and can be
   * cancelled as hung, a continuation resolved from a request that has finished is dropped, and
   * a load whose request was torn down never settles. All three failed whole bursts of assignments
   * under load (test/integration/assignment-stickiness.test.ts). So a waiter watches the entry on
   * timers of its own (#watch) and only ever awaits a load it started itself.
   */
  async #awaitReload(orgId: string, entry: OrgEntry, options: SnapshotOptions): Promise<OrgSnapshot> {
    for (;;) {
      const theirs = entry.inflight;
      if (theirs === null || this.#idle(entry)) return this.#reload(orgId, entry, options);
      const stored = await this.#watch(entry, theirs);
      if (stored !== null) return stored;
    }
  }

  /**
   * Looks at the entry, backing off from 1 ms to POLL_MAX_MS, until another request's load has
   * stored a snapshot (returned). Throws if that load failed: a second read of a D1 in trouble
   * would only add to it. Returns null when the caller must look again: the load was invalidated,
   * replaced, or given up after RELOAD_WAIT_MS (its request went away, or D1 is that slow).
   */
  async #watch(entry: OrgEntry, theirs: Promise<OrgSnapshot>): Promise<OrgSnapshot | null> {
    const { generation, snapshot: before, failures } = entry;
    for (let waited = 0, delay = 1; ; waited += delay, delay = Math.min(2 * delay, POLL_MAX_MS)) {
      await sleep(delay);
      if (entry.generation !== generation) return null;
      if (entry.snapshot !== null && entry.snapshot !== before) return entry.snapshot;
      if (entry.inflight !== theirs) {
        if (entry.failures !== failures) throw new Error("the assignment config reload failed");
        return null;
      }
      if (waited + delay >= RELOAD_WAIT_MS || this.#idle(entry)) {
        entry.inflight = null;
        return null;
      }
    }
  }

  /** No load runs, or the one in flight has run for RELOAD_WAIT_MS and is given up (its request may be gone). */
  #idle(entry: OrgEntry): boolean {
    return entry.inflight === null || this.#now() - entry.inflightSince >= RELOAD_WAIT_MS;
  }

  /** Starts a reload unless one is running (e.g. D1 shows a running experiment the snapshot lacks). */
  refreshInBackground(orgId: string, options: SnapshotOptions): void {
    const entry = this.#entry(orgId);
    if (this.#idle(entry)) options.waitUntil(this.#reload(orgId, entry, options).catch(noop));
  }

  /** A remembered paused/completed experiment, by id or key, if younger than the TTL. */
  inactive(orgId: string, idOrKey: string, ttlMs: number): ClientExperiment | undefined {
    const hit = this.#orgs.get(orgId)?.inactive.get(idOrKey);
    if (hit === undefined || this.#now() - hit.at >= ttlMs) return undefined;
    return hit.experiment;
  }

  /** Remembers a paused/completed experiment read from D1 (drafts and unknowns are never kept). */
  remember(orgId: string, experiment: ClientExperiment): void {
    if (!isStopped(experiment.status)) return;
    const { inactive } = this.#entry(orgId);
    if (inactive.size >= MAX_INACTIVE) inactive.clear();
    const value = { experiment, at: this.#now() };
    inactive.set(`id:${experiment.id}`, value);
    inactive.set(`key:${experiment.key}`, value);
  }

  /** The org's invalidation count: taken before a D1 lookup, handed to rememberMissing. */
  generation(orgId: string): number {
    return this.#entry(orgId).generation;
  }

  /** Whether D1 said, less than `ttlMs` ago, that the org has no experiment with this key. */
  isMissing(orgId: string, key: string, ttlMs: number): boolean {
    const at = this.#orgs.get(orgId)?.missing.get(key);
    return at !== undefined && this.#now() - at < ttlMs;
  }

  /**
   * Remembers keys D1 found no experiment for, so a page that keeps naming a deleted or
   * misspelt key does not cost a D1 read per call. A create in this isolate clears them
   * (invalidate); other isolates learn of it within the TTL, as for every other change.
   */
  rememberMissing(orgId: string, keys: readonly string[], generation: number): void {
    const entry = this.#entry(orgId);
    // A change since the lookup began may have created one of these keys: the answer is stale.
    if (keys.length === 0 || entry.generation !== generation) return;
    const { missing } = entry;
    const at = this.#now();
    for (const key of keys) {
      if (missing.size >= MAX_MISSING) missing.clear();
      missing.set(key, at);
    }
  }

  /** Forgets everything about the org now; the next request reloads. */
  invalidate(orgId: string): void {
    const entry = this.#orgs.get(orgId);
    if (entry === undefined) return;
    entry.generation++;
    entry.snapshot = null;
    entry.inflight = null;
    entry.failedAt = 0;
    entry.inactive.clear();
    entry.missing.clear();
  }

  clear(): void {
    this.#orgs.clear();
  }

  #entry(orgId: string): OrgEntry {
    let entry = this.#orgs.get(orgId);
    if (entry === undefined) {
      if (this.#orgs.size >= MAX_ORGS) {
        const oldest = this.#orgs.keys().next();
        if (!oldest.done) this.#orgs.delete(oldest.value);
      }
      entry = {
        snapshot: null,
        generation: 0,
        inflight: null,
        inflightSince: 0,
        failures: 0,
        startedSeq: 0,
        storedSeq: 0,
        failedAt: 0,
        inactive: new Map(),
        missing: new Map(),
      };
      this.#orgs.set(orgId, entry);
    }
    return entry;
  }

  #reload(orgId: string, entry: OrgEntry, options: SnapshotOptions): Promise<OrgSnapshot> {
    const generation = entry.generation;
    const startedAt = this.#now();
    const seq = ++entry.startedSeq;
    this.loads++;
    // Started on a later microtask so that even a loader throwing synchronously settles the
    // promise (and clears `inflight`) instead of escaping from here.
    const promise: Promise<OrgSnapshot> = Promise.resolve()
      .then(options.load)
      .then((config) => buildSnapshot(config, startedAt))
      .then(
        (snapshot) => {
          // An invalidation during the read means the data may predate the change: answer the
          // request that started it, but never keep it. Nor a read given up on that outlived
          // the one that replaced it.
          if (entry.generation === generation && seq > entry.storedSeq) {
            entry.storedSeq = seq;
            entry.snapshot = snapshot;
            entry.failedAt = 0;
          }
          return snapshot;
        },
        (err: unknown) => {
          if (entry.generation === generation) {
            entry.failedAt = this.#now();
            entry.failures++;
          }
          console.error(
            JSON.stringify({ level: "error", event: "assignment_cache_reload_failed", org: orgId, error: String(err) }),
          );
          throw err;
        },
      )
      .finally(() => {
        if (entry.inflight === promise) entry.inflight = null;
      });
    entry.inflight = promise;
    entry.inflightSince = startedAt;
    return promise;
  }
}

const noop = () => {};

async function buildSnapshot(config: EdgeConfig, loadedAt: number): Promise<OrgSnapshot> {
  const running = config.experiments;
  const stopped = config.stopped ?? [];
  return {
    loadedAt,
    generatedAt: new Date(loadedAt).toISOString(),
    running,
    byId: new Map(running.map((e) => [e.id, e])),
    byKey: new Map(running.map((e) => [e.key, e])),
    stopped,
    stoppedIndex: new Map(stopped.flatMap((e) => [[`id:${e.id}`, e] as const, [`key:${e.key}`, e] as const])),
    flags: config.flags,
    etag: await etagOf(running, config.flags, stopped),
  };
}

/**
 * Quoted strong ETag: SHA-256 of the JSON of the experiments, flags and stopped experiments
 * (generated_at excluded), base64url. An org without flags hashes its experiments alone, and one
 * without stopped experiments leaves them out, as before each existed, so clients' cached configs
 * stay valid across each upgrade.
 */
export async function etagOf(
  experiments: readonly ClientExperiment[],
  flags: readonly ClientFlag[] = [],
  stopped: readonly ClientExperiment[] = [],
): Promise<string> {
  const base = flags.length === 0 ? experiments : { experiments, flags };
  const content = stopped.length === 0 ? base : { config: base, stopped_experiments: stopped };
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify(content)));
  return `"${base64url.encode(new Uint8Array(digest))}"`;
}

/**
 * RFC 9110 If-None-Match: `*`, or a list of entity tags compared weakly (W/ ignored). A match
 * means the client's copy is current: 304.
 */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}

/** The isolate's cache. Changes made in this isolate reset their org at once. */
export const assignmentCache = new AssignmentCache();
onExperimentChanged((orgId) => assignmentCache.invalidate(orgId));
