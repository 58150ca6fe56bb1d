/**
 * Readiness: a few dependency checks run side by side, each timed and bounded. Pure: the checks,
 * the clock and the deadline are given, so the aggregation is tested as a plain function.
 */

export interface Check {
  /** A public, generic name ("database"): the anonymous caller learns nothing internal. */
  name: string;
  run: () => Promise<unknown>;
}

interface CheckResult {
  name: string;
  status: "ok" | "fail";
  ms: number;
}

export interface Readiness {
  status: "ok" | "degraded";
  checks: CheckResult[];
}

export interface ReadinessDeps {
  now: () => number;
  /** Rejects after `ms`: a hung dependency fails its check instead of hanging the probe. */
  deadline: (ms: number) => Promise<never>;
  /** Told about each failure (the reason stays in the logs, not in the answer). */
  onFailure: (name: string, error: unknown) => void;
}

export const CHECK_TIMEOUT_MS = 2_000;

export async function runChecks(checks: readonly Check[], deps: ReadinessDeps): Promise<Readiness> {
  const results = await Promise.all(
    checks.map(async ({ name, run }): Promise<CheckResult> => {
      const start = deps.now();
      try {
        await Promise.race([run(), deps.deadline(CHECK_TIMEOUT_MS)]);
        return { name, status: "ok", ms: deps.now() - start };
      } catch (error) {
        deps.onFailure(name, error);
        return { name, status: "fail", ms: deps.now() - start };
      }
    }),
  );
  return { status: results.every((r) => r.status === "ok") ? "ok" : "degraded", checks: results };
}
