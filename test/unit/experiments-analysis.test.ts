import { describe, expect, it } from "vitest";
import { type AnalysisInput, buildAnalysis, type MetricData, servedShares } from "../../src/experiments/analysis";
import {
  type ArmSums,
  armMoments,
  binomialReading,
  MIN_SHIFT_SAMPLE,
  nearestRank,
  percentileOffset,
  sampleShifts,
  valueReading,
} from "../../src/experiments/analysis-moments";
import { DEFAULT_ANALYSIS_SETTINGS } from "../../src/experiments/analysis-settings";
import { buildTimeseries } from "../../src/experiments/timeseries";
import { adjustPValues, compareBayesian, compareFrequentist, cuped, srmCheck } from "../../src/stats";

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: number[]) => {
  const m = mean(xs);
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
};
const covariance = (xs: number[], ys: number[]) => {
  const mx = mean(xs);
  const my = mean(ys);
  return xs.reduce((a, x, i) => a + (x - mx) * ((ys[i] as number) - my), 0) / (xs.length - 1);
};

/** What USER_MOMENTS_SQL returns for users with rows: sums of shifted values. */
function sqlSums(ys: number[], xs: number[], shiftY = 0, shiftX = 0): ArmSums {
  const dy = ys.map((y) => y - shiftY);
  const dx = xs.map((x) => x - shiftX);
  return {
    users: ys.length,
    sum: ys.reduce((a, b) => a + b, 0),
    sumD: dy.reduce((a, b) => a + b, 0),
    sumD2: dy.reduce((a, b) => a + b * b, 0),
    min: ys.length ? Math.min(...ys) : null,
    max: ys.length ? Math.max(...ys) : null,
    sumXD: dx.reduce((a, b) => a + b, 0),
    sumXD2: dx.reduce((a, b) => a + b * b, 0),
    sumXYD: dx.reduce((a, x, i) => a + x * (dy[i] as number), 0),
  };
}

describe("armMoments: users with rows plus exposed users without (value 0)", () => {
  it.each([
    { ys: [3, 5, 1], xs: [1, 0, 2], zeros: 0, shiftY: 0 },
    { ys: [3, 5, 1], xs: [1, 0, 2], zeros: 4, shiftY: 0 },
    { ys: [3, 5, 1], xs: [1, 0, 2], zeros: 4, shiftY: 1.5 },
    { ys: [10], xs: [0], zeros: 2, shiftY: 3 },
  ])("matches the moments of the full list ($zeros zeros, shift $shiftY)", ({ ys, xs, zeros, shiftY }) => {
    const n = ys.length + zeros;
    const m = armMoments(n, sqlSums(ys, xs, shiftY, 0), shiftY, 0);
    const allY = [...ys, ...Array(zeros).fill(0)];
    const allX = [...xs, ...Array(zeros).fill(0)];
    expect(m.n).toBe(n);
    expect(m.mean + shiftY).toBeCloseTo(mean(allY), 12);
    expect(m.variance).toBeCloseTo(variance(allY), 12);
    expect(m.meanX).toBeCloseTo(mean(allX), 12);
    expect(m.varianceX).toBeCloseTo(variance(allX), 12);
    expect(m.covarianceXY).toBeCloseTo(covariance(allX, allY), 12);
    expect([m.min, m.max, m.sum]).toEqual([Math.min(...allY), Math.max(...allY), ys.reduce((a, b) => a + b, 0)]);
  });

  it.each([
    { value: 0.1, shift: 0.3, n: 1000 },
    { value: 9.99, shift: 19.99, n: 12345 },
    { value: 1.7e12 + 0.1, shift: 1.7e12, n: 5000 },
    { value: -2.5e-3, shift: 7.25, n: 777 },
  ])(
    "a constant arm ($n × $value, shift $shift) has zero variance from its sums alone, as the daily series has no min or max",
    ({ value, shift, n }) => {
      // The sums as a running total adds them (SQLite's TOTAL compensates; this does not, so it is the harder case).
      let sumD = 0;
      let sumD2 = 0;
      for (let i = 0; i < n; i++) {
        sumD += value - shift;
        sumD2 += (value - shift) * (value - shift);
      }
      const sums = { users: n, sum: value * n, sumD, sumD2, min: null, max: null, sumXD: 0, sumXD2: 0, sumXYD: 0 };
      const unbounded = { ...sums, min: Number.NEGATIVE_INFINITY, max: Number.POSITIVE_INFINITY };
      expect(armMoments(n, unbounded, shift, 0).variance).toBe(0);
    },
  );

  // The analysis shifts by the pooled median, so a small spread sits near the shift and is kept.
  // (A spread below the rounding of Σd² itself, 1e6 ± 1e-3 summed unshifted, cannot be recovered
  // from the sums at all: it read as noise before this rule and reads as 0 now.)
  it.each([
    { ys: [100, 100.001, 99.999], shift: 0 },
    { ys: [1e6 + 1e-3, 1e6, 1e6 + 2e-3], shift: 1e6 },
    { ys: [0.1, 0.1, 0.1000001], shift: 0.1 },
    { ys: [1.7e12 + 0.001, 1.7e12, 1.7e12 + 0.002], shift: 1.7e12 },
  ])("keeps a small real spread ($ys, shift $shift)", ({ ys, shift }) => {
    const unbounded = {
      ...sqlSums(ys, [0, 0, 0], shift),
      min: Number.NEGATIVE_INFINITY,
      max: Number.POSITIVE_INFINITY,
    };
    const m = armMoments(3, unbounded, shift, 0);
    expect(m.variance).toBeGreaterThan(0);
    expect(m.variance).toBeCloseTo(variance(ys), 9);
  });

  it("an arm nobody reached has n = 0 and no min or max", () => {
    expect(armMoments(0, undefined, 5, 0)).toMatchObject({ n: 0, mean: 0, variance: 0, min: null, max: null, sum: 0 });
  });

  it("keeps the spread of values near 1.7e12 when shifted (FINDINGS: 1.7e12 + N(0, 1))", () => {
    const ys = [0, 1, 3, 2, 4].map((d) => 1.7e12 + d);
    const shift = 1.7e12 + 2;
    const m = armMoments(5, sqlSums(ys, [0, 0, 0, 0, 0], shift), shift, 0);
    expect(m.variance).toBe(2.5);
    expect(m.mean).toBe(0);
  });

  it("a constant arm has exactly zero spread", () => {
    expect(armMoments(3, sqlSums([0.1, 0.1, 0.1], [0, 0, 0]), 0, 0).variance).toBe(0);
  });
});

