/**
 * Batches exposures of locally evaluated assignments and sends them to `POST /exposures`, so
 * that analysis counts users an SDK assigned without calling the server. A batch leaves when it
 * holds `maxBatch` exposures or `flushIntervalMs` after its first one, whichever comes first;
 * the queue is bounded (`maxQueue`, oldest dropped and counted). Clock and timer are injectable so
 * tests drive time instead of sleeping.
 */
import type { ExposureInput, ExposureReport } from "../assignment/exposure-types";
import { MAX_EXPOSURES_PER_REQUEST } from "../assignment/exposure-types";

export type { ExposureInput, ExposureReport } from "../assignment/exposure-types";

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** The timer the reporter uses; defaults to the global setTimeout / clearTimeout. */
export interface Scheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ExposureReporterOptions {
  baseUrl: string;
  token: string | (() => string | Promise<string>);
  fetch?: FetchLike;
  /** Exposures per request, 1-1000. Default 100. */
  maxBatch?: number;
  /** A batch leaves at most this long after its first exposure. Default 2000 ms. */
  flushIntervalMs?: number;
  /** Queue bound; past it the oldest exposures are dropped (counted in `stats.dropped`). Default 10,000. */
  maxQueue?: number;
  /** Epoch milliseconds; stamps each exposure. Default Date.now. */
  now?: () => number;
  scheduler?: Scheduler;
  /**
   * Called when a batch fails. After a network error, a 5xx, 408 or 429 the batch is put back for
   * the next flush; after another status it is dropped (counted).
   */
  onError?: (error: unknown) => void;
}

export interface ExposureReporterStats {
  queued: number;
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  dropped: number;
  failedRequests: number;
}

class ExposureSendError extends Error {
  override readonly name = "ExposureSendError";
  constructor(readonly status: number) {
    super(`POST exposures failed with ${status}`);
  }
  /** Server errors, timeouts and rate limits pass; other 4xx refuse the batch for good. */
  get retryable(): boolean {
    return this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

const defaultScheduler: Scheduler = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class ExposureReporter {
  readonly stats: ExposureReporterStats = {
    queued: 0,
    sent: 0,
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    dropped: 0,
    failedRequests: 0,
  };
  readonly #url: string;
  readonly #token: ExposureReporterOptions["token"];
  readonly #fetch: FetchLike;
  readonly #maxBatch: number;
  readonly #intervalMs: number;
  readonly #maxQueue: number;
  readonly #now: () => number;
  readonly #scheduler: Scheduler;
  readonly #onError: ExposureReporterOptions["onError"];
  #queue: ExposureInput[] = [];
  #timer: unknown = null;
  #sending: Promise<void> = Promise.resolve();

  constructor(options: ExposureReporterOptions) {
    this.#url = `${options.baseUrl.replace(/\/+$/, "")}/api/v1/ab-testing/exposures`;
    this.#token = options.token;
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#maxBatch = Math.min(Math.max(1, options.maxBatch ?? 100), MAX_EXPOSURES_PER_REQUEST);
    this.#intervalMs = options.flushIntervalMs ?? 2000;
    this.#maxQueue = Math.max(this.#maxBatch, options.maxQueue ?? 10_000);
    this.#now = options.now ?? Date.now;
    this.#scheduler = options.scheduler ?? defaultScheduler;
    this.#onError = options.onError;
  }

  /** Exposures waiting to be sent. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Queues one exposure, stamped with the clock unless it carries a timestamp. */
  add(exposure: ExposureInput): void {
    this.#queue.push({ ...exposure, timestamp: exposure.timestamp ?? new Date(this.#now()).toISOString() });
    this.stats.queued++;
    if (this.#queue.length > this.#maxQueue) {
      const excess = this.#queue.length - this.#maxQueue;
      this.#queue.splice(0, excess);
      this.stats.dropped += excess;
    }
    if (this.#queue.length >= this.#maxBatch) void this.flush();
    else if (this.#timer === null) {
      this.#timer = this.#scheduler.setTimeout(() => {
        this.#timer = null;
        void this.flush();
      }, this.#intervalMs);
    }
  }

  /**
   * Sends everything queued, in batches of maxBatch, one request at a time. Resolves when done;
   * never rejects (failures go to onError and the exposures stay queued for the next flush).
   */
  flush(): Promise<void> {
    if (this.#timer !== null) {
      this.#scheduler.clearTimeout(this.#timer);
      this.#timer = null;
    }
    this.#sending = this.#sending.then(() => this.#drain());
    return this.#sending;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      try {
        const report = await this.#send(batch);
        this.stats.sent += batch.length;
        this.stats.accepted += report.accepted;
        this.stats.duplicates += report.duplicates;
        this.stats.rejected += report.rejected.length;
      } catch (err) {
        this.stats.failedRequests++;
        if (err instanceof ExposureSendError && !err.retryable) {
          this.stats.dropped += batch.length; // the server refused the batch itself: resending cannot help
        } else {
          this.#queue.unshift(...batch); // back to the front, for the next flush
        }
        if (this.#queue.length > this.#maxQueue) {
          // Exposures added while the batch was in flight may have refilled the queue: the bound
          // drops the oldest, as add() does (the batch just put back is the oldest).
          const excess = this.#queue.length - this.#maxQueue;
          this.#queue.splice(0, excess);
          this.stats.dropped += excess;
        }
        try {
          this.#onError?.(err);
        } catch {
          /* a throwing callback must not break the reporter */
        }
        return;
      }
    }
  }

  async #send(exposures: ExposureInput[]): Promise<ExposureReport> {
    const token = typeof this.#token === "function" ? await this.#token() : this.#token;
    const res = await this.#fetch(this.#url, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ exposures }),
    });
    if (res.status !== 202) throw new ExposureSendError(res.status);
    return (await res.json()) as ExposureReport;
  }
}
