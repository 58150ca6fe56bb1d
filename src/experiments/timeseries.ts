/**
 * The cumulative analysis per UTC day since the start (GET /experiments/:id/results/timeseries).
 * Pure: SQL gives day-by-day changes of n, Σy and Σy² per variant (analysis-sql.ts); this adds
 * them up day after day and compares each treatment with the control on every day.
 */
import { compareFrequentist } from "../stats";
import type { AnalysisVariant, MetricSpec } from "./analysis";
import type { AnalysisSettings } from "./analysis-settings";

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
}

export interface TimeseriesInput {
  startDay: number;
  lastDay: number;
  variants: readonly AnalysisVariant[];
  exposuresByDay: readonly { variant_id: string; day: number; users: number }[];
  deltas: readonly DayDelta[];
  spec: MetricSpec;
  settings: AnalysisSettings;
}

/** typed-array cell += v (indexes are in range by construction). */
const add = (a: Float64Array, k: number, v: number) => {
  a[k] = (a[k] ?? 0) + v;
};

const isoDate = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

export function buildTimeseries(input: TimeseriesInput) {
  const { variants, spec, settings } = input;
  const perUser = spec.kind !== "event_mean";
  const days = Math.min(MAX_DAYS, Math.max(0, input.lastDay - input.startDay + 1));
  const index = new Map(variants.map((v, i) => [v.id, i]));
  const width = variants.length;
  // Day-by-variant changes, flat: cell (day, i) is at day * width + i.
  const users = new Float64Array(days * width);
  const n = new Float64Array(days * width);
  const sum = new Float64Array(days * width);
  const sum2 = new Float64Array(days * width);
  const cell = (day: number, i: number) => Math.min(days - 1, Math.max(0, day)) * width + i; // late rows: last day
  for (const e of input.exposuresByDay) {
    const i = index.get(e.variant_id);
    if (i !== undefined && days > 0) add(users, cell(e.day, i), e.users);
  }
  for (const d of input.deltas) {
    const i = index.get(d.variant_id);
    if (i === undefined || days === 0) continue;
    const k = cell(d.day, i);
    add(n, k, d.n ?? 0);
    add(sum, k, d.dSum);
    add(sum2, k, d.dSum2);
  }

  const controlIndex = variants.findIndex((v) => v.variant_type === "control");
  const running = {
    users: new Float64Array(width),
    n: new Float64Array(width),
    sum: new Float64Array(width),
    sum2: new Float64Array(width),
  };
  const items = [];
  for (let day = 0; day < days; day++) {
    const moments = variants.map((_, i) => {
      const k = day * width + i;
      add(running.users, i, users[k] as number);
      add(running.n, i, n[k] as number);
      add(running.sum, i, sum[k] as number);
      add(running.sum2, i, sum2[k] as number);
      const count = (perUser ? running.users[i] : running.n[i]) as number;
      const total = running.sum[i] as number;
      const mean = count > 0 ? total / count : 0;
      const variance = count > 1 ? Math.max(0, (running.sum2[i] as number) - mean * total) / (count - 1) : 0;
      return { n: count, mean, variance };
    });
    const control = moments[controlIndex];
    items.push({
      date: isoDate(input.startDay + day),
      variants: variants.map((v, i) => ({
        variant_id: v.id,
        users: running.users[i] ?? 0,
        mean: (moments[i]?.n ?? 0) > 0 ? (moments[i]?.mean ?? null) : null,
      })),
      comparisons:
        control === undefined
          ? []
          : variants.flatMap((v, i) => {
              const t = moments[i];
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
