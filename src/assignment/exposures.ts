/**
 * Exposure recording off the response path. Assignment answers enqueue their in-experiment rows
 * here (the request that opens a batch keeps it alive with ctx.waitUntil); rows of concurrent
 * requests in the same isolate coalesce for FLUSH_DELAY_MS (or until MAX_BATCH_ROWS) and leave as
 * one queue message (exposure-queue.ts), which the queue's consumer writes to D1 in one set-based
 * statement (insertExposures: INSERT ... SELECT FROM json_each(?) ON CONFLICT DO NOTHING).
 *
 * First exposure wins: within a batch the first row per (experiment, user) is kept, across
 * batches and isolates the primary key and DO NOTHING keep the first stored. A pair this isolate
 * has already handed to the queue is not sent again (bounded memory), so a user assigned on every
 * page view costs one queued row, not one per view.
 *
 * An exposure is acknowledged once the queue accepted it: from there the queue's retries and its
 * dead-letter queue own it, and D1 outages cost delay, not rows. Only a refused send (the queue
 * itself unavailable or over its rate) is retried here with backoff and then logged with the
 * number of rows dropped: never silently. A failed send never fails an answer (it is already sent).
 */
import type { ExposureRow } from "../db/schema";
import { sendExposures } from "./exposure-queue";
import { sleep } from "./sleep";

const FLUSH_DELAY_MS = 25;
export const MAX_BATCH_ROWS = 500;
/** Waits before each retry of a refused send; its length is the number of retries. */
const RETRY_DELAYS_MS: readonly number[] = [25, 100, 400];
const MAX_REMEMBERED = 50_000;
/**
 * A batch whose flush has not run this long after it opened is taken to be orphaned: workerd
 * drops the timers of a request it tears down (waitUntil included), and that batch would wait for
 * MAX_BATCH_ROWS, which a quiet isolate may never reach. The next add schedules a flush of its
 * own; should the old timer fire after all, it finds the batch taken and does nothing.
 */
const ORPHANED_AFTER_MS = 1_000;

export type SendExposures = (rows: readonly ExposureRow[]) => Promise<unknown>;

export interface ExposureStats {
  enqueued: number;
  /** Batches the queue accepted (one message each, unless a batch exceeds a message's size). */
  sends: number;
  /** Rows the queue accepted. */
  sent: number;
  skippedKnown: number;
  failedAttempts: number;
  dropped: number;
}

const pairKey = (r: ExposureRow) => `${r.experimentId}\u0000${r.userId}`;

export class ExposureBuffer {
  readonly stats: ExposureStats = {
    enqueued: 0,
    sends: 0,
    sent: 0,
    skippedKnown: 0,
    failedAttempts: 0,
    dropped: 0,
  };
  readonly #send: SendExposures;
  readonly #delayMs: number;
  readonly #retryDelays: readonly number[];
  #pending = new Map<string, ExposureRow>();
  #flush: Promise<void> | null = null;
  #openedAt = 0;
  readonly #now: () => number;
  // Pairs already handed to the queue, in two generations: when the newer one fills, the older is
  // dropped and the newer becomes older. Clearing one set at the limit forgot every pair at once,
  // so a user base a little over the limit re-sent nearly every exposure.
  #stored = new Set<string>();
  #storedBefore = new Set<string>();

  constructor(
    send: SendExposures,
    options: { delayMs?: number; retryDelaysMs?: readonly number[]; now?: () => number } = {},
  ) {
    this.#send = send;
    this.#now = options.now ?? Date.now;
    this.#delayMs = options.delayMs ?? FLUSH_DELAY_MS;
    this.#retryDelays = options.retryDelaysMs ?? RETRY_DELAYS_MS;
  }

  /**
   * Queues rows. Returns a promise (which never rejects) only to the caller that must keep the
   * write alive with waitUntil: the one whose rows opened a batch (its timer will flush it) or
   * filled one (flushed now), or found the open one orphaned (ORPHANED_AFTER_MS). Rows that join
   * a batch another request opened return undefined: that request's waitUntil covers them. Handing every caller the shared promise instead
   * would make requests wait on I/O of another request's context, which workerd does not track
   * (it drops such continuations when the waiting request ends, with a warning).
   */
  add(rows: readonly ExposureRow[]): Promise<void> | undefined {
    for (const row of rows) {
      this.stats.enqueued++;
      const key = pairKey(row);
      if (this.#stored.has(key) || this.#storedBefore.has(key) || this.#pending.has(key)) {
        this.stats.skippedKnown++;
        continue;
      }
      this.#pending.set(key, row);
    }
    if (this.#pending.size >= MAX_BATCH_ROWS) return this.#flushNow();
    if (this.#pending.size === 0) return undefined;
    const now = this.#now();
    if (this.#flush !== null && now - this.#openedAt < ORPHANED_AFTER_MS) return undefined;
    this.#openedAt = now;
    this.#flush = this.#schedule();
    return this.#flush;
  }

  #schedule(): Promise<void> {
    const flush: Promise<void> = sleep(this.#delayMs).then(() =>
      // A size-triggered flush may have taken this batch already; then there is nothing to do.
      this.#flush === flush ? this.#flushNow() : undefined,
    );
    return flush;
  }

  #flushNow(): Promise<void> {
    const pending = this.#pending;
    this.#pending = new Map();
    this.#flush = null;
    return this.#sendWithRetry(pending);
  }

  /** `pending` keeps the pair keys `add` made, so remembering a sent batch builds none again. */
  async #sendWithRetry(pending: ReadonlyMap<string, ExposureRow>): Promise<void> {
    if (pending.size === 0) return;
    const batch = [...pending.values()];
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.#retryDelays.length; attempt++) {
      if (attempt > 0) await sleep(this.#retryDelays[attempt - 1] ?? 0);
      try {
        await this.#send(batch);
        this.stats.sends++;
        this.stats.sent += batch.length;
        this.#remember(pending.keys());
        return;
      } catch (err) {
        lastError = err;
        this.stats.failedAttempts++;
      }
    }
    this.stats.dropped += batch.length;
    console.error(
      JSON.stringify({
        level: "error",
        event: "exposures_dropped",
        dropped: batch.length,
        attempts: this.#retryDelays.length + 1,
        experiments: [...new Set(batch.map((r) => r.experimentId))].slice(0, 20),
        error: String(lastError),
      }),
    );
  }

  #remember(keys: Iterable<string>): void {
    for (const key of keys) {
      if (this.#stored.size >= MAX_REMEMBERED / 2) {
        this.#storedBefore = this.#stored;
        this.#stored = new Set();
      }
      this.#stored.add(key);
    }
  }
}

// One buffer per queue binding (in production there is one; tests also pass failing bindings).
const buffers = new WeakMap<Queue, ExposureBuffer>();

/** The isolate's buffer for this queue binding. */
export function exposureBuffer(queue: Queue): ExposureBuffer {
  let buffer = buffers.get(queue);
  if (buffer === undefined) {
    buffer = new ExposureBuffer((rows) => sendExposures(queue, rows));
    buffers.set(queue, buffer);
  }
  return buffer;
}
