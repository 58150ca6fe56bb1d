import { z } from "@hono/zod-openapi";
import { defineRoute, problemResponses } from "../http/openapi";
import { enumQuery, listOf, textQuery, wholeQuery } from "../http/params";
import { limitIngest } from "../http/rate-limit";
import { createRouter } from "../http/router";
import { MAX_GROUPED_POINTS, MAX_TAGGED_ROWS } from "./group-budget";
import { RATE_SERIES_DEFAULT_MINUTES, RATE_SERIES_MAX_MINUTES } from "./model";
import { AGGREGATIONS } from "./rollup";
import {
  DashboardSummary,
  ListQuery,
  MetricBody,
  MetricName,
  MetricSeries,
  MetricsAccepted,
  MetricSummary,
  TagValue,
} from "./schemas";
import { body, json, orgOf, TAG, unwrap } from "./routes-shared";

const MAX_WINDOW_SECONDS = 400 * 86_400;

const TAG_PARAM = /^tag\.(.{1,200})$/;
const ONCE_PER_KEY =
  "a tag filter is given once per key (a point has one value per tag); filters on different keys must all match (AND)";

/**
 * The `tag.<key>=<value>` filters among a query's parameters, and what is wrong with any of them.
 * Every other parameter is left alone (ignored, if the query does not name it).
 */
function tagFilters(query: Record<string, unknown>) {
  const tags: Record<string, string> = {};
  const issues: { path: string; message: string }[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (!k.startsWith("tag.")) continue;
    const key = TAG_PARAM.exec(k)?.[1];
    const value = TagValue.safeParse(v);
    // `tag.=x` (or a key past 200 characters) could match no point: ignoring it answered the
    // unfiltered series as if it were the filtered one.
    if (key === undefined) issues.push({ path: k, message: "a tag key of 1 to 200 characters" });
    // A repeated key arrives as an array: a point has one value per tag, so two values match nothing.
    else if (Array.isArray(v)) issues.push({ path: k, message: ONCE_PER_KEY });
    else if (!value.success) issues.push({ path: k, message: value.error.issues[0]?.message ?? "invalid" });
    else tags[key] = value.data;
  }
  return { tags, issues };
}

const DashboardQuery = z.object({
  minutes: wholeQuery({ min: 1, max: RATE_SERIES_MAX_MINUTES, default: RATE_SERIES_DEFAULT_MINUTES }).openapi({
    description: `Length of events.per_minute_series, 1 to ${RATE_SERIES_MAX_MINUTES} (a day)`,
  }),
});

const SeriesQuery = z
  .object({
    window: wholeQuery({ min: 10, max: MAX_WINDOW_SECONDS, default: 3600 }),
    aggregation: enumQuery(AGGREGATIONS).default("avg"),
    step: wholeQuery({ min: 10, max: MAX_WINDOW_SECONDS, absent: "about 60 points over the window" }).openapi({
      description:
        "Seconds per point. Default: about 60 points (with group_by or tag filters, coarser when needed to fit). A series has at most 1000 points (a finer step is raised)",
    }),
    group_by: textQuery({ min: 1, max: 200 })
      .optional()
      .openapi({
        description: `A tag key: one group per value. Groups × points per series: at most ${MAX_GROUPED_POINTS}`,
      }),
  })
  // `tag.<key>=<value>` filters have free keys. Every other unknown parameter is ignored whatever its
  // form, as on every route: a repeated `foo` or a long `ticket` was a 400 here and nowhere else.
  .catchall(z.unknown())
  // Checked even when another parameter is wrong (`when`), so one 400 names every bad parameter.
  .superRefine(
    (query, ctx) => {
      for (const { path, message } of tagFilters(query).issues) ctx.addIssue({ code: "custom", path: [path], message });
    },
    { when: () => true },
  )
  .transform(({ window, aggregation, step, group_by, ...rest }) => ({
    window,
    aggregation,
    step,
    group_by,
    tags: tagFilters(rest).tags,
  }));

export const metricRoutes = createRouter()
  .openapi(
    defineRoute(
      "ingest",
      {
        method: "post",
        path: "/metrics",
        tags: TAG,
        summary: "Record one metric point or a batch of up to 1000",
        request: body(MetricBody),
        responses: {
          202: json(MetricsAccepted, "Folded into the rollups"),
          ...problemResponses({ 422: "A metric would exceed 1000 distinct tag sets (nothing stored)" }),
        },
      },
      [limitIngest],
    ),
    async (c) => {
      const input = c.req.valid("json");
      const batch = "metrics" in input;
      return c.json(
        unwrap(await orgOf(c).ingestMetrics(batch ? input.metrics : [input]), batch ? undefined : "metrics"),
        202,
      );
    },
  )
  .openapi(
    defineRoute("read", {
      method: "get",
      path: "/metrics",
      tags: TAG,
      summary: "Metric names with latest value and trend",
      description:
        "A page of metrics by name (ascending byte order: `Z` before `a`), not newest first; `cursor` continues " +
        "after the last name of the page before. `GET /dashboard` carries every metric.",
      request: { query: ListQuery },
      responses: { 200: json(listOf(MetricSummary, "MetricSummaryList"), "A page of metrics, by name") },
    }),
    async (c) => c.json(unwrap(await orgOf(c).listMetrics(c.req.valid("query"))), 200),
  )
  .openapi(
    defineRoute("read", {
      method: "get",
      path: "/metrics/{name}",
      tags: TAG,
      summary: "A metric's window value and series",
      description:
        "Percentiles come from DDSketch rollups: within 1% relative error of the exact value. `tag.<key>=<value>` " +
        "keeps only points with that tag (once per key; filters on several keys must all match); `group_by=<key>` adds one series per value of that tag (sketches of the " +
        "tag sets merge, so grouped percentiles keep the same accuracy). A grouped answer carries at most " +
        `${MAX_GROUPED_POINTS} points (groups × points per series), and a filtered or grouped read folds at most ` +
        `${MAX_TAGGED_ROWS} rollups (selected tag sets × buckets): without \`step\` the default step is coarsened ` +
        "to fit (reading coarser buckets when needed); an explicit `step` that does not fit is a 422 naming the step that would.",
      request: {
        params: z.object({ name: MetricName.openapi({ param: { name: "name", in: "path" } }) }),
        query: SeriesQuery,
      },
      responses: {
        200: json(MetricSeries, "Window value and series (t: step start)"),
        ...problemResponses({
          422:
            `group_by with this step would answer more than ${MAX_GROUPED_POINTS} points (groups × points per series), ` +
            `or the tag sets selected would need more than ${MAX_TAGGED_ROWS} rollups read (tag sets × buckets)`,
        }),
      },
    }),
    async (c) => c.json(unwrap(await orgOf(c).metricSeries(c.req.valid("param").name, c.req.valid("query"))), 200),
  )
  .openapi(
    defineRoute("read", {
      method: "get",
      path: "/dashboard",
      tags: TAG,
      summary: "Summary for the live dashboard (also the WebSocket snapshot)",
      request: { query: DashboardQuery },
      responses: { 200: json(DashboardSummary, "The summary") },
    }),
    async (c) => c.json(await orgOf(c).dashboard(c.req.valid("query").minutes), 200),
  );
