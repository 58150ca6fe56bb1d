/**
 * Metric tag sets. A point's tags are one tag set, identified by a canonical key (its entries sorted
 * by key), so `{a, b}` and `{b, a}` are the same set. Each metric may have at most
 * MAX_TAG_SETS_PER_METRIC distinct sets: every set is a row per bucket and resolution, so an
 * unbounded tag (a user id, a request id) would multiply storage and query cost without limit.
 */

export const MAX_TAG_SETS_PER_METRIC = 1000;

export type Tags = Record<string, string>;

export function tagSetKey(tags: Tags): string {
  return JSON.stringify(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function hasTags(tags: Tags | undefined | null): tags is Tags {
  return tags !== undefined && tags !== null && Object.keys(tags).length > 0;
}

/**
 * A tag's value, own keys only: `tags.constructor` or `tags.toString` would otherwise be found on
 * the object's prototype, making groups up (`group_by=toString`) or, for `__proto__`, an object
 * that cannot cross to the Worker (a 500).
 */
const tagValue = (tags: Tags, key: string): string | undefined => (Object.hasOwn(tags, key) ? tags[key] : undefined);

/** Every filter entry must be present with the same value. */
export function matchesFilter(tags: Tags, filter: Tags): boolean {
  return Object.entries(filter).every(([k, v]) => tagValue(tags, k) === v);
}

/**
 * Groups tag sets by the value of one key; sets without the key are left out (a point without the
 * tag belongs to no group). Groups come back sorted by value.
 */
export function groupTagSets<T extends { tags: Tags }>(
  sets: readonly T[],
  key: string,
): { value: string; sets: T[] }[] {
  const groups = new Map<string, T[]>();
  for (const set of sets) {
    const value = tagValue(set.tags, key);
    if (value === undefined) continue;
    const list = groups.get(value);
    if (list === undefined) groups.set(value, [set]);
    else list.push(set);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([value, list]) => ({ value, sets: list }));
}

/**
 * Which new tag sets a batch adds per metric, and which metrics it would push over the bound.
 * `known` maps metric name → the keys already stored.
 */
export function newTagSets(
  points: readonly { name: string; tags: Tags }[],
  known: ReadonlyMap<string, ReadonlySet<string>>,
  limit = MAX_TAG_SETS_PER_METRIC,
): { added: Map<string, Map<string, Tags>>; over: { name: string; total: number }[] } {
  const added = new Map<string, Map<string, Tags>>();
  for (const p of points) {
    if (!hasTags(p.tags)) continue;
    const key = tagSetKey(p.tags);
    if (known.get(p.name)?.has(key)) continue;
    let forName = added.get(p.name);
    if (forName === undefined) {
      forName = new Map();
      added.set(p.name, forName);
    }
    forName.set(key, p.tags);
  }
  const over: { name: string; total: number }[] = [];
  for (const [name, sets] of added) {
    const total = (known.get(name)?.size ?? 0) + sets.size;
    if (total > limit) over.push({ name, total });
  }
  return { added, over };
}
