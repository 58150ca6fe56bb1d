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
export const MAX_DAYS = 1100;

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

const isoDate = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

export function buildTimeseries(input: TimeseriesInput) {
  const { variants, spec, settings } = input;
  const perUser = spec.kind !== "event_mean";
  const days = Math.min(MAX_DAYS, Math.max(0, input.lastDay - input.startDay + 1));
  const index = new Map(variants.map((v, i) => [v.id, i]));
  const grid = () => Array.from({ length: days }, () => variants.map(() => 0));
  const users = grid();
  const n = grid();
  const sum = grid();
  const sum2 = grid();
  const at = (day: number) => Math.min(days - 1, Math.max(0, day)); // late rows land on the last day
  for (const e of input.exposuresByDay) {
    const i = index.get(e.variant_id);
    if (i !== undefined && days > 0) (users[at(e.day)] as number[])[i] += e.users;
  }
  for (const d of input.deltas) {
    const i = index.get(d.variant_id);
    if (i === undefined || days === 0) continue;
    (n[at(d.day)] as number[])[i] += d.n ?? 0;
    (sum[at(d.day)] as number[])[i] += d.dSum;
    (sum2[at(d.day)] as number[])[i] += d.dSum2;
  }

  const controlIndex = variants.findIndex((v) => v.variant_type === "control");
  const running = {
    users: variants.map(() => 0),
    n: variants.map(() => 0),
    sum: variants.map(() => 0),
    sum2: variants.map(() => 0),
  };
  const items = [];
  for (let day = 0; day < days; day++) {
    const moments = variants.map((_, i) => {
      running.users[i] = (running.users[i] as number) + ((users[day] as number[])[i] as number);
      running.n[i] = (running.n[i] as number) + ((n[day] as number[])[i] as number);
      running.sum[i] = (running.sum[i] as number) + ((sum[day] as number[])[i] as number);
      running.sum2[i] = (running.sum2[i] as number) + ((sum2[day] as number[])[i] as number);
      const count = perUser ? (running.users[i] as number) : (running.n[i] as number);
      const mean = count > 0 ? (running.sum[i] as number) / count : 0;
      const variance =
        count > 1 ? Math.max(0, (running.sum2[i] as number) - mean * (running.sum[i] as number)) / (count - 1) : 0;
      return { n: count, mean, variance };
    });
    const control = moments[controlIndex];
    items.push({
      date: isoDate(input.startDay + day),
      variants: variants.map((v, i) => ({
        variant_id: v.id,
        users: running.users[i] as number,
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
