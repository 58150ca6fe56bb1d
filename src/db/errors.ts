/** D1 wraps SQLite errors (sometimes twice); look through every message in the cause chain. */
export function constraintViolated(err: unknown, pattern: RegExp): boolean {
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < 5; depth++) {
    if (pattern.test(e.message)) return true;
    e = e.cause;
  }
  return false;
}

/**
 * A key a write stores under a UNIQUE constraint (`pattern`, as constraintViolated reads it), and
 * the error when it is taken. An undefined key is one the write does not store (a rename that
 * keeps its key), so its constraint cannot be what failed.
 */
export type UniqueKey = readonly [pattern: RegExp, key: string | undefined, taken: (key: string) => Error];

/**
 * `work`, with a UNIQUE violation of one of `keys` turned into its error (a 409 naming the taken
 * key, for the repositories). Anything else is rethrown as it came.
 */
export async function guardUnique<T>(work: Promise<T>, ...keys: UniqueKey[]): Promise<T> {
  try {
    return await work;
  } catch (err) {
    for (const [pattern, key, taken] of keys)
      if (key !== undefined && constraintViolated(err, pattern)) throw taken(key);
    throw err;
  }
}
