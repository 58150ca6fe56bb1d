import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  MIN_INDEXABLE,
  parseSketchJSON,
  QuantileSketch,
  quantileRank,
  SketchFormatError,
} from "../../src/streaming/sketch";

/** mulberry32: tiny fixed-seed PRNG so every run sees the same data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uniformOpen(rand: () => number): number {
  let u = rand();
  while (u === 0) u = rand();
  return u;
}

function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(uniformOpen(rand))) * Math.cos(2 * Math.PI * rand());
}

const N = 100_000;
const DISTRIBUTIONS: { name: string; draw: (rand: () => number) => number }[] = [
  { name: "lognormal(μ=3, σ=1.5)", draw: (r) => Math.exp(3 + 1.5 * normal(r)) },
  { name: "pareto(xm=1, α=1.2)", draw: (r) => 1 / uniformOpen(r) ** (1 / 1.2) },
  { name: "exponential(λ=0.01)", draw: (r) => -Math.log(uniformOpen(r)) / 0.01 },
  // Signed, with exact zeros: latencies minus a baseline, say.
  { name: "signed normal×1000 with 5% zeros", draw: (r) => (r() < 0.05 ? 0 : 1000 * normal(r)) },
];
const QUANTILES = [0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

/** Exact nearest-rank quantile, the definition the sketch documents. */
function exactQuantile(sorted: number[], q: number): number {
  return sorted[quantileRank(q, sorted.length) - 1] as number;
}

function relativeError(estimate: number, exact: number): number {
  return exact === 0 ? Math.abs(estimate) : Math.abs(estimate - exact) / Math.abs(exact);
}

function sample(draw: (rand: () => number) => number, seed: number): number[] {
  const rand = prng(seed);
  return Array.from({ length: N }, () => draw(rand));
}

describe("QuantileSketch accuracy against exact nearest-rank percentiles (100k values)", () => {
  for (const [i, { name, draw }] of DISTRIBUTIONS.entries()) {
    const values = sample(draw, 1234 + i);
    const sorted = [...values].sort((a, b) => a - b);

    it(`${name}: every quantile within 1% (sketch bound 0.5%)`, () => {
      const sketch = new QuantileSketch();
      for (const v of values) sketch.add(v);
      expect(sketch.count).toBe(N);
      for (const q of QUANTILES) {
        const estimate = sketch.quantile(q) as number;
        const err = relativeError(estimate, exactQuantile(sorted, q));
        expect(err, `q=${q} estimate=${estimate} exact=${exactQuantile(sorted, q)}`).toBeLessThan(0.01);
        expect(err).toBeLessThanOrEqual(0.005 + 1e-9);
      }
    });

    it(`${name}: 10 sketches built separately, serialized, parsed and merged — same accuracy, same bins`, () => {
      const whole = new QuantileSketch();
      for (const v of values) whole.add(v);
      const merged = new QuantileSketch();
      for (let part = 0; part < 10; part++) {
        const s = new QuantileSketch();
        for (const v of values.slice(part * (N / 10), (part + 1) * (N / 10))) s.add(v);
        merged.merge(QuantileSketch.fromJSON(JSON.stringify(s.toJSON())));
      }
      expect(merged.toJSON()).toEqual(whole.toJSON());
      for (const q of QUANTILES) {
        expect(relativeError(merged.quantile(q) as number, exactQuantile(sorted, q))).toBeLessThan(0.01);
      }
    });
  }

  it("property: any finite values, any quantile, within 0.5%", () => {
    const value = fc
      .double({ min: -1e12, max: 1e12, noNaN: true, noDefaultInfinity: true })
      .map((v) => (Math.abs(v) < MIN_INDEXABLE ? 0 : v));
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 300 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (vs, q) => {
          const s = new QuantileSketch();
          for (const v of vs) s.add(v);
          const sorted = [...vs].sort((a, b) => a - b);
          return relativeError(s.quantile(q) as number, exactQuantile(sorted, q)) <= 0.005 + 1e-9;
        },
      ),
    );
  });
});

