/**
 * The cumulative analysis per UTC day since the start (GET /experiments/:id/results/timeseries).
 * Pure: SQL gives day-by-day changes of n, Σy and Σy² per variant (analysis-sql.ts); this adds
 * them up day after day and compares each treatment with the control on every day. With CUPED on
 * (a per-user metric), SQL also gives Σx and Σx² of each day's new users and the change of Σx·y,
 * and each day is adjusted exactly as the analysis adjusts today (stats/cuped.ts), so the last
 * day's intervals are the ones GET /results shows.
 */
import { compareFrequentist, cuped } from "../stats";
import type { AnalysisVariant, MetricSpec } from "./analysis";
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
  dSum: number;
  dSum2: number;
  /** Change of Σx·y that day (CUPED on): each user's covariate times the change of their value. */
  dSumXY?: number;
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
}

/** typed-array cell += v (indexes are in range by construction). */
const add = (a: Float64Array, k: number, v: number) => {
  a[k] = (a[k] ?? 0) + v;
};

const isoDate = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** The sums kept per day and variant, in this order. */
const SUMS = ["users", "n", "sum", "sum2", "sumX", "sumX2", "sumXY"] as const;
type Sum = (typeof SUMS)[number];

export function buildTimeseries(input: TimeseriesInput) {
  const { variants, spec, settings } = input;
  const perUser = spec.kind !== "event_mean";
  const adjust = settings.cuped && perUser;
  const days = Math.min(MAX_DAYS, Math.max(0, input.lastDay - input.startDay + 1));
  const index = new Map(variants.map((v, i) => [v.id, i]));
  const width = variants.length;
  // Day-by-variant changes, flat: cell (day, i) is at day * width + i.
  const changes = Object.fromEntries(SUMS.map((k) => [k, new Float64Array(days * width)])) as Record<
    Sum,
    Float64Array
  >;
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
    add(changes.sum, k, d.dSum);
    add(changes.sum2, k, d.dSum2);
    add(changes.sumXY, k, d.dSumXY ?? 0);
  }

  const controlIndex = variants.findIndex((v) => v.variant_type === "control");
  const running = Object.fromEntries(SUMS.map((k) => [k, new Float64Array(width)])) as Record<Sum, Float64Array>;
  const items = [];
  for (let day = 0; day < days; day++) {
    const raw = variants.map((_, i) => {
      const k = day * width + i;
      for (const s of SUMS) add(running[s], i, changes[s][k] as number);
      const at = (s: Sum) => running[s][i] as number;
      const count = perUser ? at("users") : at("n");
      // The analysis' own arithmetic (analysis-moments.ts), unshifted: every user is in the sums.
      return armMoments(
        count,
        {
          users: count,
          sum: at("sum"),
          sumD: at("sum"),
          sumD2: at("sum2"),
          min: null,
          max: null,
          sumXD: at("sumX"),
          sumXD2: at("sumX2"),
          sumXYD: at("sumXY"),
        },
        0,
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
          mean: shown ? (raw[i]?.mean ?? null) : null,
          adjusted_mean: applied && shown ? (arms[i]?.mean ?? null) : null,
        };
      }),
      comparisons:
        control === undefined
          ? []
          : variants.flatMap((v, i) => {
              const t = arms[i];
              if (i === controlIndex || t === undefined) return [];
              const c = compareFrequentist(control, t, {
                confidence: settings.confidence_level,
                binary: spec.kind === "binomial",
                sequential: settings.sequential ? { tuning: settings.sequential_tuning } : null,
                direction: spec.direction,
              });
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
