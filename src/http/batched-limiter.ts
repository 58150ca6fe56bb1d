// A rate limit whose hot path never waits. Assignment answers from the isolate's memory in well
// under a millisecond; awaiting a limiter call on each of them would make the limiter the hot path
// (Miniflare's binding serializes at about 90 calls a second). Instead each isolate counts the calls
// of a key and consults the limiter once per `batch` calls, in the background; the verdict applies
// to the calls that follow. So one limiter unit stands for `batch` calls, and per isolate at most
// `batch - 1` calls of a key go uncounted, plus those admitted while a verdict is on its way.
// Pure: the limiter call and the background hook are handed in, the clock is injected.

interface LimiterCall {
  /** One unit against `key`; `success: false` once the key's budget for the period is spent. */
  consult: (key: string) => Promise<{ success: boolean }>;
  /** Keeps the consult alive after the answer is sent (ExecutionContext.waitUntil). */
  defer: (work: Promise<unknown>) => void;
  /** Calls per limiter unit. */
  batch: number;
  /** The limiter's period: a refused key is refused for that long, the honest upper bound. */
  periodSeconds: number;
}

export type Admission = { admitted: true } | { admitted: false; retryAfterSeconds: number };

interface KeyState {
  /** Calls since the last consult. */
  count: number;
  /** While the clock is before this instant every call of the key is refused. */
  blockedUntil: number;
}

// Keys are organizations; beyond this many the oldest is forgotten (its partial count is lost,
// which errs on the side of admitting).
const MAX_KEYS = 10_000;

export class BatchedLimiter {
  readonly #keys = new Map<string, KeyState>();
  #now: () => number;
  /** Consults started and not yet settled (tests wait for 0 instead of sleeping). */
  pending = 0;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Replaces the clock (tests step it instead of sleeping through a period). */
  useClock(now: () => number): void {
    this.#now = now;
  }

  /** Admits or refuses one call of `key` at once; every `batch`-th admitted call starts a consult. */
  admit(key: string, call: LimiterCall): Admission {
    const now = this.#now();
    const state = this.#state(key);
    if (now < state.blockedUntil) {
      return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil((state.blockedUntil - now) / 1000)) };
    }
    state.count += 1;
    if (state.count >= call.batch) {
      state.count = 0;
      this.pending += 1;
      const verdict = call.consult(key).then(
        ({ success }) => {
          if (!success) state.blockedUntil = Math.max(state.blockedUntil, this.#now() + call.periodSeconds * 1000);
        },
        // A limiter outage must not take assignment down with it: admit, and say so.
        (err: unknown) => console.warn(`rate limiter unavailable for ${key}; admitting`, err),
      );
      call.defer(verdict.finally(() => (this.pending -= 1)));
    }
    return { admitted: true };
  }

  #state(key: string): KeyState {
    let state = this.#keys.get(key);
    if (state) return state;
    if (this.#keys.size >= MAX_KEYS) {
      const oldest = this.#keys.keys().next();
      if (!oldest.done) this.#keys.delete(oldest.value);
    }
    state = { count: 0, blockedUntil: 0 };
    this.#keys.set(key, state);
    return state;
  }
}
