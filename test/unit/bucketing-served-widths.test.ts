import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BUCKETS, pickVariant, servedBucketWidths } from "../../src/evaluation/bucketing";
import { srmCheck } from "../../src/stats";

/** Counts, over all 10,000 buckets, where pickVariant sends each one: the ground truth. */
function enumerate(coverage: number, percentages: number[]): number[] {
  const counts = percentages.map(() => 0);
  for (let b = 0; b < BUCKETS; b++) {
    const i = pickVariant(b / BUCKETS, coverage, percentages);
    if (i !== null) counts[i] = (counts[i] ?? 0) + 1;
  }
  return counts;
}

describe("servedBucketWidths", () => {
  it.each([
    { name: "FINDINGS: 0.5% coverage at 33/33/34", coverage: 0.5, pct: [33, 33, 34], widths: [17, 17, 17] },
    { name: "FINDINGS: 0.25% coverage at 10/90", coverage: 0.25, pct: [10, 90], widths: [3, 23] },
    { name: "full coverage 50/50", coverage: 100, pct: [50, 50], widths: [5000, 5000] },
    { name: "zero coverage", coverage: 0, pct: [50, 50], widths: [0, 0] },
    { name: "a 0% variant", coverage: 40, pct: [50, 0, 50], widths: [2000, 0, 2000] },
    { name: "percentages above 100% are cut at the last bucket", coverage: 100, pct: [80, 80], widths: [8000, 2000] },
  ])("$name", ({ coverage, pct, widths }) => {
    expect(servedBucketWidths(coverage, pct)).toEqual(widths);
    expect(enumerate(coverage, pct)).toEqual(widths);
  });

  it("matches pickVariant over every bucket (property)", () => {
    const pct = fc.double({ min: 0, max: 60, noNaN: true }).map((p) => Math.round(p * 100) / 100);
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.array(pct, { minLength: 1, maxLength: 4 }),
        (c, ps) => {
          expect(servedBucketWidths(c, ps)).toEqual(enumerate(c, ps));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("SRM against served widths does not flag the rounding that configured percentages would", () => {
    // 66,000 users at 0.5% coverage, 33/33/34, split exactly as served (17/17/17 buckets).
    const observed = [22000, 22000, 22000];
    expect(srmCheck(observed, [33, 33, 34]).mismatch).toBe(true);
    expect(srmCheck(observed, servedBucketWidths(0.5, [33, 33, 34])).p_value).toBe(1);
  });
});
