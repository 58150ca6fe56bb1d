/**
 * When a failed delivery is tried again: exponential backoff (10 s doubling, capped at 15 min) with
 * "equal jitter" — half the delay fixed, half random — so a receiver that comes back is not hit by
 * every organization's retries in the same second, yet no retry comes sooner than half its step.
 * MAX_ATTEMPTS is chosen so that even with the smallest jitter the retries span more than an hour
 * (`minimumRetrySpanMs`, checked by the unit tests); then the delivery is `failed`.
 */

const RETRY_BASE_MS = 10_000;
const RETRY_CAP_MS = 15 * 60_000;
export const MAX_ATTEMPTS = 16;

/** Delay before attempt `attempts + 1`, after `attempts` (≥ 1) failed ones. `random` in [0, 1). */
export function retryDelayMs(attempts: number, random: () => number): number {
  const step = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(step / 2 + (r * step) / 2);
}

export type RetryDecision = { status: "pending"; next_attempt_at: number } | { status: "failed" };

/** After a failed attempt (the `attempts`-th): schedule the next or give up. */
export function afterFailure(attempts: number, now: number, random: () => number): RetryDecision {
  if (attempts >= MAX_ATTEMPTS) return { status: "failed" };
  return { status: "pending", next_attempt_at: now + retryDelayMs(attempts, random) };
}

/** Time from the first attempt to the last, with every jitter at its smallest. */
export function minimumRetrySpanMs(): number {
  let total = 0;
  for (let attempts = 1; attempts < MAX_ATTEMPTS; attempts++) total += retryDelayMs(attempts, () => 0);
  return total;
}