describe("percentile caps: nearest rank over every exposed user", () => {
  it.each([
    [0.8, 10, 7],
    [0.99, 10, 9],
    [0.5, 10, 4],
    [0.01, 10, 0],
    [0.5, 1, 0],
  ])("nearestRank(%d, %d) = %d", (q, n, k) => expect(nearestRank(q, n)).toBe(k));

  it("places the rank among negatives, implicit zeros, or the stored values above them", () => {
    // Stored per-user values −4, 2, 3, 5, 7, 9, 100, 1000 (1 negative) and 2 users without rows.
    expect(percentileOffset(0.8, 10, 8, 1)).toBe(5); // pooled 8th of 10 → stored index 5 (9)
    expect(percentileOffset(0.1, 10, 8, 1)).toBe(0); // −4
    expect(percentileOffset(0.25, 10, 8, 1)).toBe("zero");
    expect(percentileOffset(0.5, 0, 0, 0)).toBeNull();
  });
});

describe("sampleShifts: the shift of each metric's one pass", () => {
  const sample = (metric: string, values: number[]) => values.map((v) => ({ metric_name: metric, v }));
  const sixteen = Array.from({ length: MIN_SHIFT_SAMPLE }, (_, i) => i); // 0..15
  it.each([
    ["too few values: no shift (the SQL takes the exact mean)", sample("m", [1, 2, 3]), undefined],
    ["the upper median of an even count", sample("m", sixteen), 8],
    ["an outlier does not move it", sample("m", [...sixteen.slice(1), -1e12]), 8],
    ["unsorted input", sample("m", [...sixteen].reverse()), 8],
  ])("%s", (_, rows, shift) => expect(sampleShifts(rows).get("m")).toBe(shift));

  it("keeps metrics apart", () => {
    const shifts = sampleShifts([
      ...sample("a", sixteen),
      ...sample(
        "b",
        sixteen.map((v) => v + 100),
      ),
      ...sample("c", [5]),
    ]);
    expect([...shifts]).toEqual([
      ["a", 8],
      ["b", 108],
    ]);
  });
});

