import { describe, expect, it } from "vitest";
import {
  coarsestNeeded,
  MAX_GROUPED_POINTS,
  MAX_TAGGED_ROWS,
  type ReadSize,
  taggedRead,
} from "../../src/streaming/group-budget";
import { bucketsRead, planQuery, seriesLength } from "../../src/streaming/rollup";
import { WINDOWS } from "../../web/src/live/url-state";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 7);
const DAY = 86_400;
const at = (windowSeconds: number, stepSeconds?: number, coarse?: boolean) =>
  planQuery({
    windowSeconds,
    now: T0,
    ...(stepSeconds === undefined ? {} : { stepSeconds }),
    ...(coarse ? { coarse } : {}),
  });
const points = (windowSeconds: number, stepSeconds?: number, coarse?: boolean) =>
  seriesLength(at(windowSeconds, stepSeconds, coarse));
const buckets = (windowSeconds: number, stepSeconds?: number, coarse?: boolean) =>
  bucketsRead(at(windowSeconds, stepSeconds, coarse));
const read = (windowSeconds: number, stepSeconds: number | undefined, size: ReadSize) =>
  taggedRead({ windowSeconds, now: T0, ...(stepSeconds === undefined ? {} : { stepSeconds }) }, size);

/** Groups and tag sets both 1000: group_by=u over a metric at the tag-set bound. */
const perSet = { groups: 1000, tagSets: 1000 };
/** group_by=region over the same metric: two groups, every tag set read. */
const regions = { groups: 2, tagSets: 1000 };
/** tag.region=a: half the sets, no groups. */
const half = { groups: 0, tagSets: 500 };

describe("tagged read budget (groups × points per series, tag sets × buckets)", () => {
  it("counts the buckets a plan can read, not those past the retention", () => {
    expect(buckets(3600, 10)).toBe(361);
    expect(buckets(604_800)).toBe(169);
    // 400 days at hourly buckets name 9601, of which the default 90-day retention keeps 2161.
    expect(Math.floor((at(400 * DAY).to - at(400 * DAY).from) / 3_600_000) + 1).toBe(9601);
    expect(buckets(400 * DAY)).toBe(2161);
    // `coarse` lets the buckets follow the step past W/30.
    expect(at(3600, 300).resolution_ms).toBe(10_000);
    expect(at(3600, 300, true).resolution_ms).toBe(300_000);
    expect(buckets(3600, 300, true)).toBe(13);
  });

  it.each([
    ["a grouped read that fits, explicit step", 3600, 10, { groups: 3, tagSets: 3 }, { stepSeconds: 10 }],
    ["a grouped read that fits, default step", 3600, undefined, { groups: 300, tagSets: 300 }, {}],
    [
      "a huge window over few tag sets (the retention keeps 2161 buckets each)",
      400 * DAY,
      10,
      { groups: 0, tagSets: 70 },
      { stepSeconds: 10 },
    ],
    ["ungrouped, unfiltered (no tag set read)", 400 * DAY, 10, { groups: 0, tagSets: 0 }, { stepSeconds: 10 }],
    [
      "tag.region=a over an hour, default step: coarsened to 5-minute buckets",
      3600,
      undefined,
      half,
      { stepSeconds: 300, coarse: true },
    ],
    ["group_by=region over an hour, default step", 3600, undefined, regions, { stepSeconds: 300, coarse: true }],
    ["group_by=u over an hour, default step", 3600, undefined, perSet, { stepSeconds: 300, coarse: true }],
    [
      "an explicit step whose usual buckets are too many reads coarser ones",
      3600,
      300,
      half,
      { stepSeconds: 300, coarse: true },
    ],
    [
      "group_by=region over 24 hours, default step: hourly buckets",
      DAY,
      undefined,
      regions,
      { stepSeconds: 3600, coarse: true },
    ],
    ["group_by=region over 7 days: 169 hourly buckets × 1000, just within", 7 * DAY, undefined, regions, {}],
  ] as const)("reads %s", (_label, windowSeconds, stepSeconds, size, expected) => {
    const verdict = read(windowSeconds, stepSeconds, size);
    expect(verdict).toEqual({ ok: true, read: { stepSeconds: undefined, ...expected } });
    if (!verdict.ok) return;
    const options = { windowSeconds, now: T0, ...verdict.read };
    expect(size.groups * seriesLength(planQuery(options))).toBeLessThanOrEqual(MAX_GROUPED_POINTS);
    expect(size.tagSets * bucketsRead(planQuery(options))).toBeLessThanOrEqual(MAX_TAGGED_ROWS);
  });

  it.each([
    // The measured reads: 180,500 and 361,000 rollups of 10 s buckets.
    ["tag.region=a at a 10 s step over an hour", 3600, 10, half, { points: false, rows: true }, 361, 361, 300],
    ["group_by=region at a 10 s step over an hour", 3600, 10, regions, { points: false, rows: true }, 361, 361, 300],
    ["group_by=u at a 10 s step over an hour", 3600, 10, perSet, { points: true, rows: true }, 361, 361, 300],
    // A 60 s step over 24 hours is read as 300 s: 10 s buckets would be more than 2880.
    [
      "group_by=region at 60 s over 24 hours (5-minute buckets)",
      DAY,
      60,
      regions,
      { points: false, rows: true },
      289,
      289,
      3600,
    ],
    // 1000 tag sets × 2161 hourly buckets: no step reads fewer, so none fits.
    ["group_by=u at 10 s over 400 days", 400 * DAY, 10, perSet, { points: true, rows: true }, 961, 2161, null],
    [
      "group_by=region over 30 days, default step",
      30 * DAY,
      undefined,
      regions,
      { points: false, rows: true },
      61,
      721,
      null,
    ],
  ] as const)(
    "refuses %s, naming the finest step that fits",
    (_l, windowSeconds, stepSeconds, size, over, perSeries, bucketCount, fits) => {
      const verdict = read(windowSeconds, stepSeconds, size);
      expect(verdict).toMatchObject({ ok: false, over, fits, cost: { perSeries, buckets: bucketCount } });
      if (verdict.ok || verdict.fits === null) return;
      // The named step fits (with coarser buckets where needed); the nice step below it does not.
      expect(read(windowSeconds, verdict.fits, size)).toMatchObject({ ok: true, read: { stepSeconds: verdict.fits } });
      expect(read(windowSeconds, verdict.fits / 2, size).ok).toBe(false);
    },
  );

  it("coarsens the default step of every dashboard window to fit any metric (the charts send no step)", () => {
    for (const { s } of WINDOWS) {
      for (const size of [perSet, regions, half]) {
        const verdict = read(s, undefined, size);
        expect(verdict.ok, `window ${s}, ${JSON.stringify(size)}`).toBe(true);
      }
    }
    // The bound is exactly the widest window at the tag-set bound.
    expect(1000 * buckets(7 * DAY)).toBe(MAX_TAGGED_ROWS);
  });

  it("keeps the grouped-answer bound: the default for 1000 groups over an hour is 300 s, not 120 s", () => {
    expect(1000 * points(3600)).toBeGreaterThan(MAX_GROUPED_POINTS);
    expect(1000 * points(3600, 120)).toBeGreaterThan(MAX_GROUPED_POINTS);
    // Answer-only budget (rows unbounded): still 300 s, at the usual 10 s buckets.
    expect(
      taggedRead({ windowSeconds: 3600, now: T0 }, perSet, { points: MAX_GROUPED_POINTS, rows: Infinity }),
    ).toEqual({ ok: true, read: { stepSeconds: 300 } });
  });

  it("gives no step when even one point per series is too many", () => {
    expect(
      taggedRead(
        { windowSeconds: 3600, stepSeconds: 3600, now: T0 },
        { groups: 10, tagSets: 10 },
        { points: 5, rows: 1e9 },
      ),
    ).toMatchObject({ ok: false, fits: null });
  });
});

