import { describe, expect, it } from "vitest";
import { type Admission, BatchedLimiter } from "../../src/http/batched-limiter";

/** A limiter that allows `budget` units per key, answering when the test says so. */
function limiter(budget: number) {
  const used = new Map<string, number>();
  const answers: (() => void)[] = [];
  const deferred: Promise<unknown>[] = [];
  return {
    consults: () => [...used.values()].reduce((a, b) => a + b, 0),
    consult: (key: string) =>
      new Promise<{ success: boolean }>((resolve) => {
        const n = (used.get(key) ?? 0) + 1;
        used.set(key, n);
        answers.push(() => resolve({ success: n <= budget }));
      }),
    defer: (work: Promise<unknown>) => deferred.push(work),
    /** Lets every consult so far answer, and waits until their verdicts are applied. */
    async settle() {
      for (const answer of answers.splice(0)) answer();
      await Promise.all(deferred.splice(0));
    },
  };
}

describe("BatchedLimiter", () => {
  it("consults once per batch, never waits, and refuses from the first call after an over verdict", async () => {
    const now = 1_000_000;
    const batched = new BatchedLimiter(() => now);
    const l = limiter(2);
    const call = { consult: l.consult, defer: l.defer, batch: 3, periodSeconds: 10 };
    const results: Admission[] = [];
    for (let i = 0; i < 9; i++) results.push(batched.admit("org", call));
    // Nine calls, three consults, all admitted: the verdicts have not arrived yet.
    expect(results.every((r) => r.admitted)).toBe(true);
    expect(l.consults()).toBe(3);
    expect(batched.pending).toBe(3);
    await l.settle();
    expect(batched.pending).toBe(0);
    // The third unit was over budget: refused for one period from the verdict.
    expect(batched.admit("org", call)).toEqual({ admitted: false, retryAfterSeconds: 10 });
    expect(l.consults()).toBe(3); // refusals are not counted against the limiter
    expect(batched.admit("other", call)).toEqual({ admitted: true });
  });

  it.each([
    { elapsedMs: 0, expected: { admitted: false, retryAfterSeconds: 60 } },
    { elapsedMs: 1, expected: { admitted: false, retryAfterSeconds: 60 } },
    { elapsedMs: 59_000, expected: { admitted: false, retryAfterSeconds: 1 } },
    { elapsedMs: 59_999, expected: { admitted: false, retryAfterSeconds: 1 } },
    { elapsedMs: 60_000, expected: { admitted: true } },
  ])(
    "Retry-After is the time left of the period, rounded up ($elapsedMs ms after)",
    async ({ elapsedMs, expected }) => {
      let now = 0;
      const batched = new BatchedLimiter(() => now);
      const l = limiter(0);
      const call = { consult: l.consult, defer: l.defer, batch: 1, periodSeconds: 60 };
      expect(batched.admit("org", call)).toEqual({ admitted: true });
      await l.settle();
      now += elapsedMs;
      expect(batched.admit("org", call)).toEqual(expected);
    },
  );

  it("admits when the limiter itself fails (an outage must not stop assignment)", async () => {
    const batched = new BatchedLimiter(() => 0);
    const deferred: Promise<unknown>[] = [];
    const warn = console.warn;
    const warnings: unknown[] = [];
    console.warn = (...args: unknown[]) => warnings.push(args[0]);
    try {
      const call = {
        consult: () => Promise.reject(new Error("limiter down")),
        defer: (w: Promise<unknown>) => deferred.push(w),
        batch: 1,
        periodSeconds: 10,
      };
      expect(batched.admit("org", call)).toEqual({ admitted: true });
      await Promise.all(deferred);
      expect(batched.admit("org", call)).toEqual({ admitted: true });
      expect(warnings).toEqual(["rate limiter unavailable for org; admitting"]);
    } finally {
      console.warn = warn;
    }
  });
});