describe("valueReading / binomialReading: one pass's rows to per-arm sums", () => {
  const valueRow = (variant: string | null, ys: number[], xs: number[], shift: number, rows: number, pre: number) => ({
    variant_id: variant,
    ...sqlSums(ys, xs, shift, 0),
    negatives: ys.filter((y) => y < 0).length,
    postRows: rows,
    preRows: pre,
    shift,
  });

  it("sums exposed arms, keeps unexposed users' rows for data quality only", () => {
    const r = valueReading([
      valueRow("c", [1, -2, 3], [0, 1, 0], 1, 4, 1),
      valueRow("t", [5], [2], 1, 2, 3),
      valueRow(null, [7, 8], [0, 0], 1, 6, 0),
    ]);
    expect(r.shift).toBe(1);
    expect(r.users).toBe(4);
    expect(r.sum).toBe(7);
    expect(r.negatives).toBe(1);
    expect(r.unexposedRows).toBe(6);
    expect(r.preRows).toBe(4);
    expect([...r.arms.keys()]).toEqual(["c", "t"]);
    // The arm's sums are the SQL's, and armMoments reads them as before.
    const m = armMoments(3, r.arms.get("c"), r.shift, 0);
    expect(m.mean + r.shift).toBeCloseTo(mean([1, -2, 3]), 12);
    expect(m.variance).toBeCloseTo(variance([1, -2, 3]), 12);
    expect(m.covarianceXY).toBeCloseTo(covariance([0, 1, 0], [1, -2, 3]), 12);
  });

  it("reads flags as 0/1 values: sums are the positive counts", () => {
    const r = binomialReading([
      { variant_id: "c", users: 4, positives: 4, prePositives: 1, bothPositive: 1, postRows: 9, preRows: 2 },
      { variant_id: "t", users: 3, positives: 0, prePositives: 0, bothPositive: 0, postRows: 3, preRows: 0 },
      { variant_id: null, users: 2, positives: 1, prePositives: 0, bothPositive: 0, postRows: 5, preRows: 0 },
    ]);
    expect(r.shift).toBe(0);
    expect(r.unexposedRows).toBe(5);
    expect(r.preRows).toBe(2);
    // The same sums a 0/1 value per user gives: c = [1, 1, 1, 1] with X = [1, 0, 0, 0], t = [0, 0, 0].
    expect(r.arms.get("c")).toEqual(sqlSums([1, 1, 1, 1], [1, 0, 0, 0]));
    expect(r.arms.get("t")).toEqual(sqlSums([0, 0, 0], [0, 0, 0]));
  });
});

describe("servedShares: the buckets each variant really gets", () => {
  it.each([
    [100, [50, 50], [0.5, 0.5]],
    [0.5, [33, 33, 34], [1 / 3, 1 / 3, 1 / 3]], // FINDINGS: 17/17/17 buckets at 0.5% coverage
    [0.25, [10, 90], [3 / 26, 23 / 26]], // FINDINGS: 3/23
    [100, [0, 100], [0, 1]],
  ])("coverage %d, split %j", (coverage, split, shares) => {
    const got = servedShares(coverage, split);
    got.forEach((g, i) => {
      expect(g).toBeCloseTo(shares[i] as number, 14);
    });
  });
});

const variants = [
  { id: "c", variant_type: "control" as const, traffic_percentage: 50 },
  { id: "t", variant_type: "treatment" as const, traffic_percentage: 50 },
];

function metric(key: string, role: MetricData["role"], c: number[], t: number[], extra: Partial<MetricData> = {}) {
  return {
    spec: {
      key,
      name: key,
      defined: true,
      kind: "mean",
      direction: "increase",
      format: "number",
      currency: null,
      capping: null,
    },
    role,
    cap: null,
    shiftY: 0,
    shiftX: 0,
    arms: new Map([
      [
        "c",
        sqlSums(
          c,
          c.map(() => 0),
        ),
      ],
      [
        "t",
        sqlSums(
          t,
          t.map(() => 0),
        ),
      ],
    ]),
    ...extra,
  } satisfies MetricData;
}

