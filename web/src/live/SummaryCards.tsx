import type { MetricSummary } from "../api/types";
import { fmtCompact, fmtNum, fmtPct } from "../ui/format";
import type { LiveState } from "./store";

const TREND: Record<MetricSummary["trend"], { arrow: string; text: string }> = {
  up: { arrow: "▲", text: "trending up" },
  down: { arrow: "▼", text: "trending down" },
  stable: { arrow: "▶", text: "stable" },
};

export function Trend({ trend }: { trend: MetricSummary["trend"] }) {
  const t = TREND[trend];
  return (
    <span class={`trend trend-${trend}`} title={`5-minute trend: ${t.text}`}>
      <span aria-hidden="true">{t.arrow}</span>
      <span class="visually-hidden">{t.text}</span>
    </span>
  );
}

export function SummaryCards({ state }: { state: LiveState }) {
  const s = state.summary;
  const active = [...state.alerts.values()];
  const critical = active.filter((a) => a.severity === "critical" || a.severity === "error").length;
  const sources = s?.sources ?? [];
  const healthy = sources.filter((x) => x.health.status === "healthy").length;
  return (
    <ul class="cards" aria-label="Summary">
      <li class="card stat">
        <span class="stat-label">Events</span>
        <span class="stat-value" data-testid="events-total">
          {fmtNum(state.eventsTotal)}
        </span>
        <span class="stat-sub">{s ? `${fmtNum(s.events.per_minute)}/min over 5 min` : "—"}</span>
      </li>
      <li class="card stat">
        <span class="stat-label">Live rate</span>
        <span class="stat-value">{fmtCompact(state.liveRate)}/s</span>
        <span class="stat-sub">last 10 seconds</span>
      </li>
      <li class="card stat">
        <span class="stat-label">Predictions</span>
        <span class="stat-value">{fmtNum(state.predictionsTotal)}</span>
        <span class="stat-sub">mean confidence {fmtPct(state.meanConfidence)}</span>
      </li>
      <li class={`card stat${critical ? " stat-alert" : ""}`}>
        <span class="stat-label">Active alerts</span>
        <span class="stat-value">{active.length}</span>
        <span class="stat-sub">
          {critical} error or critical · {active.filter((a) => a.status === "acknowledged").length} acknowledged
        </span>
      </li>
      <li class="card stat">
        <span class="stat-label">Sources</span>
        <span class="stat-value">
          {healthy}/{sources.length}
        </span>
        <span class="stat-sub">healthy</span>
      </li>
      <li class="card stat">
        <span class="stat-label">Last 5 minutes</span>
        <span class="stat-value">{fmtNum(s?.events.last_5m)}</span>
        <span class="stat-sub">events received</span>
      </li>
    </ul>
  );
}
