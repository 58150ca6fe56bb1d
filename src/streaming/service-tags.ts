/**
 * Tagged metric points: the bound on tag sets per metric (checked before anything of the batch is
 * written) and the per-tag-set rollups (written in the batch's transaction), plus the read side:
 * `tag.<k>=<v>` filters and `group_by`, answered by merging the sketches of the selected tag sets.
 */
import { foldPoints, mergeStored, planQuery, querySeries, type SeriesResult, type QueryOptions } from "./rollup";
import { fail, type OrgContext, ok, type Result } from "./service-types";
import {
  listTagSets,
  registerTagSets,
  storedTaggedRollups,
  type TaggedBucket,
  tagSetsOf,
  taggedRollupsInRange,
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

export interface GroupResult {
  tags: Tags;
  result: SeriesResult;
}

/** The series of the tag sets matching `filter`, merged; with `groupBy`, one merged series per value. */
export function taggedSeries(
  ctx: OrgContext,
  name: string,
  options: QueryOptions,
  filter: Tags,
  groupBy: string | undefined,
): { all: SeriesResult; groups: GroupResult[] | null } {
  const plan = planQuery(options);
  const sets = listTagSets(ctx.sql, name).filter((s) => matchesFilter(s.tags, filter));
  const rows = taggedRollupsInRange(
    ctx.sql,
    name,
    sets.map((s) => s.tag_set),
    plan.resolution_ms,
    plan.from,
    plan.to,
  );
  const all = querySeries(rows, options);
  if (groupBy === undefined) return { all, groups: null };
  const bySet = new Map<number, TaggedBucket[]>();
  for (const r of rows) {
    const list = bySet.get(r.tag_set);
    if (list === undefined) bySet.set(r.tag_set, [r]);
    else list.push(r);
  }
  const groups = groupTagSets(sets, groupBy).map((g) => ({
    tags: { ...filter, [groupBy]: g.value },
    result: querySeries(
      g.sets.flatMap((s) => bySet.get(s.tag_set) ?? []),
      options,
    ),
  }));
  return { all, groups };
}