const input = (metrics: MetricData[], extra: Partial<AnalysisInput> = {}): AnalysisInput => ({
  experimentId: "e",
  status: "running",
  variants,
  coverage: 100,
  exposures: new Map([
    ["c", 10],
    ["t", 10],
  ]),
  settings: DEFAULT_ANALYSIS_SETTINGS,
  plannedUsersPerVariant: null,
  startedAt: null,
  completedAt: null,
  now: 0,
  metrics,
  dataQuality: { unexposed_results: 0, anonymous_results: 0, pre_exposure_results: 0 },
  ...extra,
});

const C = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const T = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
const T2 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11];
const FAR = C.map((v) => v + 6);

describe("buildAnalysis", () => {
  it("orders metrics primary, secondary, guardrail, other; corrects only primary and secondary", () => {
    const out = buildAnalysis(
      input(
        [
          metric("z_other", "other", C, T),
          metric("guard", "guardrail", C, T),
          metric("second", "secondary", C, T2),
          metric("main", "primary", C, T),
        ],
        { settings: { ...DEFAULT_ANALYSIS_SETTINGS, correction: "holm" } },
      ),
    );
    expect(out.metrics.map((m) => m.metric_name)).toEqual(["main", "second", "guard", "z_other"]);
    const p = (name: string) => out.metrics.find((m) => m.metric_name === name)?.comparisons[0];
    const family = [p("main")?.p_value ?? null, p("second")?.p_value ?? null];
    const adjusted = adjustPValues(family, "holm");
    expect(p("main")?.p_value_adjusted).toBe(adjusted[0]);
    expect(p("second")?.p_value_adjusted).toBe(adjusted[1]);
    expect(p("guard")?.p_value_adjusted).toBe(p("guard")?.p_value);
    expect(p("z_other")?.p_value_adjusted).toBe(p("z_other")?.p_value);
  });

  it("reads the verdict by direction; a guardrail that gets worse fails", () => {
    const lower = (m: MetricData): MetricData => ({ ...m, spec: { ...m.spec, direction: "decrease" } });
    const out = buildAnalysis(
      input([
        metric("up", "primary", C, FAR),
        lower(metric("down", "secondary", C, FAR)),
        lower(metric("g", "guardrail", C, FAR)),
      ]),
    );
    const verdict = (name: string) => out.metrics.find((m) => m.metric_name === name)?.comparisons[0]?.verdict;
    expect(out.metrics[0]?.comparisons[0]?.significant).toBe(true);
    expect([verdict("up"), verdict("down"), verdict("g")]).toEqual(["winning", "losing", "guardrail_failed"]);
  });

  it("delegates each comparison to the statistics with the engine's options", () => {
    const settings = { ...DEFAULT_ANALYSIS_SETTINGS, engine: "bayesian" as const, confidence_level: 0.9 };
    const out = buildAnalysis(input([metric("m", "primary", C, T)], { settings }));
    const c = { n: 10, mean: mean(C), variance: variance(C) };
    const t = { n: 10, mean: mean(T), variance: variance(T) };
    const f = compareFrequentist(c, t, { confidence: 0.9, binary: false, sequential: null, shift: 0 });
    const b = compareBayesian(c, t, { confidence: 0.9, binary: false, shift: 0 });
    const got = out.metrics[0]?.comparisons[0];
    expect(got?.difference).toBeCloseTo(f.difference ?? Number.NaN, 12);
    expect(got?.p_value).toBeCloseTo(f.p_value ?? Number.NaN, 12);
    expect(got?.chance_to_beat_control).toBe(b.chance_to_beat_control);
    expect(got?.expected_loss).toBe(b.expected_loss);
    expect([got?.credible_low, got?.credible_high]).toEqual([b.credible_low, b.credible_high]);
    // Every interval is the posterior's, not the frequentist one beside it (outside check, 2026-12-04).
    expect([got?.lift_ci_low, got?.lift_ci_high]).toEqual([b.credible_low, b.credible_high]);
    expect([got?.ci_low, got?.ci_high]).toEqual([b.ci_low, b.ci_high]);
    expect(got?.lift_ci_low).not.toBeCloseTo(f.lift_ci_low ?? Number.NaN, 6);
    expect(got?.significant).toBe((b.chance_to_beat_control ?? 0) >= 0.9);
  });

  it("Bayesian: the lift's interval is the credible one and the difference's the flat-prior posterior (scipy)", () => {
    // 40 users per arm; reference: scipy 1.17, diff ± norm.ppf(0.975)·se and lift ± z·(delta-method se).
    const c = Array.from({ length: 40 }, (_, i) => 10 + (i % 10));
    const t = Array.from({ length: 40 }, (_, i) => 11 + (i % 10) + (i % 3));
    const settings = { ...DEFAULT_ANALYSIS_SETTINGS, engine: "bayesian" as const };
    const exposures = new Map([
      ["c", 40],
      ["t", 40],
    ]);
    const got = buildAnalysis(input([metric("m", "primary", c, t)], { settings, exposures })).metrics[0]
      ?.comparisons[0];
    expect(got?.ci_low).toBeCloseTo(0.6715257101744705, 12);
    expect(got?.ci_high).toBeCloseTo(3.2784742898255326, 12);
    expect(got?.lift_ci_low).toBeCloseTo(0.040260790340686456, 12);
    expect(got?.lift_ci_high).toBeCloseTo(0.23215300276276202, 12);
    expect(got?.credible_low).toBe(got?.lift_ci_low);
    expect(got?.chance_to_beat_control).toBeCloseTo(0.9973020898138372, 12);
  });

  it("CUPED on a binomial metric compares the adjusted values as a mean, even when adjusted counts are whole (scipy)", () => {
    // 200 users per arm, 30% converted before exposure in both arms: the adjusted means (0.40, 0.45)
    // times 200 are whole numbers, which sent the comparison back to raw counts (Newcombe p 0.3117).
    // Reference: scipy.stats.ttest_ind(equal_var=False) on each user's Y − θ(X − mean X).
    const x = (i: number) => (i % 10 < 3 ? 1 : 0);
    const y = (treat: boolean, i: number) =>
      x(i) === 1 ? (i % 10 < 5 ? 1 : 0) : i % 10 === 9 || (treat && i % 20 === 8) ? 1 : 0;
    const idx = Array.from({ length: 200 }, (_, i) => i);
    const xs = idx.map(x);
    const m: MetricData = {
      ...metric("conv", "primary", [], []),
      spec: { ...metric("conv", "primary", [], []).spec, kind: "binomial" },
      arms: new Map([
        [
          "c",
          sqlSums(
            idx.map((i) => y(false, i)),
            xs,
          ),
        ],
        [
          "t",
          sqlSums(
            idx.map((i) => y(true, i)),
            xs,
          ),
        ],
      ]),
    };
    const exposures = new Map([
      ["c", 200],
      ["t", 200],
    ]);
    const frequentist = buildAnalysis(
      input([m], { settings: { ...DEFAULT_ANALYSIS_SETTINGS, cuped: true }, exposures }),
    ).metrics[0];
    expect(frequentist?.cuped.applied).toBe(true);
    expect(frequentist?.cuped.theta).toBeCloseTo(0.8214285714285727, 12);
    const got = frequentist?.comparisons[0];
    expect(got?.p_value).toBeCloseTo(0.11928349093218134, 9);
    expect(got?.ci_low).toBeCloseTo(-0.012966012019996503, 9);
    expect(got?.ci_high).toBeCloseTo(0.11296601201999648, 9);
    expect(got?.chance_to_beat_control).toBeCloseTo(0.9403582545339093, 9);
  });

  it("applies CUPED when asked, with the pooled theta of the statistics module", () => {
    const xc = [1, 2, 2, 4, 5, 5, 7, 8, 8, 10];
    const xt = [2, 3, 5, 5, 6, 8, 9, 9, 11, 12];
    const m: MetricData = {
      ...metric("m", "primary", C, T),
      arms: new Map([
        ["c", sqlSums(C, xc)],
        ["t", sqlSums(T, xt)],
      ]),
    };
    const off = buildAnalysis(input([m]));
    expect(off.metrics[0]?.cuped).toMatchObject({ applied: false, theta: null });
    const on = buildAnalysis(input([m], { settings: { ...DEFAULT_ANALYSIS_SETTINGS, cuped: true } }));
    const arm = (ys: number[], xs: number[]) => ({
      n: 10,
      mean: mean(ys),
      variance: variance(ys),
      meanX: mean(xs),
      varianceX: variance(xs),
      covarianceXY: covariance(xs, ys),
    });
    const expected = cuped([arm(C, xc), arm(T, xt)]);
    expect(on.metrics[0]?.cuped.applied).toBe(true);
    expect(on.metrics[0]?.cuped.theta).toBeCloseTo(expected.theta ?? Number.NaN, 12);
    expect(on.metrics[0]?.cuped.variance_reduction).toBeCloseTo(expected.variance_reduction ?? Number.NaN, 12);
    expect(on.metrics[0]?.variants[0]?.adjusted_mean).toBeCloseTo(expected.arms[0]?.mean ?? Number.NaN, 12);
    expect(on.metrics[0]?.comparisons[0]?.ci_high).not.toBe(off.metrics[0]?.comparisons[0]?.ci_high);
  });

  it("SRM on served buckets, power progress and days running", () => {
    const out = buildAnalysis(
      input([], {
        exposures: new Map([
          ["c", 30],
          ["t", 45],
        ]),
        plannedUsersPerVariant: 60,
        startedAt: 0,
        now: 3 * 86_400_000,
      }),
    );
    expect(out.srm).toEqual(srmCheck([30, 45], [0.5, 0.5]));
    expect(out.power).toEqual({ planned_users_per_variant: 60, progress: 0.5, days_running: 3 });
  });
});

