import { useMemo, useState } from "preact/hooks";
import type { DashboardSummary } from "../api/types";
import { fmtNum, fmtTime } from "../ui/format";
import { Empty, ErrorBox, Loading } from "../ui/status";
import { AlertsTable } from "./AlertsTable";
import { ConnectionPill } from "./ConnectionPill";
import { MetricChart } from "./MetricChart";
import { EventsTable, PredictionsTable } from "./RecentTables";
import { SourcesTable } from "./SourcesTable";
import { SummaryCards, Trend } from "./SummaryCards";
import { TimeChart } from "./TimeChart";
import { useLive } from "./use-live";

const WINDOWS = [
  { s: 300, label: "5 minutes" },
  { s: 900, label: "15 minutes" },
  { s: 3600, label: "1 hour" },
  { s: 21600, label: "6 hours" },
  { s: 86400, label: "24 hours" },
  { s: 604800, label: "7 days" },
];
/** Charts shown at once; more metrics are listed but not drawn, to keep the page light. */
const MAX_CHARTS = 6;

export function LivePage() {
  const { state, status, pollError, reconnect, upsertAlert } = useLive();
  const [windowSeconds, setWindowSeconds] = useState(900);
  const sources = state.summary?.sources ?? [];
  const names = new Map(sources.map((s) => [s.id, s.name]));
  const sourceName = (id: string | null) => (id ? (names.get(id) ?? id) : "—");
  const metrics = [...state.metrics.values()].sort((a, b) => a.name.localeCompare(b.name));

  return (
    <section class="live" aria-labelledby="live-h">
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
      {!state.summary && pollError === null ? <Loading label="Loading live data…" /> : <SummaryCards state={state} />}

      <section class="panel" aria-labelledby="metrics-h">
        <div class="page-head">
          <h2 id="metrics-h">Metrics</h2>
          <div class="toolbar">
            <label for="window">Window</label>
            <select
              id="window"
              value={String(windowSeconds)}
              onChange={(e) => setWindowSeconds(Number(e.currentTarget.value))}
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
          {state.summary && <EventsPerMinute series={state.summary.events.per_minute_series} />}
          {metrics.length === 0 && (
            <li class="card">
              <Empty>No metrics yet. POST points to /api/v1/streaming-analytics/metrics.</Empty>
            </li>
          )}
          {metrics.slice(0, MAX_CHARTS).map((m) => (
            <li key={m.name} class="card">
              <h3>
                <span class="mono">{m.name}</span> <Trend trend={m.trend} />
              </h3>
              <p class="muted small">
                Latest {fmtNum(m.latest)} at {fmtTime(m.latest_at)}
              </p>
              <MetricChart
                name={m.name}
                windowSeconds={windowSeconds}
                version={state.metricVersions.get(m.name) ?? 0}
              />
            </li>
          ))}
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

/** Events received per minute over the last 30 minutes (the snapshot's series, advanced live). */
function EventsPerMinute({ series }: { series: DashboardSummary["events"]["per_minute_series"] }) {
  const xs = useMemo(() => series.map((p) => Date.parse(p.t) / 1000), [series]);
  const ys = useMemo(() => series.map((p) => p.count), [series]);
  const peak = Math.max(0, ...ys);
  return (
    <li class="card">
      <h3>Events per minute</h3>
      <p class="muted small">
        Last 30 minutes · now {fmtNum(ys[ys.length - 1])}/min · peak {fmtNum(peak)}/min
      </p>
      <TimeChart
        xs={xs}
        ys={ys}
        kind="bars"
        label={`Events per minute over the last 30 minutes: latest ${ys[ys.length - 1] ?? 0}, peak ${peak}.`}
      />
    </li>
  );
}
