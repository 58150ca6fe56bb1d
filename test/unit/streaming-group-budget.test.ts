import { describe, expect, it } from "vitest";
import { groupedStep, MAX_GROUPED_POINTS } from "../../src/streaming/group-budget";
import { planQuery, seriesLength } from "../../src/streaming/rollup";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 7);
const points = (windowSeconds: number, stepSeconds?: number) =>
  seriesLength(planQuery({ windowSeconds, now: T0, ...(stepSeconds === undefined ? {} : { stepSeconds }) }));

describe("grouped read budget (groups × points per series)", () => {
  it("keeps a step that fits, explicit or default", () => {
    expect(groupedStep({ windowSeconds: 3600, stepSeconds: 10, now: T0 }, 3)).toEqual({ ok: true, stepSeconds: 10 });
    expect(groupedStep({ windowSeconds: 3600, now: T0 }, 300)).toEqual({ ok: true, stepSeconds: undefined });
    expect(groupedStep({ windowSeconds: 34_560_000, stepSeconds: 10, now: T0 }, 0)).toEqual({
      ok: true,
      stepSeconds: 10,
    });
  });

  it("coarsens the default step to the finest nice step that fits (the dashboard sends none)", () => {
    // 1000 groups × 61 default points is over; 120 s is still 31 points each, 300 s is 13.
    expect(1000 * points(3600)).toBeGreaterThan(MAX_GROUPED_POINTS);
    expect(1000 * points(3600, 120)).toBeGreaterThan(MAX_GROUPED_POINTS);
    expect(groupedStep({ windowSeconds: 3600, now: T0 }, 1000)).toEqual({ ok: true, stepSeconds: 300 });
    for (const windowSeconds of [10, 300, 3600, 86_400, 604_800, 30 * 86_400, 400 * 86_400]) {
      const step = groupedStep({ windowSeconds, now: T0 }, 1000);
      expect(step.ok, `window ${windowSeconds}`).toBe(true);
      if (step.ok) expect(1000 * points(windowSeconds, step.stepSeconds)).toBeLessThanOrEqual(MAX_GROUPED_POINTS);
    }
  });

  it("refuses an explicit step that does not fit, naming the finest one that does", () => {
    // The hostile report's request: 1000 groups over 400 days at a 10 s step (raised by planQuery).
    const over = groupedStep({ windowSeconds: 34_560_000, stepSeconds: 10, now: T0 }, 1000);
    // planQuery already raised it to 36,000 s (1000 points at most, whole hours): still 961 points a series.
    expect(over).toMatchObject({ ok: false, stepSeconds: 36_000, perSeries: 961 });
    if (over.ok || over.fits === null) throw new Error("expected a refusal naming a step");
    expect(1000 * points(34_560_000, over.fits)).toBeLessThanOrEqual(MAX_GROUPED_POINTS);
    expect(1000 * points(34_560_000, over.fits - 86_400)).toBeGreaterThan(MAX_GROUPED_POINTS);

    const hour = groupedStep({ windowSeconds: 3600, stepSeconds: 10, now: T0 }, 1000);
    expect(hour).toEqual({ ok: false, stepSeconds: 10, perSeries: 361, fits: 300 });
  });

  it("gives no step when even one point per series is too many", () => {
    expect(groupedStep({ windowSeconds: 3600, stepSeconds: 3600, now: T0 }, 10, 5)).toMatchObject({
      ok: false,
      fits: null,
    });
  });
});
