// A tiny sequential test runner: the steps share one server and one signed-in browser, so they run
// in order; a failing step is reported and the run goes on (later steps say what still works).
export interface Step {
  name: string;
  fn: () => Promise<void>;
}

const steps: Step[] = [];

export function test(name: string, fn: () => Promise<void>): void {
  steps.push({ name, fn });
}

export async function runAll(): Promise<{ passed: number; failed: number }> {
  let passed = 0;
  let failed = 0;
  for (const step of steps) {
    const started = Date.now();
    try {
      await step.fn();
      passed++;
      console.log(`  ✔ ${step.name} (${Date.now() - started} ms)`);
    } catch (err) {
      failed++;
      console.log(`  ✖ ${step.name} (${Date.now() - started} ms)`);
      console.log(`    ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`.replace(/\n/g, "\n    "));
    }
  }
  return { passed, failed };
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/**
 * The least time any wait gets. A wait ends as soon as its sentinel holds, so a long timeout costs
 * nothing when the page is right; only a wrong page waits it out. Short ones (3 and 5 s) failed
 * steps when the machine was loaded (CI beside another build), with the page right but late.
 */
export const MIN_WAIT_MS = 20_000;

/** Polls `probe` until it returns a truthy value or the timeout (at least MIN_WAIT_MS) passes. */
export async function eventually<T>(probe: () => Promise<T>, timeoutMs: number, what: string): Promise<NonNullable<T>> {
  timeoutMs = Math.max(timeoutMs, MIN_WAIT_MS);
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}
