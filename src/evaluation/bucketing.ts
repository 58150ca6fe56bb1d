/**
 * Deterministic bucketing, fixed by docs/bucketing.md so that every SDK in every language
 * assigns a user to the same variant as the server. See docs/bucketing.md for the
 * step-by-step algorithm and test/fixtures/bucketing.json for the golden cases.
 *
 * This is the assignment hot path: nothing here allocates except the two strings
 * the specification itself requires (seed + userId, and the decimal of the first hash).
 */

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Bucket resolution: n is an integer number of basis points, 0..9999. */
export const BUCKETS = 10_000;

/**
 * 32-bit FNV-1a over the UTF-16 code units of `s` (not UTF-8 bytes: JavaScript strings
 * are UTF-16, and hashing code units avoids an encoder on the hot path; other languages
 * must encode to UTF-16 and XOR each 16-bit unit). Returns an unsigned 32-bit integer.
 */
export function fnv1a32(s: string): number {
  let h = FNV_OFFSET_BASIS;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    // Math.imul keeps the multiply in 32-bit integer arithmetic; a plain `*` would lose
    // low bits once the product exceeds 2^53.
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

/**
 * The user's bucket as an integer 0..9999. Hashing twice (the second time over the
 * decimal string of the first hash) spreads sequential ids, whose single FNV-1a hashes
 * differ mostly in low bits, across the whole range.
 */
export function bucketBasisPoints(seed: string, userId: string): number {
  return fnv1a32(String(fnv1a32(seed + userId))) % BUCKETS;
}

/** `n` of docs/bucketing.md: the user's position in [0, 1), always a multiple of 1/10000. */
export function bucketOf(seed: string, userId: string): number {
  return bucketBasisPoints(seed, userId) / BUCKETS;
}

/**
 * A percentage (0-100) as an integer number of basis points (hundredths of a percent),
 * rounding half up in IEEE-754 double arithmetic: floor(p * 100 + 0.5), clamped to
 * 0..10000. Quantising once here is what lets range checks below be exact integer
 * comparisons that every language reproduces bit for bit (33.3 * 100 is
 * 3329.9999999999995 in doubles; comparing such values directly would make edge users
 * depend on the language's float formatting and operation order).
 */
export function toBasisPoints(percent: number): number {
  if (!(percent > 0)) return 0; // also maps NaN to 0
  if (percent >= 100) return BUCKETS;
  return Math.floor(percent * 100 + 0.5);
}

/**
 * Picks the variant index whose range holds bucket `bp` (0..9999), or null when the
 * user is outside coverage.
 *
 * Variant i owns [S_i, S_i + C * P_i / 10000) in basis points, where P_i is its
 * percentage in basis points, S_i = P_0 + ... + P_{i-1} (NOT scaled by coverage) and C
 * is coverage in basis points. Starts do not depend on coverage, so raising coverage only
 * extends each range to the right and never moves an enrolled user. Multiplying through
 * by 10000 gives the integer test 10000 * (bp - S_i) < C * P_i, whose operands stay below
 * 2^31, exact in every language's integers or doubles.
 */
function pickIndex<T>(
  bp: number,
  coverageBp: number,
  items: readonly T[],
  percentOf: (item: T) => number,
): number | null {
  if (coverageBp <= 0) return null;
  let start = 0;
  for (let i = 0; i < items.length; i++) {
    const p = toBasisPoints(percentOf(items[i] as T));
    if (bp < start) return null; // ranges are ordered; bp fell in a gap left by coverage
    if ((bp - start) * BUCKETS < coverageBp * p) return i;
    start += p;
  }
  return null;
}

const identity = (x: number): number => x;

/**
 * docs/bucketing.md's range rule over `n` (as returned by bucketOf), `coverage` (0-100) and the
 * variants' traffic percentages in creation order. Returns the variant index or null
 * (outside coverage). Percentages need not sum to 100: any remainder is simply unowned.
 */
export function pickVariant(n: number, coverage: number, percentages: readonly number[]): number | null {
  // n is k/10000 for an integer k, so rounding recovers k exactly.
  return pickIndex(Math.round(n * BUCKETS), toBasisPoints(coverage), percentages, identity);
}

/**
 * pickVariant over objects, for evaluate(): reading the percentage through an accessor
 * avoids building a percentages array per assignment.
 */
export function pickVariantOf<T>(
  n: number,
  coverage: number,
  items: readonly T[],
  percentOf: (item: T) => number,
): number | null {
  return pickIndex(Math.round(n * BUCKETS), toBasisPoints(coverage), items, percentOf);
}

/** Namespace buckets: GrowthBook's resolution, kept so its users stay in the same layer. */
const NAMESPACE_BUCKETS = 1000;

/**
 * A user's position in a namespace, in [0, 1) in steps of 1/1000 (docs/contract.md; GrowthBook's
 * `inNamespace` hash): ONE FNV-1a pass over `user_id + "__" + key`.
 * Unlike the experiment bucket it does not depend on any experiment's seed, which is what lets
 * experiments of one namespace with disjoint ranges never share a user.
 */
export function namespaceBucket(userId: string, namespaceKey: string): number {
  return (fnv1a32(`${userId}__${namespaceKey}`) % NAMESPACE_BUCKETS) / NAMESPACE_BUCKETS;
}

/** Whether the user's namespace position lies in [start, end). */
export function inNamespace(userId: string, namespace: { key: string; start: number; end: number }): boolean {
  const n = namespaceBucket(userId, namespace.key);
  return n >= namespace.start && n < namespace.end;
}

/**
 * Flag rollout (docs/contract.md): the user is in a rule's rollout when their bucket for the flag key,
 * `fnv1a32(String(fnv1a32(flag_key + user_id))) % 10000`, is below the rollout in basis points.
 * The bucket does not depend on the percentage, so raising a rollout only adds users.
 * Percentages are quantised like coverage (two decimals), keeping every language exact.
 */
export function inRollout(flagKey: string, userId: string, rolloutPercentage: number): boolean {
  return bucketBasisPoints(flagKey, userId) < toBasisPoints(rolloutPercentage);
}

/**
 * How many of the 10,000 buckets each variant actually serves, by the same integer rule as pickIndex:
 * variant i holds the k = 0, 1, … buckets after S_i with k·10000 < C·P_i, i.e. ceil(C·P_i / 10000) of
 * them (never past bucket 9999). These, not the configured percentages, are the expected shares for
 * SRM: at 0.5% coverage a 33/33/34 split serves 17/17/17 buckets, and at 0.25% a 10/90 split 3/23.
 */
export function servedBucketWidths(coverage: number, percentages: readonly number[]): number[] {
  const coverageBp = toBasisPoints(coverage);
  let start = 0;
  return percentages.map((percent) => {
    const p = toBasisPoints(percent);
    const width = coverageBp <= 0 ? 0 : Math.max(0, Math.min(Math.ceil((coverageBp * p) / BUCKETS), BUCKETS - start));
    start += p;
    return width;
  });
}
