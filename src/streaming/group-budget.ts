/**
 * The budget of a tagged metric read (`GET /metrics/:name` with `tag.<k>=<v>` filters or
 * `group_by`), checked from the stored tag sets that match, before any rollup is read. Two bounds:
 *
 * - Its answer: one series is already bounded (planQuery keeps it to 1000 points), but `group_by`
 *   multiplies it by the groups, up to the 1000 tag sets a metric may have: 1000 groups of 1000
 *   points were a 38 MB answer, past workerd's 32 MiB limit on an RPC return value (a 500). So
 *   groups × points per series is bounded, like Prometheus bounds the points of a series (11,000)
 *   and Grafana the data points of a panel.
 * - Its work: every selected tag set is one rollup row per bucket to read, parse and fold, however
 *   small the answer (`tag.region=a` over 500 tag sets, or `group_by=region` over 1000, at a 10 s
 *   step over an hour, read 180,000 or 360,000 rows: one to three seconds of the organization's
 *   object, which serves nothing else meanwhile). So tag sets × buckets is bounded too.
 *
 * Without `step` the default step is coarsened until both fit (the dashboard's charts send none),
 * reading coarser buckets when the step allows it (rollup.ts `coarse`); an explicit `step` that
 * does not fit is refused, naming the step that would. Pure.
 */
import { bucketsRead, NICE_STEPS_SECONDS, planQuery, type QueryOptions, type QueryPlan, seriesLength } from "./rollup";
import { MAX_TAG_SETS_PER_METRIC } from "./tags";

/** Groups × points per series in one grouped answer: about 1 MB of JSON at most. */
export const MAX_GROUPED_POINTS = 20_000;

/**
 * Tag sets × buckets one read may fold. Measured (workers runtime, 1000 tag sets seeded): the cost of
 * a tagged read is linear in the rows it reads, 5 to 13 µs a row on a loaded 2-core machine, two
 * thirds of it SQLite's (the JS fold and the sketches' parse and merge are the rest; p99 costs about
 * what avg does). The number is what the dashboard's widest window needs at the most tag sets a
 * metric may have: 7 days is 169 hourly buckets (the coarsest stored), × 1000, so no chart, which
 * sends no step, is ever refused. One to two seconds on that machine: a seventeenth of the unbounded
 * worst (1000 tag sets × 2880 buckets); only a coarser stored resolution could lower it further.
 */
export const MAX_TAGGED_ROWS = MAX_TAG_SETS_PER_METRIC * 169;

const DAY_SECONDS = 86_400;

type StepOptions = Omit<QueryOptions, "aggregation">;

/** What a read selects: its groups (0 without group_by) and the tag sets whose rollups it reads. */
export interface ReadSize {
  groups: number;
  tagSets: number;
}

interface Limits {
  points: number;
  rows: number;
}

const LIMITS: Limits = { points: MAX_GROUPED_POINTS, rows: MAX_TAGGED_ROWS };

/** The cost of one plan. */
interface ReadCost {
  /** Points per series. */
  perSeries: number;
  /** Buckets per tag set. */
  buckets: number;
  /** The step those points are at, in seconds. */
  stepSeconds: number;
  /** The buckets' resolution, in seconds. */
  resolutionSeconds: number;
}

export type TaggedRead =
  /** Read with these (the step possibly coarsened, `coarse` set when coarser buckets are needed). */
  | { ok: true; read: Pick<StepOptions, "stepSeconds" | "coarse"> }
  | {
      ok: false;
      /** At the step asked for (after planQuery's rounding and cap), with the coarsest buckets it allows. */
      cost: ReadCost;
      /** Which bounds that cost exceeds. */
      over: { points: boolean; rows: boolean };
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

function costOf(options: StepOptions): ReadCost {
  const plan = planQuery(options);
  return {
    perSeries: seriesLength(plan),
    buckets: bucketsRead(plan, options.metricRetentionMs),
    stepSeconds: plan.step_ms / 1000,
    resolutionSeconds: plan.resolution_ms / 1000,
  };
}

const overOf = (cost: ReadCost, size: ReadSize, limits: Limits) => ({
  points: size.groups * cost.perSeries > limits.points,
  rows: size.tagSets * cost.buckets > limits.rows,
});

/**
 * At one step: the usual buckets when they fit, else the coarsest the step allows; `over` is that
 * second plan's (the cheapest at this step).
 */
function atStep(options: StepOptions, size: ReadSize, limits: Limits) {
  const fine = { ...options, coarse: false };
  const fineCost = costOf(fine);
  const fineOver = overOf(fineCost, size, limits);
  if (!fineOver.points && !fineOver.rows) return { options: fine, cost: fineCost, over: null };
  const coarse = { ...options, coarse: true };
  const cost = costOf(coarse);
  const over = overOf(cost, size, limits);
  return { options: coarse, cost, over: over.points || over.rows ? over : null };
}

/**
 * How a read of `size` may run: `options.stepSeconds` when given and within `limits`; without one,
 * the default when it fits, else the finest coarser nice step (or whole days) that does. Checked
 * before any rollup is read.
 */
export function taggedRead(options: StepOptions, size: ReadSize, limits = LIMITS): TaggedRead {
  const asked = options.stepSeconds;
  const first = atStep(options, size, limits);
  const read = (o: StepOptions) => ({ stepSeconds: o.stepSeconds, ...(o.coarse ? { coarse: true } : {}) });
  if (first.over === null) return { ok: true, read: read(first.options) };
  const { cost } = first;
  let fits: number | null = null;
  for (const step of coarserSteps(cost.stepSeconds, options.windowSeconds)) {
    const at = atStep({ ...options, stepSeconds: step }, size, limits);
    if (at.over !== null) continue;
    if (asked === undefined) return { ok: true, read: read(at.options) };
    fits = step;
    break;
  }
  return { ok: false, cost, over: first.over, fits };
}

/**
 * A read that takes no `step` (`GET /models`): the usual plan when its stored rows are within
 * `maxRows`, else the first plan of a coarser step (its buckets as coarse as the step allows) that
 * is; null when none is. `rowsOf` counts what a plan would read, so the choice follows the data
 * actually stored (a version busy for one hour of a week is one hourly row), not the slots.
 */
export function coarsestNeeded(
  options: StepOptions,
  maxRows: number,
  rowsOf: (plan: QueryPlan) => number,
): QueryPlan | null {
  const usual = planQuery({ ...options, stepSeconds: undefined, coarse: false });
  if (rowsOf(usual) <= maxRows) return usual;
  let lastResolution = usual.resolution_ms;
  for (const step of coarserSteps(usual.step_ms / 1000, options.windowSeconds)) {
    const plan = planQuery({ ...options, stepSeconds: step, coarse: true });
    // A coarser step over the same buckets reads the same rows: only a coarser resolution helps.
    if (plan.resolution_ms === lastResolution) continue;
    lastResolution = plan.resolution_ms;
    if (rowsOf(plan) <= maxRows) return plan;
  }
  return null;
}
