/**
 * Simulation checks of the statistics' promises (issue 11), seeded (test/seeded-random.ts) and bounded
 * in time. Each rep count is the smallest that keeps the assertion several standard errors away from
 * its bound; the margin is stated next to each.
 */
import { describe, expect, it } from "vitest";
import { compareBayesian, compareFrequentist, compareWelch, cuped, type Moments, srmCheck } from "../../src/stats";
import { Accumulator, SeededRandom } from "../seeded-random";

const fixed = { confidence: 0.95, binary: false, sequential: null };
const binary = { confidence: 0.95, binary: true, sequential: null };
const bin = (x: number, n: number): Moments => ({ n, mean: x / n, variance: ((x / n) * (1 - x / n) * n) / (n - 1) });

/** Binomial pmf over 0..n by the multiplicative recurrence (n ≤ a few thousand: no underflow at these rates). */
function binomialPmf(n: number, p: number): number[] {
  const out = [(1 - p) ** n];
  for (let x = 0; x < n; x++) out.push((out[x] as number) * ((n - x) / (x + 1)) * (p / (1 - p)));
  return out;
}

/**
 * Exact coverage of a binary interval: Σ P(xc) P(xt) [interval covers pt − pc] over all outcomes, skipping
 * pairs of probability below 1e-13 (their total mass is bounded by (n + 1)² · 1e-13 < 1e-6).
 */
function exactBinaryCoverage(
  pc: number,
  pt: number,
  n: number,
  interval: (c: Moments, t: Moments) => { ci_low: number | null; ci_high: number | null },
): number {
  const wc = binomialPmf(n, pc);
  const wt = binomialPmf(n, pt);
  let covered = 0;
  wc.forEach((a, xc) => {
    wt.forEach((b, xt) => {
      if (a * b < 1e-13) return;
      const r = interval(bin(xc, n), bin(xt, n));
      if (r.ci_low !== null && r.ci_high !== null && r.ci_low <= pt - pc && pt - pc <= r.ci_high) covered += a * b;
    });
  });
  return covered;
}

