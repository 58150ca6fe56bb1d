/**
 * The cumulative analysis per UTC day since the start (GET /experiments/:id/results/timeseries).
 * Pure: SQL gives day-by-day changes of n, Σ(y − shift) and Σ(y − shift)² per variant
 * (analysis-sql.ts); this adds them up day after day and compares each treatment with the control
 * on every day, with the results page's arithmetic (armMoments, the same shift). With CUPED on
 * (a per-user metric), SQL also gives Σx and Σx² of each day's new users and the change of Σx·y,
 * and each day is adjusted exactly as the analysis adjusts today (stats/cuped.ts), so the last
 * day's intervals are the ones GET /results shows.
 */
import { cuped } from "../stats";
import { type AnalysisVariant, compareArms, type MetricSpec } from "./analysis";
import type { AnalysisSettings } from "./analysis-settings";
import { armMoments } from "./analysis-moments";

export const DAY_MS = 86_400_000;
/** A bound on the response: about three years of days. */
const MAX_DAYS = 1100;

export interface DayDelta {
  variant_id: string;
  day: number;
  /** Values added that day (event_mean); per-user metrics count exposures instead. */
  n?: number;
  /** Users whose first day with rows this is (event_mean: the values, as n). */
  dRows: number;
  /** Changes of Σ(y − shift) and Σ(y − shift)² over the users with rows (see analysis-sql.ts). */
  dSumD: number;
  dSumD2: number;
  /** CUPED on: the change of Σx·(y − shift) over the users with rows, and Σx of those entering. */
  dSumXYWith?: number;
  dSumXWith?: number;
}

export interface DayExposures {
  variant_id: string;
  day: number;
  users: number;
  /** Σx and Σx² of the users exposed that day (CUPED on). */
  sumX?: number;
  sumX2?: number;
}

export interface TimeseriesInput {
  startDay: number;
  lastDay: number;
  variants: readonly AnalysisVariant[];
  exposuresByDay: readonly DayExposures[];
  deltas: readonly DayDelta[];
  spec: MetricSpec;
  settings: AnalysisSettings;
  /** The analysis' shift of the metric (0 for binomial): the deltas are sums of value − shift. */
  shift: number;
}

/** typed-array cell += v (indexes are in range by construction). */
const add = (a: Float64Array, k: number, v: number) => {
  a[k] = (a[k] ?? 0) + v;
};

const isoDate = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** The sums kept per day and variant, in this order. */
const SUMS = ["users", "n", "rows", "sumD", "sumD2", "sumX", "sumX2", "sumXYWith", "sumXWith"] as const;
type Sum = (typeof SUMS)[number];

export function buildTimeseries(input: TimeseriesInput) {
  const { variants, spec, settings } = input;
  const perUser = spec.kind !== "event_mean";
  const adjust = settings.cuped && perUser;
  const days = Math.min(MAX_DAYS, Math.max(0, input.lastDay - input.startDay + 1));
  const index = new Map(variants.map((v, i) => [v.id, i]));
  const width = variants.length;
  // Day-by-variant changes, flat: cell (day, i) is at day * width + i.
  const changes = Object.fromEntries(SUMS.map((k) => [k, new Float64Array(days * width)])) as Record<Sum, Float64Array>;
  const cell = (day: number, i: number) => Math.min(days - 1, Math.max(0, day)) * width + i; // late rows: last day
  for (const e of input.exposuresByDay) {
    const i = index.get(e.variant_id);
    if (i === undefined || days === 0) continue;
    const k = cell(e.day, i);
    add(changes.users, k, e.users);
    add(changes.sumX, k, e.sumX ?? 0);
    add(changes.sumX2, k, e.sumX2 ?? 0);
  }
  for (const d of input.deltas) {
    const i = index.get(d.variant_id);
    if (i === undefined || days === 0) continue;
    const k = cell(d.day, i);
    add(changes.n, k, d.n ?? 0);
    add(changes.rows, k, d.dRows);
    add(changes.sumD, k, d.dSumD);
    add(changes.sumD2, k, d.dSumD2);
    add(changes.sumXYWith, k, d.dSumXYWith ?? 0);
    add(changes.sumXWith, k, d.dSumXWith ?? 0);
  }
  const shift = input.shift;

  const controlIndex = variants.findIndex((v) => v.variant_type === "control");
  const running = Object.fromEntries(SUMS.map((k) => [k, new Float64Array(width)])) as Record<Sum, Float64Array>;
  const items = [];
  for (let day = 0; day < days; day++) {
    const raw = variants.map((_, i) => {
      const k = day * width + i;
      for (const s of SUMS) add(running[s], i, changes[s][k] as number);
      const at = (s: Sum) => running[s][i] as number;
      const count = perUser ? at("users") : at("n");
      // The analysis' own arithmetic (analysis-moments.ts): the exposed users without rows yet are
      // zeros, added to the shifted sums there. Their X is in Σx (every exposed user's), and their
      // share of Σx·(y − shift) is X·(0 − shift), added here.
      const zerosX = at("sumX") - at("sumXWith");
      return armMoments(
        count,
        {
          users: at("rows"),
          sum: 0,
          sumD: at("sumD"),
          sumD2: at("sumD2"),
          // Not tracked per day, and not needed: the series shows no min or max, and a constant
          // arm's zero variance comes from its sums (analysis-moments.ts, ROUNDING_SHARE).
          min: null,
          max: null,
          sumXD: at("sumX"),
          sumXD2: at("sumX2"),
          sumXYD: at("sumXYWith") - shift * zerosX,
        },
        shift,
        0,
      );
    });
    const adjusted = adjust ? cuped(raw) : null;
    const applied = adjusted !== null && adjusted.theta !== null;
    const arms = applied ? adjusted.arms : raw;
    const control = arms[controlIndex];
    items.push({
      date: isoDate(input.startDay + day),
      variants: variants.map((v, i) => {
        const shown = (raw[i]?.n ?? 0) > 0;
        return {
          variant_id: v.id,
          users: running.users[i] ?? 0,
          mean: shown ? (raw[i]?.mean ?? 0) + shift : null,
          adjusted_mean: applied && shown ? (arms[i]?.mean ?? 0) + shift : null,
        };
      }),
      comparisons:
        control === undefined
          ? []
          : variants.flatMap((v, i) => {
              const t = arms[i];
              if (i === controlIndex || t === undefined) return [];
              const c = compareArms(control, t, spec, settings, shift, applied);
              return [
                {
                  variant_id: v.id,
                  relative_lift: c.relative_lift,
                  lift_ci_low: c.lift_ci_low,
                  lift_ci_high: c.lift_ci_high,
                },
              ];
            }),
    });
  }
  return { items };
}
