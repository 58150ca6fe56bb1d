/**
 * Anomaly rules: the robust z-score against numpy (scripts/gen_alerting_golden.py), the window
 * split, and the rule's behaviour on long seeded noise and on a 6σ step.
 */
import { describe, expect, it } from "vitest";
import { anomalyHolds, median, minimumBaseline, robustZ } from "../../src/streaming/anomaly";
import { type AlertRule, defaultForSeconds, evaluateRule, INACTIVE, type RuleState } from "../../src/streaming/rules";
import golden from "../fixtures/alerting-golden.json";
import { SeededRandom } from "../seeded-random";

describe("robust z-score", () => {
  it.each(golden.robust_z.map((c, i) => ({ ...c, i })))("case $i matches numpy (n = $baseline.length)", (c) => {
    const z = robustZ(c.value, c.baseline);
    if (c.z === "inf") expect(z).toBe(Number.POSITIVE_INFINITY);
    else if (c.z === "-inf") expect(z).toBe(Number.NEGATIVE_INFINITY);
    else if (c.z === 0) expect(z).toBe(0);
    else expect(Math.abs((z as number) - (c.z as number)) / Math.abs(c.z as number)).toBeLessThan(1e-12);
  });

  it("no baseline, no score", () => {
    expect(robustZ(5, [])).toBeNull();
    expect(median([])).toBeNaN();
  });

  it.each([
    [4.2, 4, null, true],
    [-4.2, 4, null, true],
    [3.9, 4, null, false],
    [-4.2, 4, "gt", false],
    [4.2, 4, "gte", true],
    [-4.2, 4, "lt", true],
    [4.2, 4, "lte", false],
  ] as const)("z %d, sensitivity %d, operator %s → %s", (z, s, op, expected) => {
    expect(anomalyHolds(z, s, op)).toBe(expected);
  });

  it.each([
    [1, 3],
    [5, 3],
    [7, 4],
    [30, 15],
  ])("baseline_windows %i needs %i windows with data", (n, expected) => {
    expect(minimumBaseline(n)).toBe(expected);
  });
});

describe("an anomaly rule on seeded data", () => {
  const W = 60;
  const rule: AlertRule = {
    id: "a",
    name: "latency anomaly",
    metric_name: "lat",
    aggregation: "avg",
    window_seconds: W,
    operator: null,
    threshold: null,
    severity: "warning",
    for_seconds: defaultForSeconds("anomaly", W),
    type: "anomaly",
    sensitivity: 4,
    baseline_windows: 30,
  };
  const T = 1_900_000_000_000;

  /** Evaluates at the end of every window; returns the window indexes where an alert opened. */
  function fires(r: AlertRule, values: readonly number[]): number[] {
    const B = r.baseline_windows ?? 30;
    let state: RuleState = INACTIVE;
    const opened: number[] = [];
    for (let i = B; i < values.length; i++) {
      const out = evaluateRule(r, state, values[i] as number, T + i * W * 1000, values.slice(i - B, i));
      if (out.actions.some((a) => a.type === "open_alert")) opened.push(i);
      state = out.state;
    }
    return opened;
  }

  const noise = (seed: number, n: number) => {
    const rand = new SeededRandom(seed);
    return Array.from({ length: n }, () => 250 + 12 * rand.normal());
  };

  it("stays quiet on Gaussian noise at sensitivity 4: at most 2 false fires per 10,000 windows (50,000 over 5 seeds)", () => {
    let held = 0;
    let single = 0;
    for (let seed = 1; seed <= 5; seed++) {
      const values = noise(seed, 10_030);
      held += fires(rule, values).length;
      single += fires({ ...rule, for_seconds: 0 }, values).length;
    }
    console.log(
      `[figure] anomaly false fires in 50,000 noise windows: ${held} held one window, ${single} single-window`,
    );
    // docs/alerting.md states the measured rate (5 in 50,000); the bound leaves it room to double.
    expect(held).toBeLessThanOrEqual(10);
    // Why the rule waits one window by default: a single window crosses |z| ≥ 4 far more often.
    expect(single).toBeGreaterThan(25);
  });

  it("fires within two windows of a 6σ step (σ of the window values), in at least 85% of 500 seeded steps", () => {
    // Two windows in a row must cross |z| ≥ 4; the MAD of 30 windows is itself noisy (its standard
    // error is about a fifth of σ), so each crossing has ~94% chance at 6σ and both ~88%. The
    // figures are stated in docs/alerting.md; this keeps them true.
    const RUNS = 500;
    const step = 40;
    let withinTwo = 0;
    let early = 0;
    for (let seed = 1; seed <= RUNS; seed++) {
      const values = noise(seed, step + 10);
      for (let i = step; i < values.length; i++) values[i] = (values[i] as number) + 6 * 12;
      const opened = fires(rule, values);
      if (opened[0] !== undefined && opened[0] < step) early++;
      else if (opened[0] !== undefined && opened[0] <= step + 1) withinTwo++;
    }
    expect(early).toBeLessThanOrEqual(1);
    expect(withinTwo / RUNS).toBeGreaterThanOrEqual(0.85);
  });

  it("operator lt ignores a rise and catches a drop", () => {
    const up = noise(9, 100);
    for (let i = 60; i < 100; i++) up[i] = (up[i] as number) + 100;
    expect(fires({ ...rule, operator: "lt" }, up)).toEqual([]);
    const down = noise(9, 100);
    for (let i = 60; i < 100; i++) down[i] = (down[i] as number) - 100;
    expect(fires({ ...rule, operator: "lt" }, down)[0]).toBe(61);
  });

  it("a baseline with too few windows scores nothing", () => {
    const out = evaluateRule({ ...rule, for_seconds: 0 }, INACTIVE, 1e6, T, [1, 2]);
    expect(out).toEqual({ state: INACTIVE, actions: [] });
  });

  it("the alert names the z-score and the baseline", () => {
    const base = noise(3, 30);
    const out = evaluateRule({ ...rule, for_seconds: 0 }, INACTIVE, 1000, T, base);
    expect(out.actions[0]).toMatchObject({ type: "open_alert", value: 1000, fingerprint: "rule:a" });
    expect((out.actions[0] as { title: string }).title).toMatch(/^latency anomaly: avg\(lat\) = 1000, anomaly z = \d/);
  });
});
