/**
 * Tagged metric points: the bound on tag sets per metric (checked before anything of the batch is
 * written) and the per-tag-set rollups (written in the batch's transaction), plus the read side:
 * `tag.<k>=<v>` filters and `group_by`, answered by merging the sketches of the selected tag sets.
 */
import { type BaselineCache, mergedKey } from "./baseline-cache";
import { mergedBuckets } from "./merged-buckets";
import {
  bucketStart,
  foldPoints,
  mergeStored,
  needsSketch,
  oldestKept,
  planQuery,
  type QueryOptions,
  SeriesFold,
  type SeriesResult,
} from "./rollup";
import { MAX_GROUPED_POINTS, MAX_TAGGED_ROWS, type ReadSize, type TaggedRead, taggedRead } from "./group-budget";
import { fail, type OrgContext, ok, type Result } from "./service-types";
import { parseSketchJSON } from "./sketch";
import {
  listTagSets,
  registerTagSets,
  storedTaggedRollups,
  type TaggedBucket,
  planRange,
  type TaggedRange,
  tagSetsOf,
  taggedBucketsIn,
  writeTaggedRollups,
} from "./store/tags";
import {
  groupTagSets,
  hasTags,
  MAX_TAG_SETS_PER_METRIC,
  matchesFilter,
  newTagSets,
  type Tags,
  tagSetKey,
} from "./tags";

export interface TaggedPoint {
  name: string;
  value: number;
  ts: number;
  tags: Tags;
}

export interface TagPlan {
  points: TaggedPoint[];
  added: Map<string, Map<string, Tags>>;
}

/** Before the batch's transaction: 422 naming each metric the batch would take past the bound. */
export function planTags(ctx: OrgContext, points: readonly TaggedPoint[]): Result<TagPlan> {
  const tagged = points.filter((p) => hasTags(p.tags));
  if (tagged.length === 0) return ok({ points: [], added: new Map() });
  const names = [...new Set(tagged.map((p) => p.name))];
  const known = new Map([...tagSetsOf(ctx.sql, names)].map(([name, sets]) => [name, new Set(sets.keys())]));
  const { added, over } = newTagSets(tagged, known);
  if (over.length > 0) {
    const overNames = new Set(over.map((o) => o.name));
    const errors = points.flatMap((p, i) =>
      overNames.has(p.name) && hasTags(p.tags) && !known.get(p.name)?.has(tagSetKey(p.tags))
        ? [{ path: `metrics.${i}.tags`, message: `a new tag set for ${p.name}, which has reached its limit` }]
        : [],
    );
    return fail(
      "unprocessable",
      `too many distinct tag sets: ${over.map((o) => `${o.name} would have ${o.total}`).join(", ")} (at most ${MAX_TAG_SETS_PER_METRIC} per metric); nothing of the batch was stored`,
      errors.slice(0, 100),
    );
  }
  return ok({ points: tagged, added });
}

// Metric names cannot contain '#' (schemas.ts MetricName), so "<name>#<tag set>" is unambiguous and
// lets the tagged rows go through the same fold and merge as the untagged ones.
const composite = (name: string, tagSet: number) => `${name}#${tagSet}`;
function split(b: { name: string }): { name: string; tag_set: number } {
  const at = b.name.lastIndexOf("#");
  return { name: b.name.slice(0, at), tag_set: Number(b.name.slice(at + 1)) };
}

/** Inside the batch's transaction. */
export function writeTagged(tx: OrgContext, plan: TagPlan, metricRetentionMs: number): void {
  if (plan.points.length === 0) return;
  const names = [...new Set(plan.points.map((p) => p.name))];
  const ids = tagSetsOf(tx.sql, names);
  for (const [name, fresh] of registerTagSets(tx.sql, plan.added, tx.now)) {
    const forName = ids.get(name) ?? new Map<string, number>();
    for (const [key, id] of fresh) forName.set(key, id);
    ids.set(name, forName);
  }
  const folded = foldPoints(
    plan.points.map((p) => ({
      name: composite(p.name, ids.get(p.name)?.get(tagSetKey(p.tags)) ?? 0),
      value: p.value,
      ts: p.ts,
    })),
    { now: tx.now, metricRetentionMs },
  );
  const keys: TaggedBucket[] = [...folded.values()].map((b) => ({ ...b, ...split(b) }));
  const stored = storedTaggedRollups(tx.sql, keys).map((b) => ({ ...b, name: composite(b.name, b.tag_set) }));
  writeTaggedRollups(
    tx.sql,
    mergeStored(folded, stored).map((b) => ({ ...b, ...split(b) })),
  );
}