describe("1. 95% intervals cover the truth 93-97% of the time", () => {
  const coverages: number[] = [];

  // Binary cells: exact enumeration, so no Monte Carlo error at all.
  it.each([
    { pc: 0.5, pt: 0.5, n: 5 },
    { pc: 0.3, pt: 0.2, n: 30 },
    { pc: 0.1, pt: 0.12, n: 500 },
    { pc: 0.05, pt: 0.07, n: 1000 },
    { pc: 0.02, pt: 0.03, n: 2000 },
  ])("binary $pc vs $pt, n = $n per arm (exact)", ({ pc, pt, n }) => {
    const c = exactBinaryCoverage(pc, pt, n, (a, b) => compareFrequentist(a, b, binary));
    coverages.push(c);
    expect(c).toBeGreaterThanOrEqual(0.93);
    expect(c).toBeLessThanOrEqual(0.97);
  });

  it("rare rates 0.001 vs 0.003, n = 300 per arm (exact): valid now, 70% before", () => {
    const c = exactBinaryCoverage(0.001, 0.003, 300, (a, b) => compareFrequentist(a, b, binary));
    const old = exactBinaryCoverage(0.001, 0.003, 300, (a, b) =>
      compareWelch(
        { count: a.n, mean: a.mean, variance: a.variance },
        { count: b.n, mean: b.mean, variance: b.variance },
      ),
    );
    coverages.push(c);
    expect(old).toBeLessThan(0.75); // FINDINGS: 69.7%
    // With 0.3 and 0.9 expected conversions per arm, 30% of experiments see none at all; an interval
    // that is valid there must be wider than the true gap of 0.002, so coverage is necessarily near 1
    // (the discreteness of the data, not a choice). What matters is that it is no longer below 95%.
    expect(c).toBeGreaterThanOrEqual(0.95);
  });

  // Continuous cells: Monte Carlo with 2,000 reps; at a true 95% the standard error is 0.0049, so
  // the [0.93, 0.97] band is ±4 SE.
  const REPS = 2000;
  const cells = [
    // Welch is conservative on the tiniest samples: 0.9655 at n = 3 per arm, 0.955 at n = 5 (400,000-rep
    // numpy reference), so n = 3 would sit one SE from 0.97; n = 5 keeps 3 SE of room.
    {
      name: "normal, n = 5 vs 5",
      nc: 5,
      nt: 5,
      draw: (r: SeededRandom, arm: number) => 10 + arm + r.normal(),
      truth: 1,
    },
    {
      name: "normal, n = 4 vs 9, sd 1 vs 3",
      nc: 4,
      nt: 9,
      draw: (r: SeededRandom, arm: number) => (arm ? 3 : 1) * r.normal(),
      truth: 0,
    },
    {
      name: "lognormal revenue, n = 500 per arm",
      nc: 500,
      nt: 500,
      draw: (r: SeededRandom, arm: number) => Math.exp(arm * 0.1 + r.normal()),
      truth: Math.exp(0.1 + 0.5) - Math.exp(0.5),
    },
    {
      name: "revenue per user: 5% buy, lognormal basket, n = 4000 per arm",
      nc: 4000,
      nt: 4000,
      draw: (r: SeededRandom, arm: number) => (r.uniform() < 0.05 ? Math.exp(3 + arm * 0.1 + 0.8 * r.normal()) : 0),
      truth: 0.05 * (Math.exp(3.1 + 0.32) - Math.exp(3 + 0.32)),
    },
  ];
  it.each(cells)("$name (Monte Carlo, 2000 reps)", (cell) => {
    const rng = new SeededRandom(11);
    const truth = cell.truth;
    let covered = 0;
    for (let rep = 0; rep < REPS; rep++) {
      const c = new Accumulator();
      const t = new Accumulator();
      for (let i = 0; i < cell.nc; i++) c.add(cell.draw(rng, 0));
      for (let i = 0; i < cell.nt; i++) t.add(cell.draw(rng, 1));
      const r = compareFrequentist(c.moments(), t.moments(), fixed);
      if ((r.ci_low as number) <= truth && truth <= (r.ci_high as number)) covered++;
    }
    const rate = covered / REPS;
    coverages.push(rate);
    expect(rate).toBeGreaterThanOrEqual(0.93);
    expect(rate).toBeLessThanOrEqual(0.97);
  });

  it("the relative lift's delta-method interval covers the true lift (lognormal revenue, 2000 reps)", () => {
    const rng = new SeededRandom(12);
    const truth = Math.exp(0.1) - 1;
    let covered = 0;
    for (let rep = 0; rep < REPS; rep++) {
      const c = new Accumulator();
      const t = new Accumulator();
      for (let i = 0; i < 1000; i++) c.add(Math.exp(rng.normal()));
      for (let i = 0; i < 1000; i++) t.add(Math.exp(0.1 + rng.normal()));
      const r = compareFrequentist(c.moments(), t.moments(), fixed);
      if ((r.lift_ci_low as number) <= truth && truth <= (r.lift_ci_high as number)) covered++;
    }
    expect(covered / REPS).toBeGreaterThanOrEqual(0.93);
    expect(covered / REPS).toBeLessThanOrEqual(0.97);
  });

  it("averaged over the whole grid, coverage is in [0.93, 0.97]", () => {
    expect(coverages.length).toBe(10);
    const mean = coverages.reduce((a, b) => a + b, 0) / coverages.length;
    console.info(`coverage grid: ${coverages.map((c) => c.toFixed(4)).join(", ")}; mean ${mean.toFixed(4)}`);
    expect(mean).toBeGreaterThanOrEqual(0.93);
    expect(mean).toBeLessThanOrEqual(0.97);
  });
});

describe("2. A/A with a look after every 100 users", () => {
  it("sequential keeps false positives ≤ 5% (Bayesian: ≤ 5% a side); fixed-horizon readings peeked at do not", () => {
    // 800 A/A experiments of 4,000 users (2,000 per arm), 40 looks each. Fixed-horizon peeking is
    // expected near 25%; sequential near 1%. At 800 reps the SE at 5% is 0.008, so "≤ 0.05" has ~5 SE
    // of room over the expected rate and "> 0.15" about 8 SE below the expected peeking rate.
    const rng = new SeededRandom(2);
    const REPS = 800;
    let fixedHits = 0;
    let seqHits = 0;
    // The Bayesian engine's rule, chance to beat control ≥ 95% or ≤ 5%, is 5% a side at one look.
    let bayesFixedHits = 0;
    let bayesSeqHits = 0;
    const bayes = { confidence: 0.95, binary: false };
    for (let rep = 0; rep < REPS; rep++) {
      const c = new Accumulator();
      const t = new Accumulator();
      let fixedFlag = false;
      let seqFlag = false;
      let bayesFixedFlag = false;
      let bayesSeqFlag = false;
      for (let look = 1; look <= 40; look++) {
        for (let i = 0; i < 50; i++) {
          c.add(10 + 3 * rng.normal());
          t.add(10 + 3 * rng.normal());
        }
        const cm = c.moments();
        const tm = t.moments();
        if (!fixedFlag && compareFrequentist(cm, tm, fixed).significant) fixedFlag = true;
        if (!seqFlag && compareFrequentist(cm, tm, { ...fixed, sequential: { tuning: 5000 } }).significant)
          seqFlag = true;
        if (!bayesFixedFlag && compareBayesian(cm, tm, bayes).significant) bayesFixedFlag = true;
        if (!bayesSeqFlag && compareBayesian(cm, tm, { ...bayes, sequential: { tuning: 5000 } }).significant)
          bayesSeqFlag = true;
      }
      if (fixedFlag) fixedHits++;
      if (seqFlag) seqHits++;
      if (bayesFixedFlag) bayesFixedHits++;
      if (bayesSeqFlag) bayesSeqHits++;
    }
    console.info(`A/A peeking, Bayesian: fixed-horizon ${bayesFixedHits / REPS}, sequential ${bayesSeqHits / REPS}`);
    expect(bayesSeqHits / REPS).toBeLessThanOrEqual(0.1);
    expect(bayesFixedHits / REPS).toBeGreaterThan(0.25);
    console.info(`A/A peeking: fixed-horizon ${fixedHits / REPS}, sequential ${seqHits / REPS}`);
    expect(seqHits / REPS).toBeLessThanOrEqual(0.05);
    expect(fixedHits / REPS).toBeGreaterThan(0.15);
  });
});

