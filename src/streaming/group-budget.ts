/**
 * The size bound of a grouped metric read (`GET /metrics/:name?group_by=`). One series is already
 * bounded (planQuery keeps it to 1000 points), but `group_by` multiplies it by the groups, up to
 * the 1000 tag sets a metric may have: 1000 groups of 1000 points were a 38 MB answer, past
 * workerd's 32 MiB limit on an RPC return value (a 500), and 1000 groups of 360 points took over a
 * second to build a 16.6 MB body. So groups × points per series is bounded, like Prometheus bounds
 * the points of a series (11,000) and Grafana the data points of a panel. Without `step` the default
 * step is coarsened until the answer fits (the dashboard's charts send none); an explicit `step`
 * that does not fit is refused, naming the step that would. Pure.
 */
import { NICE_STEPS_SECONDS, planQuery, type QueryOptions, seriesLength } from "./rollup";

/** Groups × points per series in one grouped answer: about 1 MB of JSON at most. */
export const MAX_GROUPED_POINTS = 20_000;

const DAY_SECONDS = 86_400;

export type GroupedStep =
  | { ok: true; stepSeconds: number | undefined }
  | {
      ok: false;
      /** Points per series at the step asked for (after planQuery's own rounding and cap). */
      perSeries: number;
      /** The step those points are at, in seconds. */
      stepSeconds: number;
      /** The finest step from the one asked for that fits, or null when none does. */
      fits: number | null;
    };

/** Steps from `from` upward, finest first: the nice steps, then whole days, up to the window. */
function* coarserSteps(from: number, windowSeconds: number): Generator<number> {
  yield from;
  for (const s of NICE_STEPS_SECONDS) if (s > from) yield s;
  for (let d = Math.max(2, Math.floor(from / DAY_SECONDS) + 1); (d - 1) * DAY_SECONDS < windowSeconds; d++) {
    yield d * DAY_SECONDS;
  }
}

const pointsAt = (options: Omit<QueryOptions, "aggregation">, stepSeconds: number | undefined) =>
  seriesLength(planQuery({ ...options, stepSeconds }));

function finestFitting(
  options: Omit<QueryOptions, "aggregation">,
  from: number,
  groups: number,
  limit: number,
): number | null {
  for (const step of coarserSteps(from, options.windowSeconds)) {
    if (groups * pointsAt(options, step) <= limit) return step;
  }
  return null;
}

/**
 * The step a read with `groups` groups may use: `options.stepSeconds` when given and within
 * `limit`; without one, the default when it fits, else the finest coarser nice step (or whole days)
 * that does. Checked before any rollup is read.
 */
export function groupedStep(
  options: Omit<QueryOptions, "aggregation">,
  groups: number,
  limit = MAX_GROUPED_POINTS,
): GroupedStep {
  const asked = options.stepSeconds;
  const plan = planQuery({ ...options, stepSeconds: asked });
  const perSeries = seriesLength(plan);
  if (groups * perSeries <= limit) return { ok: true, stepSeconds: asked };
  const from = plan.step_ms / 1000;
  const fits = finestFitting(options, from, groups, limit);
  if (asked === undefined && fits !== null) return { ok: true, stepSeconds: fits };
  return { ok: false, perSeries, stepSeconds: from, fits };
}
