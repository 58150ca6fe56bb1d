import { z } from "@hono/zod-openapi";

/** The `:id` path parameter of every resource route: opaque, bounded so it cannot bloat a query. */
export const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: "id", in: "path" } }),
});

const LIMIT_MESSAGE = "must be a whole number from 1 to 500 (default 50), given once";

/**
 * The `limit` query parameter of every list: 1 to 500, default 50 (API.md's conventions). One
 * message for every way to miss: zod's own were "Too big: expected int to be <=9007199254740991"
 * for 99999999999999999999 and "expected number, received NaN" for `limit=5&limit=6`.
 */
export const LimitQuery = z.coerce
  .number({ error: LIMIT_MESSAGE })
  .int({ error: LIMIT_MESSAGE, abort: true })
  .min(1, { error: LIMIT_MESSAGE, abort: true })
  .max(500, { error: LIMIT_MESSAGE })
  .default(50);

/**
 * The paging fields of every list's query (API.md, Conventions): spread beside the list's own filters.
 * A cursor is bounded at 400 characters: GET /streaming-analytics/metrics keys on the metric's name,
 * and a 200-character name makes a cursor of 288.
 */
export const pageQueryFields = { limit: LimitQuery, cursor: z.string().max(400).optional() };

/** Every list's answer: `{ items, next_cursor }`, as an OpenAPI component named `name`. */
export const listOf = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ items: z.array(item), next_cursor: z.string().nullable() }).openapi(name);
