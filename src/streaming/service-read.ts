/**
 * Read side: lists, metric catalogue and series, and the dashboard summary (also the live
 * `snapshot`). Rows go through present.ts, which skips (and logs) any it cannot present.
 */
import {
  iso,
  presentAlert,
  presentEvent,
  presentEvents,
  presentMetricSummaries,
  presentModels,
  presentPage,
  presentPrediction,
  presentPredictions,
  presentSources,
} from "./present";
import {
  type Aggregation,
  latestAndTrend,
  needsSketch,
  planQuery,
  querySeries,
  type SeriesResult,
  trendQueryRange,
} from "./rollup";
import { summarizeModels } from "./models";
import type {
  AlertOutT,
  DashboardSummaryT,
  EventOutT,
  MetricSeriesT,
  MetricSummaryT,
  ModelsSummaryT,
  PredictionOutT,
} from "./schemas";
import { MODEL_ROLLUPS_MAX, RATE_SERIES_DEFAULT_MINUTES } from "./model";
import { coarsestNeeded } from "./group-budget";
import { taggedSeries } from "./service-tags";
import { fail, type OrgContext, ok, pageOrBadCursor, type Result } from "./service-types";
import { type AlertFilter, countAlerts, listAlerts, toAlert } from "./store/alerts";
import { historyOf } from "./store/history";
import { type EventFilter, listEvents, readCounter, receivedSince, recentEvents } from "./store/events";
import {
  countModelRollupsInRange,
  listMetricNames,
  type MetricCatalogueEntry,
  metricExists,
  metricPage,
  modelRollupsInRange,
  recentRollupsByName,
  metricBucketsIn,
} from "./store/metrics";
import { listPredictions, type PredictionFilter, predictionTotals, recentPredictions } from "./store/predictions";
import { listSources, rateBucket } from "./store/sources";
import type { Page, PageFilter } from "./store/sql";
import { metricRetentionMs } from "./store/retention";

const MINUTE_MS = 60_000;
const RECENT_ITEMS = 20;

export interface SeriesQuery {
  window: number;
  aggregation: Aggregation;
  step?: number | undefined;
  /** `tag.<k>=<v>` filters; empty: every point. */
  tags?: Record<string, string>;
  group_by?: string | undefined;
}

const presentSeries = (series: SeriesResult["series"]) => series.map((p) => ({ t: iso(p.t), value: p.value }));

function pageOf<R, T>(
  page: Page<R> | null,
  present: (row: R) => T,
  table: string,
  key: (row: R) => string,
): Result<Page<T>> {
  return pageOrBadCursor(page === null ? null : presentPage(page, present, table, key));
}

export const eventPage = (ctx: OrgContext, filter: EventFilter): Result<Page<EventOutT>> =>
  pageOf(listEvents(ctx.sql, filter), presentEvent, "events", (r) => r.event_id);

export const predictionPage = (ctx: OrgContext, filter: PredictionFilter): Result<Page<PredictionOutT>> =>
  pageOf(listPredictions(ctx.sql, filter), presentPrediction, "predictions", (r) => r.id);

export function alertPage(ctx: OrgContext, filter: AlertFilter): Result<Page<AlertOutT>> {
  const page = listAlerts(ctx.sql, filter);
  // One history query for the whole page.
  const history = historyOf(ctx.sql, page?.items.map((r) => r.id) ?? []);
  return pageOf(
    page,
    (r) => presentAlert(toAlert(r), history.get(r.id) ?? []),
    "alerts",
    (r) => r.id,
  );
}

/**
 * Catalogue rows with their trend. `pageOnly`: the trend's rollups are read for these rows' names
 * only (a page of GET /metrics), not for every metric (the dashboard, which lists them all).
 */
function metricSummaries(ctx: OrgContext, rows: readonly MetricCatalogueEntry[], pageOnly: boolean): MetricSummaryT[] {
  const { resolution_ms, from } = trendQueryRange(ctx.now);
  const names = pageOnly ? rows.map((m) => m.name) : undefined;
  const recent = recentRollupsByName(ctx.sql, resolution_ms, from, names);
  return presentMetricSummaries(rows, (name) => latestAndTrend(recent.get(name) ?? [], ctx.now).trend);
}

/** GET /metrics: a page by name, the trend computed for the page's metrics only. */
export function metricList(ctx: OrgContext, filter: PageFilter): Result<Page<MetricSummaryT>> {
  const page = metricPage(ctx.sql, filter);
  return pageOrBadCursor(page && { items: metricSummaries(ctx, page.items, true), next_cursor: page.next_cursor });
}