describe("3. CUPED removes the share of variance the pre-period explains (ρ²)", () => {
  it.each([
    { rho: 0.7, expected: 0.49 },
    { rho: 0.4, expected: 0.16 },
    { rho: 0, expected: 0 },
  ])("ρ = $rho: variance reduction ≈ $expected", ({ rho, expected }) => {
    // 300 experiments of 1,000 users per arm. The reported reduction has an SE of about 0.02 per
    // experiment at ρ = 0.7, so its mean over 300 is within ±0.01 of ρ². The realised variance of the
    // adjusted difference over the raw one is checked to ±0.1 (its SE at 300 reps is about 0.03).
    const rng = new SeededRandom(3);
    const REPS = 300;
    let reductionSum = 0;
    const raw: number[] = [];
    const adjusted: number[] = [];
    for (let rep = 0; rep < REPS; rep++) {
      const arms = [0, 1].map((arm) => {
        let n = 0;
        let sx = 0;
        let sy = 0;
        let sxx = 0;
        let syy = 0;
        let sxy = 0;
        for (let i = 0; i < 1000; i++) {
          const x = rng.normal();
          const y = 5 + 0.2 * arm + rho * x + Math.sqrt(1 - rho * rho) * rng.normal();
          n++;
          sx += x;
          sy += y;
          sxx += x * x;
          syy += y * y;
          sxy += x * y;
        }
        return {
          n,
          mean: sy / n,
          variance: (syy - (sy * sy) / n) / (n - 1),
          meanX: sx / n,
          varianceX: (sxx - (sx * sx) / n) / (n - 1),
          covarianceXY: (sxy - (sx * sy) / n) / (n - 1),
        };
      });
      const r = cuped(arms);
      reductionSum += r.variance_reduction as number;
      raw.push((arms[1]?.mean as number) - (arms[0]?.mean as number));
      adjusted.push((r.arms[1]?.mean as number) - (r.arms[0]?.mean as number));
    }
    const variance = (xs: number[]) => {
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      return xs.reduce((a, b) => a + (b - m) * (b - m), 0) / (xs.length - 1);
    };
    expect(reductionSum / REPS).toBeCloseTo(expected, 1);
    expect(Math.abs(reductionSum / REPS - expected)).toBeLessThan(0.01);
    expect(Math.abs(1 - variance(adjusted) / variance(raw) - expected)).toBeLessThan(0.1);
  });
});

describe("4. SRM false alarms under correct bucketing", () => {
  it.each([
    { share: 0.01, limit: 0.002 },
    { share: 0.1, limit: 0.002 },
  ])("split $share / rest, every n from 1 to 1000 (exact enumeration): worst rate ≤ $limit", ({ share, limit }) => {
    let worst = 0;
    for (let n = 1; n <= 1000; n++) {
      const pmf = binomialPmf(n, share);
      let alarm = 0;
      pmf.forEach((w, x) => {
        // Outcomes below 1e-15 are skipped: at most 1001 of them, < 1e-12 of probability in all.
        if (w >= 1e-15 && srmCheck([x, n - x], [share, 1 - share]).mismatch) alarm += w;
      });
      worst = Math.max(worst, alarm);
    }
    console.info(`SRM ${share}: worst false-alarm rate over n = 1..1000 is ${worst.toExponential(3)}`);
    expect(worst).toBeLessThanOrEqual(limit);
  });
});
