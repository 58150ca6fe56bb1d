import { z } from "@hono/zod-openapi";
import type { FieldError } from "./problem";

/**
 * The one parser for times on input (events, predictions, metrics, results, list filters). Bounded
 * well inside the JS Date range so that every accepted time can be rendered back as ISO-8601: an
 * unbounded digit string (`"9999999999999999"`) used to be stored and then broke every read that
 * formatted it (docs/streaming.md, "Limits").
 */
export const MIN_TIME_MS = Date.UTC(2000, 0, 1); // 2000-01-01T00:00:00.000Z
export const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999); // 9999-12-31T23:59:59.999Z

const RANGE = "must be between 2000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z";

export const TIME_FORMS = "an ISO-8601 time with a zone (2026-12-03T10:00:00Z) or epoch milliseconds";

/**
 * Epoch seconds are the commonest wrong time (Python's time.time(), Unix tools): as milliseconds
 * they fall in 1970, so the range error says what the number looks like and what to send instead.
 */
export function outOfRange(ms: number): string {
  const asSeconds = ms * 1000;
  return Number.isInteger(ms) && isPresentableTime(asSeconds)
    ? `${RANGE}; ${ms} looks like epoch seconds: send milliseconds (${asSeconds}) or an ISO-8601 time`
    : RANGE;
}

/** True when `ms` is a time this service accepts (and therefore can present). */
const isPresentableTime = (ms: number): boolean => Number.isSafeInteger(ms) && ms >= MIN_TIME_MS && ms <= MAX_TIME_MS;

/** ISO-8601 with a zone, or epoch milliseconds (a number, or digits as text in query strings), normalized to epoch ms. */
export const TimeIn = z
  .union(
    [
      z.iso.datetime({ offset: true }),
      // Past 2^53 (1e308) zod's own "Too big: expected int to be <=9007199254740991" came through.
      z.number().int({ error: RANGE }),
      // Query strings carry digits as text; 16 digits is past the upper bound, which the range check refuses.
      z.string().regex(/^\d{1,16}$/),
    ],
    // Said once, plainly: zod's own union message is a bare "Invalid input" (a date without a time,
    // or a time without a zone, matched none of the three forms).
    { error: (issue) => (issue.input === undefined ? `required: ${TIME_FORMS}` : `must be ${TIME_FORMS}`) },
  )
  .transform((v) => (typeof v === "number" ? v : /^\d+$/.test(v) ? Number(v) : Date.parse(v)))
  .pipe(
    z.number().superRefine((ms, ctx) => {
      if (!isPresentableTime(ms)) ctx.addIssue({ code: "custom", message: outOfRange(ms), input: ms });
    }),
  )
  .openapi({
    description: "ISO-8601 UTC time or epoch milliseconds, between 2000-01-01 and 9999-12-31 (UTC)",
    example: "2026-11-29T12:00:00Z",
  });

/**
 * How far ahead of the receiving clock an item's time may be: a client's clock skew, not a time
 * that has not happened yet. A point dated 2099 used to become a metric's "latest" value for good,
 * and events dated then sorted first in every newest-first list. Exposures use the same bound.
 */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

const AHEAD = "more than 5 minutes ahead of the server clock";

/**
 * One error per item dated past `now` + MAX_FUTURE_SKEW_MS, named `<prefix><i>.<field>` (the
 * item's time is read by `at`; undefined means "now"). Items are checked where the clock that
 * stamps them runs: the organization's object for streaming data, the Worker for results.
 */
export function futureTimeErrors<T>(
  items: readonly T[],
  at: (item: T) => number | undefined,
  path: (i: number) => string,
  now: number,
): FieldError[] {
  const limit = now + MAX_FUTURE_SKEW_MS;
  const errors: FieldError[] = [];
  for (let i = 0; i < items.length; i++) {
    const t = at(items[i] as T);
    if (t !== undefined && t > limit) errors.push({ path: path(i), message: AHEAD });
  }
  return errors;
}
