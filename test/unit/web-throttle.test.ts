import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { throttled } from "../../web/src/ui/throttle";

// The scheduler and the clock are vitest's fake ones: nothing here waits on real time.
beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("throttled", () => {
  it.each([
    // [calls at these ms offsets, runs expected at these offsets]
    ["one call runs on the next turn", [0], [0]],
    ["a burst is folded into one run", [0, 0, 0], [0]],
    ["a call during the interval waits out its rest", [0, 1000], [0, 5000]],
    ["calls during the wait add nothing", [0, 1000, 2000, 4999], [0, 5000]],
    ["after a quiet spell a call runs at once again", [0, 6000], [0, 6000]],
    ["exactly one interval later runs at once", [0, 5000], [0, 5000]],
  ])("%s", (_label, calls, expected) => {
    const runs: number[] = [];
    const start = Date.now();
    const t = throttled(() => runs.push(Date.now() - start), 5000);
    // Moving the fake clock to each call fires the runs due before it, in order; calls at the same
    // offset happen in one turn, as a burst of socket messages does.
    for (const at of calls) {
      if (start + at > Date.now()) vi.advanceTimersByTime(start + at - Date.now());
      t.soon();
    }
    vi.advanceTimersByTime(10_000);
    expect(runs).toEqual(expected);
  });

  it("cancel drops the waiting run; the next call is scheduled afresh", () => {
    const run = vi.fn();
    const t = throttled(run, 5000);
    t.soon();
    t.cancel();
    vi.advanceTimersByTime(10_000);
    expect(run).not.toHaveBeenCalled();
    t.soon();
    vi.advanceTimersByTime(0);
    expect(run).toHaveBeenCalledTimes(1);
  });
});