describe("buildTimeseries", () => {
  // The deltas are sums of (value − shift) over the users with rows: a user enters with (y − k) and
  // (y − k)², a later rise adds (y − k)² − (prev − k)². Any shift gives the same series.
  it.each([0, 15, 100])("adds day-by-day changes into cumulative means and lifts (shift %s)", (k) => {
    const spec = metric("m", "primary", [], []).spec;
    const sq = (v: number) => (v - k) * (v - k);
    const out = buildTimeseries({
      startDay: 20_000,
      lastDay: 20_002,
      variants,
      exposuresByDay: [
        { variant_id: "c", day: 0, users: 2 },
        { variant_id: "t", day: 0, users: 2 },
        { variant_id: "c", day: 1, users: 2 },
      ],
      deltas: [
        // c: users 10 and 20 on day 0; on day 2 the first rises to 30. Two users of c never send.
        { variant_id: "c", day: 0, dRows: 2, dSumD: 10 - k + (20 - k), dSumD2: sq(10) + sq(20) },
        { variant_id: "c", day: 2, dRows: 0, dSumD: 20, dSumD2: sq(30) - sq(10) },
        { variant_id: "t", day: 0, dRows: 2, dSumD: 20 - k + (30 - k), dSumD2: sq(20) + sq(30) },
      ],
      spec,
      settings: DEFAULT_ANALYSIS_SETTINGS,
      shift: k,
    });
    expect(out.items.map((i) => i.date)).toEqual(["2024-10-04", "2024-10-05", "2024-10-06"]);
    expect(out.items.map((i) => i.variants.map((v) => [v.users, v.mean]))).toEqual(
      [
        [
          [2, 15],
          [2, 25],
        ],
        [
          [4, 7.5],
          [2, 25],
        ],
        [
          [4, 12.5],
          [2, 25],
        ],
      ].map((day) => day.map(([users, mean]) => [users, expect.closeTo(mean as number, 12)])),
    );
    const last = compareFrequentist(
      { n: 4, mean: 12.5, variance: variance([30, 20, 0, 0]) },
      { n: 2, mean: 25, variance: variance([20, 30]) },
      { confidence: 0.95, binary: false, sequential: null },
    );
    const got = out.items[2]?.comparisons[0];
    expect(got?.variant_id).toBe("t");
    for (const field of ["relative_lift", "lift_ci_low", "lift_ci_high"] as const) {
      const want = last[field];
      if (want === null) expect(got?.[field]).toBeNull();
      else expect(got?.[field]).toBeCloseTo(want, 12);
    }
  });
  it("with the Bayesian engine, each day's lift interval is the credible one, as on the results page", () => {
    const spec = metric("m", "primary", [], []).spec;
    const settings = { ...DEFAULT_ANALYSIS_SETTINGS, engine: "bayesian" as const };
    const c = [10, 20, 14, 18];
    const t = [20, 30, 26, 21];
    const sumsOf = (ys: number[]) => ({
      dRows: ys.length,
      dSumD: ys.reduce((a, b) => a + b, 0),
      dSumD2: ys.reduce((a, b) => a + b * b, 0),
    });
    const out = buildTimeseries({
      startDay: 20_000,
      lastDay: 20_000,
      variants,
      exposuresByDay: [
        { variant_id: "c", day: 0, users: 4 },
        { variant_id: "t", day: 0, users: 4 },
      ],
      deltas: [
        { variant_id: "c", day: 0, ...sumsOf(c) },
        { variant_id: "t", day: 0, ...sumsOf(t) },
      ],
      spec,
      settings,
      shift: 0,
    });
    const arm = (ys: number[]) => ({ n: ys.length, mean: mean(ys), variance: variance(ys) });
    const want = compareBayesian(arm(c), arm(t), { confidence: 0.95, binary: false });
    const page = buildAnalysis(
      input([metric("m", "primary", c, t)], {
        settings,
        exposures: new Map([
          ["c", 4],
          ["t", 4],
        ]),
      }),
    ).metrics[0]?.comparisons[0];
    const got = out.items[0]?.comparisons[0];
    for (const field of ["relative_lift", "lift_ci_low", "lift_ci_high"] as const) {
      expect(got?.[field]).toBeCloseTo(want[field] as number, 12);
      expect(got?.[field]).toBeCloseTo(page?.[field] as number, 12);
    }
    expect(got?.lift_ci_low).toBeCloseTo(want.credible_low as number, 12);
  });
  it.each([0, 4])(
    "with CUPED on, adjusts each day from the covariate sums; a day with under 3 users is not adjusted (shift %s)",
    (k) => {
      const spec = metric("m", "primary", [], []).spec;
      /** The first-day deltas of users entering with (x, y), as the SQL gives them with shift k. */
      const enter = (variant_id: string, day: number, users: { x: number; y: number }[]) => ({
        variant_id,
        day,
        dRows: users.length,
        dSumD: users.reduce((a, u) => a + (u.y - k), 0),
        dSumD2: users.reduce((a, u) => a + (u.y - k) ** 2, 0),
        dSumXYWith: users.reduce((a, u) => a + u.x * (u.y - k), 0),
        dSumXWith: users.reduce((a, u) => a + u.x, 0),
      });
      // c: a (x 1, y 2, day 0), b (x 3, y 5, day 1), f (x 5, exposed day 1, never sends: y 0);
      // t: d (x 2, y 4, day 0), e (x 4, y 9, day 1).
      const out = buildTimeseries({
        startDay: 20_000,
        lastDay: 20_001,
        variants,
        exposuresByDay: [
          { variant_id: "c", day: 0, users: 1, sumX: 1, sumX2: 1 },
          { variant_id: "t", day: 0, users: 1, sumX: 2, sumX2: 4 },
          { variant_id: "c", day: 1, users: 2, sumX: 3 + 5, sumX2: 9 + 25 },
          { variant_id: "t", day: 1, users: 1, sumX: 4, sumX2: 16 },
        ],
        deltas: [
          enter("c", 0, [{ x: 1, y: 2 }]),
          enter("t", 0, [{ x: 2, y: 4 }]),
          enter("c", 1, [{ x: 3, y: 5 }]),
          enter("t", 1, [{ x: 4, y: 9 }]),
        ],
        spec,
        settings: { ...DEFAULT_ANALYSIS_SETTINGS, cuped: true },
        shift: k,
      });
      expect(out.items[0]?.variants.map((v) => [v.mean, v.adjusted_mean])).toEqual([
        [expect.closeTo(2, 12), null],
        [expect.closeTo(4, 12), null],
      ]);
      const arm = (x: number[], y: number[]) => ({
        n: y.length,
        mean: y.reduce((a, b) => a + b, 0) / y.length,
        variance: variance(y),
        meanX: x.reduce((a, b) => a + b, 0) / x.length,
        varianceX: variance(x),
        covarianceXY: covariance(x, y),
      });
      const want = cuped([arm([1, 3, 5], [2, 5, 0]), arm([2, 4], [4, 9])]);
      expect(want.theta).not.toBeNull();
      const day1 = out.items[1];
      day1?.variants.forEach((v, i) => {
        expect(v.adjusted_mean).toBeCloseTo(want.arms[i]?.mean as number, 12);
      });
      const c = compareFrequentist(want.arms[0] as (typeof want.arms)[0], want.arms[1] as (typeof want.arms)[0], {
        confidence: 0.95,
        binary: false,
        sequential: null,
      });
      for (const field of ["relative_lift", "lift_ci_low", "lift_ci_high"] as const) {
        expect(day1?.comparisons[0]?.[field]).toBeCloseTo(c[field] as number, 12);
      }
    },
  );
});