export function metricSeries(ctx: OrgContext, name: string, query: SeriesQuery): Result<MetricSeriesT> {
  if (!metricExists(ctx.sql, name)) return fail("not-found", `no metric named ${name}`);
  const options = {
    windowSeconds: query.window,
    stepSeconds: query.step,
    aggregation: query.aggregation,
    now: ctx.now,
    metricRetentionMs: metricRetentionMs(ctx.retention),
  };
  const base = { name, aggregation: query.aggregation, window_seconds: query.window };
  const filter = query.tags ?? {};
  const filtered = Object.keys(filter).length > 0;
  const tagged =
    filtered || query.group_by !== undefined ? taggedSeries(ctx, name, options, filter, query.group_by) : null;
  if (tagged !== null && !tagged.ok) return tagged;
  // Without a filter the headline covers every point, tagged or not (the untagged totals), at the
  // groups' step.
  const read = tagged?.value.options ?? options;
  const plan = planQuery(read);
  const headline =
    tagged?.value.all ??
    querySeries(
      metricBucketsIn(ctx.sql, name, plan.resolution_ms, plan.from, plan.to, needsSketch(read.aggregation)),
      read,
    );
  return ok({
    ...base,
    step_seconds: headline.step_seconds,
    value: headline.value,
    series: presentSeries(headline.series),
    ...(filtered ? { tags: filter } : {}),
    ...(tagged?.value.groups
      ? {
          groups: tagged.value.groups.map((g) => ({
            tags: g.tags,
            value: g.result.value,
            series: presentSeries(g.result.series),
          })),
        }
      : {}),
  });
}

export interface ModelsQuery {
  window: number;
  model_name?: string | undefined;
}

/**
 * `GET /models`: the window's model rollups (one plan for every series, so all versions share
 * their steps) summarized per model and version. Reads buckets only: its cost grows with the
 * model versions and the window's buckets, not with the predictions.
 */
export function modelsSummary(ctx: OrgContext, query: ModelsQuery): Result<ModelsSummaryT> {
  const model = query.model_name ?? null;
  // The rows are counted (an index count) before any is read; a window with too many for its
  // usual buckets is answered from coarser ones, its `step_seconds` saying so.
  const plan = coarsestNeeded(
    { windowSeconds: query.window, now: ctx.now, metricRetentionMs: metricRetentionMs(ctx.retention) },
    MODEL_ROLLUPS_MAX,
    (p) => countModelRollupsInRange(ctx.sql, p.resolution_ms, p.from, p.to, model),
  );
  if (plan === null) {
    return fail(
      "unprocessable",
      `the model rollups of this window are more than the ${MODEL_ROLLUPS_MAX} one answer may read, even at hourly buckets: ` +
        "use a shorter window, or model_name for one model",
      [
        { path: "query.window", message: `too many model rollups over ${query.window} s` },
        ...(model === null ? [{ path: "query.model_name", message: "one model reads only its own versions" }] : []),
      ],
    );
  }
  const rows = modelRollupsInRange(ctx.sql, plan.resolution_ms, plan.from, plan.to, model);
  return ok(presentModels(summarizeModels(rows, plan), plan, query.window));
}

/** `minutes`: the length of the per-minute series, 1 to RATE_SERIES_MAX_MINUTES (the route checks it). */
export function dashboard(ctx: OrgContext, minutes = RATE_SERIES_DEFAULT_MINUTES): DashboardSummaryT {
  const { now, sql } = ctx;
  const seriesFrom = now - (now % MINUTE_MS) - (minutes - 1) * MINUTE_MS;
  const lastFiveFrom = rateBucket(now - 5 * MINUTE_MS);
  const perMinute = new Map<number, number>();
  let lastFive = 0;
  for (const { bucket, n } of receivedSince(sql, Math.min(seriesFrom, lastFiveFrom))) {
    if (bucket >= lastFiveFrom) lastFive += n;
    const minute = bucket - (bucket % MINUTE_MS);
    if (minute >= seriesFrom) perMinute.set(minute, (perMinute.get(minute) ?? 0) + n);
  }
  return {
    generated_at: iso(now),
    events: {
      total: readCounter(sql, "events_total"),
      last_5m: lastFive,
      per_minute: lastFive / 5,
      per_minute_series: Array.from({ length: minutes }, (_, i) => {
        const t = seriesFrom + i * MINUTE_MS;
        return { t: iso(t), count: perMinute.get(t) ?? 0 };
      }),
    },
    predictions: predictionTotals(sql),
    alerts: countAlerts(sql),
    sources: presentSources(listSources(sql, now), now),
    // Every metric, whatever their number: the dashboard (and the live snapshot) shows them all.
    metrics: metricSummaries(ctx, listMetricNames(ctx.sql), false),
    recent_events: presentEvents(recentEvents(sql, RECENT_ITEMS)),
    recent_predictions: presentPredictions(recentPredictions(sql, RECENT_ITEMS)),
  };
}
