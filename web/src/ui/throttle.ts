/**
 * Runs `run` soon after `soon()` is called, at most once every `everyMs`: the first call after a
 * quiet spell runs on the next turn, later ones wait out the rest of the interval, and calls while
 * one is waiting are folded into it. For refetches driven by a live stream that can carry thousands
 * of messages a second. `cancel()` drops a waiting run (on unmount).
 */
export function throttled(run: () => void, everyMs: number, now: () => number = Date.now) {
  let last = Number.NEGATIVE_INFINITY;
  let timer: ReturnType<typeof setTimeout> | null = null;
  return {
    soon(): void {
      if (timer !== null) return;
      timer = setTimeout(
        () => {
          timer = null;
          last = now();
          run();
        },
        Math.max(0, last + everyMs - now()),
      );
    },
    cancel(): void {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