interface GroupResult {
  tags: Tags;
  result: SeriesResult;
}

export interface TaggedSeries {
  /** The selected tag sets merged; null without a filter (the caller reads the untagged totals). */
  all: SeriesResult | null;
  groups: GroupResult[] | null;
  /** `options` with the step and buckets the sets were read at (group-budget.ts may coarsen the default). */
  options: QueryOptions;
}

/**
 * 422 naming what selects (group_by, the tag filters), step and window: the answer would carry
 * more than MAX_GROUPED_POINTS points, or the read would fold more than MAX_TAGGED_ROWS rollups.
 */
function overBudget(
  filter: Tags,
  groupBy: string | undefined,
  size: ReadSize,
  options: QueryOptions,
  verdict: TaggedRead & { ok: false },
) {
  const { windowSeconds, stepSeconds: asked } = options;
  const { cost, over, fits } = verdict;
  const stepText =
    asked === undefined || asked === cost.stepSeconds
      ? `a ${cost.stepSeconds} s step`
      : `step ${asked} s, read as ${cost.stepSeconds} s (whole buckets, at most 1000 points a series)`;
  const filters = Object.entries(filter).map(([k, v]) => `tag.${k}=${v}`);
  const selection = [...(groupBy === undefined ? [] : [`group_by=${groupBy}`]), ...filters].join(" with ");
  const reasons = [
    ...(over.points
      ? [
          `makes ${size.groups} groups of ${cost.perSeries} points (${stepText}, over ${windowSeconds} s): ` +
            `${size.groups * cost.perSeries} points, more than the ${MAX_GROUPED_POINTS} a grouped answer may carry`,
        ]
      : []),
    ...(over.rows
      ? [
          `selects ${size.tagSets} tag sets of ${cost.buckets} buckets each (${cost.resolutionSeconds} s buckets for ` +
            `${over.points ? "that step" : stepText}, over ${windowSeconds} s): ${size.tagSets * cost.buckets} rollups, ` +
            `more than the ${MAX_TAGGED_ROWS} a read may fold`,
        ]
      : []),
  ];
  const coarser =
    fits === null
      ? "a shorter window"
      : `step=${fits} or coarser (or omit step: the default is coarsened to fit), a shorter window`;
  const groupsFit = `at most ${Math.floor(MAX_GROUPED_POINTS / cost.perSeries)} at this step`;
  const setsFit = `at most ${Math.floor(MAX_TAGGED_ROWS / cost.buckets)} at this step`;
  // Over both bounds, both counts: naming only the groups' told a caller to cut to a count of groups
  // whose tag sets were still too many to read (327 groups, where 234 tag sets fit).
  const selects =
    over.points && over.rows
      ? `${size.groups} groups (${groupsFit}) of ${size.tagSets} tag sets (${setsFit})`
      : over.points
        ? `${size.groups} groups; ${groupsFit}`
        : `${size.tagSets} tag sets; ${setsFit}`;
  return fail(
    "unprocessable",
    `${selection} ${reasons.join("; and ")}. Use ${coarser}, or tag.<key>=<value> filters that select fewer ` +
      `${over.points ? "groups" : "tag sets"}.`,
    [
      ...(groupBy === undefined ? [] : [{ path: "query.group_by", message: selects }]),
      ...Object.keys(filter).map((k) => ({ path: `query.tag.${k}`, message: selects })),
      {
        path: "query.step",
        message: fits === null ? "no step fits this read over this window" : `at least ${fits} for this read`,
      },
      {
        path: "query.window",
        message: `${windowSeconds} s at a ${cost.stepSeconds} s step is ${cost.perSeries} points per series, ${cost.buckets} buckets per tag set`,
      },
    ],
  );
}

/**
 * The series of the tag sets matching `filter`, merged; with `groupBy`, one merged series per value.
 * The read is sized (groups × points, tag sets × buckets: group-budget.ts) before any rollup is read.
 */
