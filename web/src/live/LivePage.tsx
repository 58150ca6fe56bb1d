import { useCallback, useMemo, useRef } from "preact/hooks";
import type { Aggregation } from "../../../src/streaming/rollup";
import type { AlertRule } from "../api/types";
import { navigate, useLocation } from "../router";
import { fmtNum, fmtTime } from "../ui/format";
import { Empty, ErrorBox, Loading } from "../ui/status";
import { AlertsTable } from "./AlertsTable";
import { ConnectionPill } from "./ConnectionPill";
import { RATE_SERIES_MAX_MINUTES } from "../../../src/streaming/model";
import { type MinutePoint, rateOverWindow, seriesMinutesFor } from "./events-rate";
import { MetricChart } from "./MetricChart";
import { EventsTable, PredictionsTable } from "./RecentTables";
import { SourcesTable } from "./SourcesTable";
import { SummaryCards } from "./SummaryCards";
import { TimeChart } from "./TimeChart";
import { aggregationOf, groupByOf, type LiveView, readView, WINDOWS, writeView } from "./url-state";
import { useLive } from "./use-live";

/** Charts shown at once; more metrics are listed but not drawn, to keep the page light. */
const MAX_CHARTS = 6;
const NO_RULES: readonly AlertRule[] = [];
const NO_KEYS: readonly string[] = [];
const EVENTS_UNIT = { symbol: "events", count: true };

export function LivePage() {
  const loc = useLocation();
  const view = useMemo(() => readView(loc.query), [loc.query]);
  // The per-minute series follows the window (up to a day): the poll asks for that many minutes.
  const { state, status, pollError, reconnect, upsertAlert } = useLive(seriesMinutesFor(view.windowSeconds));
  // Counted for the e2e run (data-renders): the page must render a few times a second at most.
  const renders = useRef(0);
  renders.current++;
  const setView = useCallback(
    (next: LiveView) => navigate(`${location.pathname}${writeView(next, new URLSearchParams(location.search))}`, true),
    [],
  );
  const sources = state.summary?.sources ?? [];
  const names = useMemo(() => new Map(sources.map((s) => [s.id, s.name])), [sources]);
  const knownName = useCallback((id: string) => names.get(id), [names]);
  // An id not (yet) known shows as such, never as a raw id: the store fetches the names at once.
  const sourceName = (id: string | null) => (id ? (names.get(id) ?? "unknown source") : "—");
  const metrics = [...state.metrics.values()].sort((a, b) => a.name.localeCompare(b.name));
  const rulesByMetric = useMemo(() => {
    const m = new Map<string, AlertRule[]>();
    for (const r of state.rules) m.set(r.metric_name, [...(m.get(r.metric_name) ?? []), r]);
    return m;
  }, [state.rules]);
  const minuteSeries = state.summary?.events.per_minute_series;
  const rate = useMemo(
    () => rateOverWindow(minuteSeries ?? [], view.windowSeconds),
    [minuteSeries, view.windowSeconds],
  );

  return (
    <section class="live" aria-labelledby="live-h" data-testid="live-page" data-renders={renders.current}>
      <div class="page-head">
        <h1 id="live-h">Live</h1>
        <ConnectionPill status={status} onReconnect={reconnect} />
      </div>
      {state.lastMessageAt && (
        <p class="muted small" aria-live="off">
          Last update {fmtTime(state.lastMessageAt)}
        </p>
      )}
      {pollError !== null && <ErrorBox error={pollError} />}
      {!state.summary && pollError === null ? (
        <Loading label="Loading live data…" />
      ) : (
        <SummaryCards state={state} perMinute={rate.perMinute} minutes={rate.minutes} />
      )}

      <section class="panel" aria-labelledby="metrics-h">
        <div class="page-head">
          <h2 id="metrics-h">Metrics</h2>
          <div class="toolbar">
            <label for="window">Window</label>
            <select
              id="window"
              value={String(view.windowSeconds)}
              onChange={(e) => setView({ ...view, windowSeconds: Number(e.currentTarget.value) })}
            >
              {WINDOWS.map((w) => (
                <option key={w.s} value={String(w.s)}>
                  {w.label}
                </option>
              ))}
            </select>
          </div>
        </div>
        <ul class="charts">
          {state.summary && (
            // Only a window past what is kept is clipped; a shorter series is a poll still on its way.
            <EventsPerMinute
              points={rate.points}
              clipped={rate.clipped && view.windowSeconds / 60 > RATE_SERIES_MAX_MINUTES}
            />
          )}
          {metrics.length === 0 && (
            <li class="card">
              <Empty>No metrics yet. POST points to /api/v1/streaming-analytics/metrics.</Empty>
            </li>
          )}
          {metrics.slice(0, MAX_CHARTS).map((m) => {
            const rules = rulesByMetric.get(m.name) ?? NO_RULES;
            return (
              <MetricChart
                key={m.name}
                metric={m}
                windowSeconds={view.windowSeconds}
                aggregation={aggregationOf(view, m.name, rules[0]?.aggregation)}
                groupBy={groupByOf(view, m.name)}
                onPick={(pick: { aggregation?: Aggregation; groupBy?: string }) =>
                  setView({
                    ...view,
                    aggregation: pick.aggregation
                      ? { ...view.aggregation, [m.name]: pick.aggregation }
                      : view.aggregation,
                    groupBy: pick.groupBy === undefined ? view.groupBy : { ...view.groupBy, [m.name]: pick.groupBy },
                  })
                }
                version={state.metricVersions.get(m.name) ?? 0}
                rules={rules}
                alerts={state.alerts}
                tagKeys={state.tagKeys.get(m.name) ?? NO_KEYS}
                sourceName={knownName}
              />
            );
          })}
        </ul>
        {metrics.length > MAX_CHARTS && (
          <p class="muted small">
            Showing {MAX_CHARTS} of {metrics.length} metrics:{" "}
            {metrics
              .slice(MAX_CHARTS)
              .map((m) => `${m.name} ${fmtNum(m.latest)}`)
              .join(", ")}
            .
          </p>
        )}
      </section>

      <AlertsTable alerts={state.alerts} onUpdated={upsertAlert} />
      <div class="two-col">
        <EventsTable events={state.recentEvents} sourceName={sourceName} />
        <PredictionsTable predictions={state.recentPredictions} />
      </div>
      <SourcesTable sources={sources} />
    </section>
  );
}

/** Events received per minute over the chosen window (the snapshot's series, advanced live). */
function EventsPerMinute({ points, clipped }: { points: MinutePoint[]; clipped: boolean }) {
  const xs = useMemo(() => points.map((p) => Date.parse(p.t) / 1000), [points]);
  const series = useMemo(() => [{ label: "Events per minute", values: points.map((p) => p.count) }], [points]);
  const ys = series[0]?.values ?? [];
  const latest = ys[ys.length - 1] ?? 0;
  const peak = Math.max(0, ...ys);
  const span = `Last ${points.length} minute${points.length === 1 ? "" : "s"}`;
  return (
    <li class="card" data-testid="events-per-minute">
      <h3>Events per minute</h3>
      <p class="muted small">
        {span}
        {clipped ? " (kept per minute for a day)" : ""} · now {fmtNum(latest)}/min · peak {fmtNum(peak)}/min
      </p>
      <TimeChart
        xs={xs}
        series={series}
        unit={EVENTS_UNIT}
        kind="bars"
        label={`Events per minute, ${span.toLowerCase()}: latest ${latest}, peak ${peak}.`}
      />
    </li>
  );
}
