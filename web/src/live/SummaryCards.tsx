import type { ComponentChildren } from "preact";
import { Link } from "../router";
import { fmtCompact, fmtConfidence, fmtNum } from "../ui/format";
import type { LiveState } from "./store";

/** A summary card: every big number has its label above and its unit beside it. */
function Stat(props: {
  label: string;
  value: string;
  unit: string;
  sub: ComponentChildren;
  alert?: boolean;
  testId?: string;
}) {
  return (
    <li class={`card stat${props.alert ? " stat-alert" : ""}`}>
      <span class="stat-label">{props.label}</span>
      <span class="stat-value">
        <span data-testid={props.testId}>{props.value}</span> <span class="stat-unit">{props.unit}</span>
      </span>
      <span class="stat-sub">{props.sub}</span>
    </li>
  );
}

interface Props {
  state: LiveState;
  /** Events per minute over the chosen window, and the minutes it covers. */
  perMinute: number;
  minutes: number;
}

export function SummaryCards({ state, perMinute, minutes }: Props) {
  const s = state.summary;
  const active = [...state.alerts.values()];
  const critical = active.filter((a) => a.severity === "critical" || a.severity === "error").length;
  const sources = s?.sources ?? [];
  const healthy = sources.filter((x) => x.health.status === "healthy").length;
  return (
    <ul class="cards" aria-label="Summary">
      <Stat
        label="Events"
        value={fmtNum(state.eventsTotal)}
        unit="total"
        testId="events-total"
        sub={s ? `${fmtNum(perMinute)}/min over the last ${minutes} min` : "—"}
      />
      <Stat label="Live rate" value={fmtCompact(state.liveRate)} unit="events/s" sub="last 10 seconds" />
      <Stat
        label="Predictions"
        value={fmtNum(state.predictionsTotal)}
        unit="total"
        sub={
          <>
            mean confidence {fmtConfidence(state.meanConfidence)} · <Link href="/models">by model</Link>
          </>
        }
      />
      <Stat
        label="Active alerts"
        value={String(active.length)}
        unit={active.length === 1 ? "alert" : "alerts"}
        alert={critical > 0}
        sub={`${critical} error or critical · ${active.filter((a) => a.status === "acknowledged").length} acknowledged`}
      />
      <Stat label="Sources" value={`${healthy}/${sources.length}`} unit="healthy" sub="sources with events in 5 min" />
      <Stat label="Last 5 minutes" value={fmtNum(s?.events.last_5m)} unit="events" sub="received" />
    </ul>
  );
}