export function taggedSeries(
  ctx: OrgContext,
  name: string,
  options: QueryOptions,
  filter: Tags,
  groupBy: string | undefined,
): Result<TaggedSeries> {
  const sets = listTagSets(ctx.sql, name).filter((s) => matchesFilter(s.tags, filter));
  const grouped = groupBy === undefined ? null : groupTagSets(sets, groupBy);
  const size = { groups: grouped?.length ?? 0, tagSets: sets.length };
  const verdict = taggedRead(options, size);
  if (!verdict.ok) return overBudget(filter, groupBy, size, options, verdict);
  const read: QueryOptions = { ...options, ...verdict.read };
  const plan = planQuery(read);
  const range = planRange(
    name,
    sets.map((s) => s.tag_set),
    plan,
  );
  // Without a filter the caller answers the headline from the untagged totals: not read here.
  const filtered = hasTags(filter);
  const groups =
    groupBy === undefined || grouped === null
      ? null
      : grouped.map((g) => ({ tags: { ...filter, [groupBy]: g.value }, sets: g.sets.map((s) => s.tag_set) }));
  const cache = ctx.baselines;
  if (needsSketch(read.aggregation) && cache !== undefined && (groups === null || groups.length <= CHART_GROUPS)) {
    return ok({
      all: filtered ? chartSeries(ctx, cache, read, range) : null,
      groups:
        groups?.map((g) => ({ tags: g.tags, result: chartSeries(ctx, cache, read, { ...range, tagSets: g.sets }) })) ??
        null,
      options: read,
    });
  }
  // One pass, each row folded into the headline and into its group's series as it comes: the read
  // holds one aggregator per step and group, never its rows (up to 169,000, each with a parsed
  // sketch when the aggregation is a percentile). Rows come by tag set, and a group's sets in that
  // order, so every fold adds its rows in the order the earlier read-then-fold did.
  const rows = taggedBucketsIn(ctx.sql, range, needsSketch(read.aggregation));
  const all = filtered ? new SeriesFold(read) : null;
  const folds = groups?.map((g) => ({ ...g, fold: new SeriesFold(read) }));
  const foldOf = new Map<number, SeriesFold>();
  for (const g of folds ?? []) for (const set of g.sets) foldOf.set(set, g.fold);
  for (const r of rows) {
    const group = foldOf.get(r.tag_set);
    // A stored sketch that goes into two folds is parsed once.
    const { sketch } = r.rollup;
    const row =
      all !== null && group !== undefined && typeof sketch === "string"
        ? { ...r, rollup: { ...r.rollup, sketch: parseSketchJSON(sketch) } }
        : r;
    all?.add(row);
    group?.add(row);
  }
  return ok({
    all: all?.result() ?? null,
    groups: folds?.map((g) => ({ tags: g.tags, result: g.fold.result() })) ?? null,
    options: read,
  });
}

/**
 * A grouped percentile read with at most this many groups reads each group's merged buckets (one
 * chart reader per group): a dashboard chart grouped by a tag of a few values (region, env). Past
 * it, each group is one or a few tag sets, which merging saves nothing on, and its many readers
 * would each read their gaps with a query of their own: one pass over the rows serves it better.
 */
const CHART_GROUPS = 16;

/**
 * A filtered percentile series from its buckets merged over the selected tag sets, which the object
 * keeps for the charts read most recently (merged-buckets.ts, BaselineCache `readingChart`): a
 * chart refetched as points arrive reads only the buckets written since, not 1,000 rows a bucket
 * again. A percentile of merged buckets equals the one of their rows (sketches merge exactly, and
 * count, min and max add up the same), so the answer is the one the rows give. Buckets before the
 * retention cutoff are not read: retention deletes them, so a held one could outlive its rows.
 */
function chartSeries(ctx: OrgContext, cache: BaselineCache, read: QueryOptions, range: TaggedRange): SeriesResult {
  const { name, tagSets: sets, resolutionMs } = range;
  const from = Math.max(range.from, oldestKept(resolutionMs, ctx.now, read.metricRetentionMs));
  const key = mergedKey(name, sets);
  const reader = `chart ${resolutionMs} ${read.windowSeconds} ${key}`;
  cache.readingChart(reader, key, name, from);
  const run = { resolution_ms: resolutionMs, from, to: bucketStart(range.to, resolutionMs) + resolutionMs };
  const fold = new SeriesFold(read);
  for (const b of mergedBuckets(ctx, cache, { reader, key, name, sets }, [run])) fold.add(b);
  return fold.result();
}