describe("QuantileSketch behaviour", () => {
  it.each([
    { values: [5], q: 0.5, expected: 5 },
    { values: [0, 0, 0], q: 0.99, expected: 0 },
    { values: [-10, 0, 10], q: 0, expected: -10 },
    { values: [-10, 0, 10], q: 0.5, expected: 0 },
    { values: [-10, 0, 10], q: 1, expected: 10 },
    { values: [1, 2, 3, 4], q: 0.5, expected: 2 }, // nearest rank: ceil(0.5·4) = 2nd
    { values: [1, 2, 3, 4], q: 0.51, expected: 3 },
  ])("$values at q=$q ≈ $expected", ({ values, q, expected }) => {
    const s = new QuantileSketch();
    for (const v of values) s.add(v);
    expect(relativeError(s.quantile(q) as number, expected)).toBeLessThanOrEqual(0.005);
  });

  it("empty sketch answers null and serializes to empty stores", () => {
    const s = new QuantileSketch();
    expect(s.quantile(0.5)).toBeNull();
    expect(s.toJSON()).toEqual({ v: 1, z: 0, p: [], n: [] });
    expect(QuantileSketch.fromJSON(s.toJSON()).count).toBe(0);
  });

  it("rejects bad input", () => {
    const s = new QuantileSketch();
    expect(() => s.add(Number.NaN)).toThrow(RangeError);
    expect(() => s.add(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => s.add(1, 0)).toThrow(RangeError);
    expect(() => s.quantile(1.5)).toThrow(RangeError);
  });

  it.each([
    ["not json", "{"],
    ["wrong version", { v: 2, z: 0, p: [], n: [] }],
    ["odd pairs", { v: 1, z: 0, p: [1], n: [] }],
    ["negative count", { v: 1, z: 0, p: [1, -1], n: [] }],
    ["fractional key", { v: 1, z: 0, p: [1.5, 1], n: [] }],
    ["null", null],
  ])("fromJSON rejects %s", (_label, input) => {
    expect(() => QuantileSketch.fromJSON(input)).toThrow(SketchFormatError);
  });

  it.each([
    ["not json", "{"],
    ["wrong version", { v: 2, z: 0, p: [], n: [] }],
    ["odd pairs", { v: 1, z: 0, p: [1], n: [] }],
    ["a bad bin after good ones", { v: 1, z: 0, p: [1, 2, 3, 4], n: [5, 1, 1, 0] }],
    ["negative zero count", { v: 1, z: -1, p: [1, 1], n: [] }],
    ["null", null],
  ])("mergeJSON rejects %s and leaves the sketch as it was", (_label, input) => {
    const s = new QuantileSketch().add(3).add(-7).add(0);
    const before = JSON.stringify(s.toJSON());
    expect(() => s.mergeJSON(input)).toThrow(SketchFormatError);
    if (typeof input === "string") expect(() => parseSketchJSON(input)).toThrow(SketchFormatError);
    else expect(() => parseSketchJSON(JSON.stringify(input))).toThrow(SketchFormatError);
    expect(JSON.stringify(s.toJSON())).toBe(before);
    expect(s.count).toBe(3);
  });

  // What a stored row merged as text must equal: the same row parsed, then merged. Bins, zeros and
  // count, from an accumulator that starts empty or holds values, through the collapse at 4096 bins.
  const sketchOf = (values: readonly number[]) => {
    const s = new QuantileSketch();
    for (const v of values) s.add(v);
    return s;
  };
  const wide = Array.from({ length: 3000 }, (_, k) => Math.exp(k * 0.0101 - 30));
  const wider = Array.from({ length: 3000 }, (_, k) => -Math.exp(k * 0.0101 - 2));
  it.each([
    { label: "into an empty sketch", into: [] as number[], rows: [[1, 2, 3]] },
    {
      label: "zeros and both signs",
      into: [0, -5, 12],
      rows: [
        [0, 0, -1e-301, 4],
        [-3, -3, 2e6],
      ],
    },
    {
      label: "the same bins again",
      into: [10, 20],
      rows: [
        [10, 20],
        [10, 20, 30],
      ],
    },
    { label: "an empty stored sketch", into: [7], rows: [[]] },
    { label: "past the 4096-bin bound (collapses as merge does)", into: wide, rows: [wide.map((v) => v * 1e9), wider] },
  ])("mergeJSON equals merging the parsed sketch: $label", ({ into, rows }) => {
    const viaText = sketchOf(into);
    const viaObject = sketchOf(into);
    const viaParsed = sketchOf(into);
    for (const row of rows) {
      const stored = JSON.stringify(sketchOf(row).toJSON());
      viaText.mergeJSON(stored);
      viaObject.mergeJSON(parseSketchJSON(stored));
      viaParsed.merge(QuantileSketch.fromJSON(stored));
    }
    for (const merged of [viaText, viaObject]) {
      expect(merged.toJSON()).toEqual(viaParsed.toJSON());
      expect(merged.count).toBe(viaParsed.count);
      for (const q of [0, 0.5, 0.95, 1]) expect(merged.quantile(q)).toBe(viaParsed.quantile(q));
    }
  });

  it("is compact: 100k lognormal values fit in a few KB of JSON", () => {
    const s = new QuantileSketch();
    for (const v of sample(DISTRIBUTIONS[0]?.draw ?? Math.random, 7)) s.add(v);
    expect(JSON.stringify(s.toJSON()).length).toBeLessThan(12_000);
  });

  it("bounds its bins by collapsing the smallest magnitudes, keeping the high quantiles exact", () => {
    const s = new QuantileSketch();
    // 6000 distinct bins: γ^k spans far more than any real metric.
    for (let k = 0; k < 6000; k++) s.add(Math.exp(k * 0.0101 - 30));
    expect(s.toJSON().p.length / 2).toBeLessThanOrEqual(4096);
    expect(s.count).toBe(6000);
    const top = Math.exp(5999 * 0.0101 - 30);
    expect(relativeError(s.quantile(1) as number, top)).toBeLessThanOrEqual(0.005);
  });
});
