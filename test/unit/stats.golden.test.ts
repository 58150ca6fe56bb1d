/**
 * Replays test/fixtures/stats-golden.json (scipy reference values written by
 * scripts/gen_stats_golden.py) through src/stats. Tolerance: relative error ≤ 1e-9 on every
 * number; nulls must match exactly. The only absolute tolerance is where scipy's value is
 * exactly 0 (an underflowed p-value, or a zero difference), where relative error is undefined.
 */
import { describe, expect, it } from "vitest";
import { compareWelch, srmCheck, summarizeMoments } from "../../src/stats";
import golden from "../fixtures/stats-golden.json";

const REL_TOL = 1e-9;
// Below this, a double is deep in the subnormal range: an underflowed p-value and a
// 1e-310 one are the same answer.
const ZERO_ABS_TOL = 1e-300;

type Expected = Record<string, number | boolean | null>;
interface GoldenCase {
  name: string;
  kind: string;
  input: Record<string, unknown>;
  expected: Expected;
}

const cases = (golden as unknown as { cases: GoldenCase[] }).cases;
let maxRelErr = 0;
let maxRelErrWhere = "";

function relErr(actual: number, expected: number): number {
  if (expected === 0) return Math.abs(actual) <= ZERO_ABS_TOL ? 0 : Number.POSITIVE_INFINITY;
  return Math.abs(actual - expected) / Math.abs(expected);
}

function expectMatches(name: string, actual: object, expected: Expected): void {
  const got = actual as Record<string, unknown>;
  for (const [key, want] of Object.entries(expected)) {
    const have = got[key];
    if (want === null || typeof want === "boolean") {
      expect(have, `${name}: ${key}`).toBe(want);
      continue;
    }
    expect(typeof have, `${name}: ${key} should be a number, got ${String(have)}`).toBe("number");
    const err = relErr(have as number, want);
    if (err > maxRelErr) {
      maxRelErr = err;
      maxRelErrWhere = `${name}: ${key}`;
    }
    expect(err, `${name}: ${key} = ${String(have)}, scipy says ${want}`).toBeLessThanOrEqual(REL_TOL);
  }
}

describe("stats golden cases (scipy)", () => {
  it("has a meaningful number of cases of every kind", () => {
    const kinds = new Map<string, number>();
    for (const c of cases) kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(kinds.get("welch")).toBeGreaterThanOrEqual(25);
    expect(kinds.get("srm")).toBeGreaterThanOrEqual(10);
  });

  for (const c of cases) {
    it(`${c.kind}: ${c.name}`, () => {
      if (c.kind === "welch") {
        const input = c.input as {
          control: { count: number; mean: number; variance: number };
          treatment: { count: number; mean: number; variance: number };
          confidence_level?: number;
        };
        const opts = input.confidence_level === undefined ? {} : { confidenceLevel: input.confidence_level };
        expectMatches(c.name, compareWelch(input.control, input.treatment, opts), c.expected);
      } else if (c.kind === "srm") {
        const input = c.input as { observed: number[]; percentages: number[] };
        expectMatches(c.name, srmCheck(input.observed, input.percentages), c.expected);
      } else if (c.kind === "moments") {
        const input = c.input as { count: number; sum: number; sumSq: number; min: number | null; max: number | null };
        expectMatches(c.name, summarizeMoments(input), c.expected);
      } else {
        throw new Error(`unknown golden case kind ${c.kind}`);
      }
    });
  }

  it("reports the worst relative error", () => {
    console.info(
      `stats golden: ${cases.length} cases, max relative error ${maxRelErr.toExponential(2)} (${maxRelErrWhere})`,
    );
    expect(maxRelErr).toBeLessThanOrEqual(REL_TOL);
  });
});
