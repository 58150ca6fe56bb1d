import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bucketBasisPoints, bucketOf, fnv1a32, pickVariant, toBasisPoints } from "../../src/evaluation/bucketing";
import golden from "../fixtures/bucketing.json";

describe("fnv1a32", () => {
  it.each([
    ["", 0x811c9dc5],
    ["a", 0xe40c292c],
    ["foobar", 0xbf9cf968],
  ])("canonical FNV-1a vector %j", (input, expected) => {
    expect(fnv1a32(input)).toBe(expected);
  });

  it.each(golden.fnv1a32.map((v) => [v.input, v.fnv1a32] as const))("golden raw vector %j", (input, expected) => {
    expect(fnv1a32(input)).toBe(expected);
  });

  it("is always an unsigned 32-bit integer", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        const h = fnv1a32(s);
        return Number.isInteger(h) && h >= 0 && h <= 0xffffffff;
      }),
    );
  });
});

describe("golden cases (scripts/gen_bucketing_vectors.py)", () => {
  it("has enough cases to be meaningful", () => {
    expect(golden.cases.length).toBeGreaterThanOrEqual(250);
  });

  it.each(golden.cases.map((c, i) => [i, c] as const))("case %i", (_i, c) => {
    expect(fnv1a32(c.seed + c.user_id)).toBe(c.fnv1a32_of_seed_user);
    expect(bucketOf(c.seed, c.user_id)).toBe(c.bucket);
    expect(pickVariant(c.bucket, c.coverage, c.percentages)).toBe(c.variant_index);
  });
});

describe("toBasisPoints", () => {
  it.each([
    [100, 10000],
    [50, 5000],
    [33.3, 3330], // 33.3 * 100 is 3329.9999999999995 in doubles
    [33.34, 3334],
    [0.005, 1], // half up
    [0.004, 0],
    [0, 0],
    [-5, 0],
    [Number.NaN, 0],
    [150, 10000],
  ])("%d%% -> %d bp", (pct, bp) => {
    expect(toBasisPoints(pct)).toBe(bp);
  });
});

describe("pickVariant range edges", () => {
  // [n, coverage, percentages, expected]
  it.each([
    [0, 100, [50, 50], 0],
    [0.4999, 100, [50, 50], 0],
    [0.5, 100, [50, 50], 1],
    [0.9999, 100, [50, 50], 1],
    // coverage 50: control [0, .25), treatment [.5, .75); starts are not scaled
    [0.2499, 50, [50, 50], 0],
    [0.25, 50, [50, 50], null],
    [0.4999, 50, [50, 50], null],
    [0.5, 50, [50, 50], 1],
    [0.7499, 50, [50, 50], 1],
    [0.75, 50, [50, 50], null],
    // coverage 33.3, 34/33/33: widths 1132.2, 1098.9, 1098.9 bp
    [0.1132, 33.3, [34, 33, 33], 0],
    [0.1133, 33.3, [34, 33, 33], null],
    [0.4498, 33.3, [34, 33, 33], 1],
    [0.4499, 33.3, [34, 33, 33], null],
    [0.7798, 33.3, [34, 33, 33], 2],
    [0.7799, 33.3, [34, 33, 33], null],
    [0, 0, [50, 50], null],
    [0.3, 100, [20, 0, 80], 2], // an empty range owns nothing
    [0.95, 100, [50, 40], null], // percentages short of 100 leave a remainder
    [0.5, 100, [], null],
  ])("n=%d coverage=%d %j -> %j", (n, coverage, pcts, expected) => {
    expect(pickVariant(n, coverage, pcts)).toBe(expected);
  });

  it("raising coverage never moves an enrolled user (property)", () => {
    const split = fc.array(fc.integer({ min: 0, max: 10000 }), { minLength: 1, maxLength: 6 }).map((ws) => {
      const total = ws.reduce((a, b) => a + b, 0) || 1;
      return ws.map((w) => Math.round((w / total) * 10000) / 100);
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        split,
        (bp, a, b, pcts) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const before = pickVariant(bp / 10000, lo, pcts);
          return before === null || pickVariant(bp / 10000, hi, pcts) === before;
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("bucketOf is bucketBasisPoints / 10000", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (seed, user) => {
        return bucketOf(seed, user) === bucketBasisPoints(seed, user) / 10000;
      }),
    );
  });
});
