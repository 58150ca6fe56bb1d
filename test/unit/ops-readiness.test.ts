import { describe, expect, it } from "vitest";
import { CHECK_TIMEOUT_MS, type Check, runChecks } from "../../src/ops/readiness";

/** A clock that advances only when a check says so, and a deadline the test fires by hand. */
function harness() {
  let t = 0;
  const deadlines: ((e: Error) => void)[] = [];
  const failures: string[] = [];
  return {
    advance: (ms: number) => {
      t += ms;
    },
    expire: () => {
      for (const fire of deadlines) fire(new Error("deadline"));
    },
    failures,
    deps: {
      now: () => t,
      deadline: (ms: number) => {
        expect(ms).toBe(CHECK_TIMEOUT_MS);
        return new Promise<never>((_, reject) => deadlines.push(reject));
      },
      onFailure: (name: string, error: unknown) => failures.push(`${name}: ${String(error)}`),
    },
  };
}

describe("runChecks", () => {
  const cases: { name: string; outcomes: ("ok" | "throw")[]; status: "ok" | "degraded" }[] = [
    { name: "all pass", outcomes: ["ok", "ok", "ok"], status: "ok" },
    { name: "one fails", outcomes: ["ok", "throw", "ok"], status: "degraded" },
    { name: "all fail", outcomes: ["throw", "throw", "throw"], status: "degraded" },
    { name: "no checks is ok", outcomes: [], status: "ok" },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const h = harness();
      const checks: Check[] = c.outcomes.map((o, i) => ({
        name: `c${i}`,
        run: async () => {
          h.advance(5);
          if (o === "throw") throw new Error(`secret detail ${i}`);
        },
      }));
      const report = await runChecks(checks, h.deps);
      expect(report.status).toBe(c.status);
      expect(report.checks.map((r) => r.status)).toEqual(c.outcomes.map((o) => (o === "ok" ? "ok" : "fail")));
      expect(JSON.stringify(report)).not.toContain("secret detail");
      expect(h.failures).toHaveLength(c.outcomes.filter((o) => o === "throw").length);
    });
  }

  it("a check that never answers fails at its deadline; the others keep their results and timings", async () => {
    const h = harness();
    const pending = runChecks(
      [
        { name: "fast", run: async () => h.advance(3) },
        { name: "hung", run: () => new Promise(() => undefined) },
      ],
      h.deps,
    );
    // Let "fast" settle its race (a bounded number of microtask turns, no timer), then fire the deadlines.
    for (let i = 0; i < 10; i++) await Promise.resolve();
    h.expire();
    const report = await pending;
    expect(report).toEqual({
      status: "degraded",
      checks: [
        { name: "fast", status: "ok", ms: 3 },
        // Checks start one after another in the same turn: "hung" started after "fast" advanced the clock.
        { name: "hung", status: "fail", ms: 0 },
      ],
    });
    expect(h.failures).toEqual(["hung: Error: deadline"]);
  });
});