// GET /models takes no step: the usual plan when its stored rows fit, else the plan of the first
// coarser step that reads coarser buckets and fits. `rowsOf` stands for the index count: here,
// `series` series filling every bucket of the plan.
describe("coarsestNeeded (a read without step, bounded by the rows stored)", () => {
  const dense = (series: number) => (plan: ReturnType<typeof at>) => series * bucketsRead(plan);
  const pick = (windowSeconds: number, maxRows: number, rowsOf: (plan: ReturnType<typeof at>) => number) =>
    coarsestNeeded({ windowSeconds, now: T0 }, maxRows, rowsOf);
  it.each([
    // window, series filling it, rows allowed: resolution (s) and step (s) chosen, or null
    [3600, 8, 20_000, 10, 60], // 8 × 361 = 2,888: the usual plan
    [3600, 55, 20_000, 10, 60], // 19,855
    [3600, 56, 20_000, 300, 300], // 20,216 at 10 s: 5-minute buckets, 13 each
    [3600, 200, 20_000, 300, 300], // 2,600
    [3600, 2000, 20_000, 3600, 3600], // 26,000 at 5 min: hourly, 2 each
    [86_400, 60, 20_000, 300, 1800], // the usual plan of a day (289 five-minute buckets): 17,340
    [86_400, 70, 20_000, 3600, 3600], // 20,230: hourly
    [604_800, 118, 20_000, 3600, 10_800], // 169 hourly buckets each: 19,942
    [604_800, 119, 20_000, null, null], // 20,111 even hourly: nothing fits
  ])("%i s, %i dense series, at most %i rows: %s s buckets, %s s step", (window, series, max, resolution, step) => {
    const plan = pick(window, max, dense(series));
    if (resolution === null) expect(plan).toBeNull();
    else {
      expect(plan?.resolution_ms).toBe((resolution as number) * 1000);
      expect(plan?.step_ms).toBe((step as number) * 1000);
      expect(dense(series)(plan as ReturnType<typeof at>)).toBeLessThanOrEqual(max);
    }
  });

  it("follows the rows stored, not the slots: sparse series keep the usual buckets", () => {
    // 1,000 versions with one row each in the hour are 1,000 rows, not 361,000.
    expect(pick(3600, 20_000, () => 1000)?.resolution_ms).toBe(10_000);
  });

  it("counts each resolution once: coarser steps over the same buckets are not asked again", () => {
    const asked: number[] = [];
    pick(3600, 0, (plan) => {
      asked.push(plan.resolution_ms);
      return 1;
    });
    expect(asked).toEqual([10_000, 300_000, 3_600_000]);
  });
});
