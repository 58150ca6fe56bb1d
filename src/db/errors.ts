/** D1 wraps SQLite errors (sometimes twice); look through every message in the cause chain. */
export function constraintViolated(err: unknown, pattern: RegExp): boolean {
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < 5; depth++) {
    if (pattern.test(e.message)) return true;
    e = e.cause;
  }
  return false;
}
