/**
 * Replays test/fixtures/stats-analysis-golden.json (written by scripts/gen_stats_analysis_golden.py, an
 * independent scipy/numpy implementation of the formulas in docs/statistics.md) through src/stats.
 * Every number must agree to a relative error of 1e-9 (absolute 1e-300 where the reference is 0);
 * nulls, booleans and reasons must match exactly. An interval endpoint is compared relative to the larger
 * of itself and the interval's width: an endpoint at 0 (p exactly 0.05) is the difference of two equal
 * terms, so its own relative error is meaningless. Bayesian summaries must also sit within 3 standard
 * errors of the reference's Monte Carlo estimate from 400,000 posterior draws.
 */
import { describe, expect, it } from "vitest";
import {
  adjustPValues,
  type Correction,
  type CovariateMoments,
  compareBayesian,
  compareFrequentist,
  cuped,
  type Direction,
  type Moments,
  requiredUsersPerVariant,
  usersPerVariantExact,
} from "../../src/stats";
import golden from "../fixtures/stats-analysis-golden.json";

const REL_TOL = 1e-9;
const ZERO_ABS_TOL = 1e-300;

interface GoldenCase {
  name: string;
  kind: "frequentist" | "bayesian" | "cuped" | "adjust" | "power";
  input: Record<string, unknown>;
  expected: Record<string, unknown>;
  monte_carlo?: { chance: number; chance_se: number; loss: number; loss_se: number } | null;
}

const cases = (golden as unknown as { cases: GoldenCase[] }).cases;
const worst = new Map<string, { err: number; where: string }>();

function relErr(actual: number, expected: number, scale = 0): number {
  const s = Math.max(Math.abs(expected), scale);
  if (s === 0) return Math.abs(actual) <= ZERO_ABS_TOL ? 0 : Number.POSITIVE_INFINITY;
  return Math.abs(actual - expected) / s;
}

const INTERVALS: [string, string][] = [
  ["ci_low", "ci_high"],
  ["lift_ci_low", "lift_ci_high"],
  ["credible_low", "credible_high"],
];

/** The width of the interval a key is an endpoint of, or 0. */
function widthFor(obj: Record<string, unknown>, key: string): number {
  for (const [lo, hi] of INTERVALS) {
    if ((key === lo || key === hi) && typeof obj[lo] === "number" && typeof obj[hi] === "number") {
      return Math.abs((obj[hi] as number) - (obj[lo] as number));
    }
  }
  return 0;
}

function expectClose(kind: string, where: string, have: unknown, want: unknown, scale = 0): void {
  if (want === null || typeof want === "boolean" || typeof want === "string") {
    expect(have, where).toBe(want);
    return;
  }
  if (Array.isArray(want)) {
    expect(Array.isArray(have), where).toBe(true);
    const list = have as unknown[];
    expect(list.length, where).toBe(want.length);
    want.forEach((w, i) => {
      expectClose(kind, `${where}[${i}]`, list[i], w);
    });
    return;
  }
  if (typeof want === "object") {
    const obj = want as Record<string, unknown>;
    for (const [k, w] of Object.entries(obj)) {
      expectClose(kind, `${where}.${k}`, (have as Record<string, unknown>)[k], w, widthFor(obj, k));
    }
    return;
  }
  expect(typeof have, `${where} should be a number, got ${String(have)}`).toBe("number");
  const err = relErr(have as number, want as number, scale);
  const w = worst.get(kind) ?? { err: 0, where: "" };
  if (err > w.err) worst.set(kind, { err, where });
  expect(err, `${where} = ${String(have)}, reference ${String(want)}`).toBeLessThanOrEqual(REL_TOL);
}

type ArmsInput = { control: Moments; treatment: Moments; confidence: number; binary: boolean; direction: Direction };

describe("per-user analysis statistics against the scipy reference", () => {
  it("has cases of every kind", () => {
    const kinds = new Map<string, number>();
    for (const c of cases) kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
    expect(kinds.get("frequentist")).toBeGreaterThanOrEqual(30);
    expect(kinds.get("bayesian")).toBeGreaterThanOrEqual(8);
    expect(kinds.get("cuped")).toBeGreaterThanOrEqual(4);
    expect(kinds.get("adjust")).toBeGreaterThanOrEqual(6);
    expect(kinds.get("power")).toBeGreaterThanOrEqual(5);
  });

  for (const c of cases) {
    it(`${c.kind}: ${c.name}`, () => {
      const where = `${c.kind}: ${c.name}`;
      if (c.kind === "frequentist") {
        const i = c.input as ArmsInput & { sequential: { tuning: number } | null; shift: number };
        const r = compareFrequentist(i.control, i.treatment, i);
        expectClose(c.kind, where, r, c.expected);
      } else if (c.kind === "bayesian") {
        const i = c.input as ArmsInput & { prior: { mean: number; variance: number } | null };
        const r = compareBayesian(i.control, i.treatment, i);
        expectClose(c.kind, where, r, c.expected);
        const mc = c.monte_carlo;
        if (mc) {
          // Closed form versus Monte Carlo: within 3 standard errors (plus rounding when the SE is 0).
          expect(Math.abs((r.chance_to_beat_control as number) - mc.chance)).toBeLessThanOrEqual(
            3 * mc.chance_se + 1e-12,
          );
          expect(Math.abs((r.expected_loss as number) - mc.loss)).toBeLessThanOrEqual(3 * mc.loss_se + 1e-12);
        }
      } else if (c.kind === "cuped") {
        const i = c.input as { arms: CovariateMoments[] };
        expectClose(c.kind, where, cuped(i.arms), { ...c.expected, reason: null });
      } else if (c.kind === "adjust") {
        const i = c.input as { p: (number | null)[] };
        for (const method of ["none", "holm", "bh"] as Correction[]) {
          expectClose(c.kind, `${where} ${method}`, adjustPValues(i.p, method), c.expected[method]);
        }
      } else {
        const i = c.input as unknown as Parameters<typeof requiredUsersPerVariant>[0];
        expectClose(c.kind, `${where} exact`, usersPerVariantExact(i), c.expected.exact);
        expect(requiredUsersPerVariant(i)).toBe(c.expected.users_per_variant);
      }
    });
  }

  it("reports the worst relative error per kind", () => {
    for (const [kind, w] of worst)
      console.info(`stats analysis golden ${kind}: max relative error ${w.err.toExponential(2)} (${w.where})`);
    for (const w of worst.values()) expect(w.err).toBeLessThanOrEqual(REL_TOL);
  });
});
