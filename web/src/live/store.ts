import type {
  Alert,
  AlertRule,
  DashboardSummary,
  MetricSummary,
  Prediction,
  ServerMessage,
  Source,
  StreamEvent,
} from "../api/types";
import { mergeMinuteSeries } from "./events-rate";

/** Rows kept per table: enough to read, few enough that a re-render stays cheap at any ingest rate. */
const TABLE_CAP = 50;
/** How often buffered messages are applied: at most 4 renders a second however fast data arrives. */
const FLUSH_MS = 250;
const RATE_WINDOW_MS = 10_000;

export interface LiveState {
  summary: DashboardSummary | null;
  eventsTotal: number;
  predictionsTotal: number;
  meanConfidence: number | null;
  recentEvents: StreamEvent[];
  recentPredictions: Prediction[];
  /** Open and acknowledged alerts by id. */
  alerts: ReadonlyMap<string, Alert>;
  metrics: ReadonlyMap<string, MetricSummary>;
  /** Bumped per metric name when new points arrive, so its chart knows to refetch. */
  metricVersions: ReadonlyMap<string, number>;
  /** Tag keys seen per metric on live points (the API has no tag listing), for the group-by picker. */
  tagKeys: ReadonlyMap<string, readonly string[]>;
  /** Alert rules: their thresholds are drawn on their metric's chart and say which way is bad. */
  rules: readonly AlertRule[];
  /** Events per second over the last 10 s of received `events` messages. */
  liveRate: number;
  lastMessageAt: number | null;
}

export const initialState = (): LiveState => ({
  summary: null,
  eventsTotal: 0,
  predictionsTotal: 0,
  meanConfidence: null,
  recentEvents: [],
  recentPredictions: [],
  alerts: new Map(),
  metrics: new Map(),
  metricVersions: new Map(),
  tagKeys: new Map(),
  rules: [],
  liveRate: 0,
  lastMessageAt: null,
});

const isActive = (a: Alert) => a.status !== "resolved";

const MINUTE_MS = 60_000;
type MinuteSeries = DashboardSummary["events"]["per_minute_series"];

/**
 * Adds received events to the per-minute series (bucketed by receive time, like the server's),
 * opening new minutes as the clock moves and keeping the series' length.
 */
function bumpSeries(series: MinuteSeries, events: StreamEvent[]): MinuteSeries {
  const counts = new Map<number, number>();
  for (const e of events) {
    const at = Date.parse(e.received_at);
    if (Number.isNaN(at)) continue;
    const minute = at - (at % MINUTE_MS);
    counts.set(minute, (counts.get(minute) ?? 0) + 1);
  }
  if (counts.size === 0) return series;
  const out = series.map((p) => ({ ...p }));
  const lastT = out.length ? Date.parse(out[out.length - 1]?.t ?? "") : Number.NaN;
  const newest = Math.max(...counts.keys());
  if (!Number.isNaN(lastT)) {
    for (let t = lastT + MINUTE_MS; t <= newest; t += MINUTE_MS) out.push({ t: new Date(t).toISOString(), count: 0 });
  }
  for (const p of out) p.count += counts.get(Date.parse(p.t)) ?? 0;
  return out.slice(Math.max(0, out.length - series.length));
}

/**
 * Buffers socket messages and applies them in one pass per flush. Socket handlers only push to an
 * array (O(1), no rendering), so a burst of thousands of events costs one state update and one
 * render per FLUSH_MS, and the tables are capped before Preact ever sees them.
 */
export class LiveStore {
  private state: LiveState = initialState();
  private pending: ServerMessage[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly rateSamples: { at: number; n: number }[] = [];
  /** Alerts changed by messages while a list fetch was in flight win over the fetched copy. */
  private touched = new Set<string>();
  private disposed = false;
  private lastNotify = Number.NEGATIVE_INFINITY;
  private notifyTimer: ReturnType<typeof setTimeout> | null = null;

  /**
   * `onUnknownSource` runs when events name a source the view does not know yet (created since the
   * last poll), so its name shows at once instead of after the next 15 s poll.
   */
  constructor(
    private readonly onChange: (s: LiveState) => void,
    private readonly onUnknownSource: () => void = () => {},
  ) {}

  get current(): LiveState {
    return this.state;
  }

  push(msg: ServerMessage): void {
    this.pending.push(msg);
    if (this.timer === null) this.timer = setTimeout(() => this.flush(), FLUSH_MS);
  }

  /** Starts tracking alerts touched by messages; call before fetching the alert list. */
  beginAlertFetch(): void {
    this.touched = new Set();
  }

  setAlerts(list: Alert[]): void {
    const alerts = new Map(this.state.alerts);
    for (const a of list) {
      if (this.touched.has(a.id)) continue;
      if (isActive(a)) alerts.set(a.id, a);
      else alerts.delete(a.id);
    }
    this.emit({ ...this.state, alerts });
  }

  /** An alert answer from our own acknowledge/resolve call, applied at once. */
  upsertAlert(alert: Alert): void {
    this.touched.add(alert.id);
    const alerts = new Map(this.state.alerts);
    if (isActive(alert)) alerts.set(alert.id, alert);
    else alerts.delete(alert.id);
    this.emit({ ...this.state, alerts }, true);
  }

  /**
   * A polled GET /dashboard: it carries the 5-minute rate, per-minute series and source health that
   * messages do not. Counters only move forward, so a poll answered just before a burst was counted
   * does not make the totals jump back.
   */
  setSummary(d: DashboardSummary): void {
    const s = this.state;
    this.emit({
      ...s,
      summary: d,
      eventsTotal: Math.max(s.eventsTotal, d.events.total),
      predictionsTotal: Math.max(s.predictionsTotal, d.predictions.total),
      meanConfidence: d.predictions.total >= s.predictionsTotal ? d.predictions.mean_confidence : s.meanConfidence,
      recentEvents: s.recentEvents.length ? s.recentEvents : d.recent_events.slice(0, TABLE_CAP),
      recentPredictions: s.recentPredictions.length ? s.recentPredictions : d.recent_predictions.slice(0, TABLE_CAP),
    });
  }

  /** The answer of GET /sources: every source with its health, replacing the summary's list. */
  setSources(list: Source[]): void {
    const s = this.state;
    if (!s.summary) return;
    this.emit({ ...s, summary: { ...s.summary, sources: list } });
  }

  setRules(list: AlertRule[]): void {
    this.emit({ ...this.state, rules: list });
  }

  setMetrics(list: MetricSummary[]): void {
    this.emit({ ...this.state, metrics: new Map(list.map((m) => [m.name, m])) });
  }

  dispose(): void {
    // Answers of requests still in flight arrive after the view is gone; drop them.
    this.disposed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.notifyTimer !== null) clearTimeout(this.notifyTimer);
    this.timer = null;
    this.notifyTimer = null;
    this.pending = [];
  }

  /**
   * Every change goes through here, and the view hears of them at most once per FLUSH_MS (polls,
   * flushes and ticks coalesce into one render). The user's own actions (`now`) render at once.
   */
  private emit(next: LiveState, now = false): void {
    if (this.disposed) return;
    this.state = next;
    const wait = this.lastNotify + FLUSH_MS - Date.now();
    if (now || wait <= 0) {
      if (this.notifyTimer !== null) clearTimeout(this.notifyTimer);
      this.notifyTimer = null;
      this.notify();
    } else {
      this.notifyTimer ??= setTimeout(() => {
        this.notifyTimer = null;
        this.notify();
      }, wait);
    }
  }

  private notify(): void {
    this.lastNotify = Date.now();
    this.onChange(this.state);
  }

  private flush(): void {
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    const now = Date.now();
    let s: LiveState = { ...this.state, lastMessageAt: now };
    let newEvents: StreamEvent[] = [];
    let newPredictions: Prediction[] = [];
    let alerts: Map<string, Alert> | null = null;
    let metrics: Map<string, MetricSummary> | null = null;
    let versions: Map<string, number> | null = null;
    let tagKeys: Map<string, readonly string[]> | null = null;

    for (const msg of batch) {
      switch (msg.type) {
        case "snapshot": {
          const d = msg.data;
          // A snapshot is the truth at (re)connect: anything buffered before it is already in it.
          newEvents = [];
          newPredictions = [];
          s = {
            ...s,
            summary: {
              ...d,
              events: {
                ...d.events,
                per_minute_series: mergeMinuteSeries(s.summary?.events.per_minute_series, d.events.per_minute_series),
              },
            },
            eventsTotal: d.events.total,
            predictionsTotal: d.predictions.total,
            meanConfidence: d.predictions.mean_confidence,
            recentEvents: d.recent_events.slice(0, TABLE_CAP),
            recentPredictions: d.recent_predictions.slice(0, TABLE_CAP),
          };
          metrics = new Map(d.metrics.map((m) => [m.name, m]));
          break;
        }
        case "events":
          newEvents = newEvents.concat(msg.data);
          this.rateSamples.push({ at: now, n: msg.data.length });
          // The server's running total: a frame a poll has already counted (queued while the tab
          // was frozen) does not count twice. Older servers send none.
          s.eventsTotal =
            msg.total === undefined ? s.eventsTotal + msg.data.length : Math.max(s.eventsTotal, msg.total);
          break;
        case "predictions":
        case "prediction": {
          const items = msg.type === "predictions" ? msg.data : [msg.data];
          if (msg.type === "predictions" && msg.total !== undefined) {
            // As for events: the server's totals, so a frame a poll already counted is not counted twice.
            newPredictions.push(...items);
            if (msg.total > s.predictionsTotal) {
              s.predictionsTotal = msg.total;
              s.meanConfidence = msg.mean_confidence ?? s.meanConfidence;
            }
            break;
          }
          // An older server's frame, counted item by item (`prediction`, one, is the first release's).
          for (const p of items) {
            const n = s.predictionsTotal;
            s.meanConfidence =
              s.meanConfidence === null ? p.confidence : (s.meanConfidence * n + p.confidence) / (n + 1);
            s.predictionsTotal = n + 1;
            newPredictions.push(p);
          }
          break;
        }
        case "alert":
        case "alert_updated":
          alerts ??= new Map(s.alerts);
          this.touched.add(msg.data.id);
          if (isActive(msg.data)) alerts.set(msg.data.id, msg.data);
          else alerts.delete(msg.data.id);
          break;
        case "metric": {
          metrics ??= new Map(s.metrics);
          versions ??= new Map(s.metricVersions);
          const prev = metrics.get(msg.data.name);
          metrics.set(msg.data.name, {
            name: msg.data.name,
            latest: msg.data.value,
            latest_at: msg.data.timestamp,
            // The trend is a 5-minute comparison the server computes; keep it until the next refresh.
            trend: prev?.trend ?? "stable",
          });
          versions.set(msg.data.name, (versions.get(msg.data.name) ?? 0) + 1);
          const known = (tagKeys ?? s.tagKeys).get(msg.data.name) ?? [];
          const fresh = Object.keys(msg.data.tags ?? {}).filter((k) => !known.includes(k));
          if (fresh.length) {
            tagKeys ??= new Map(s.tagKeys);
            tagKeys.set(msg.data.name, [...known, ...fresh].sort());
          }
          break;
        }
        default:
          break;
      }
    }

    if (newEvents.length && s.summary) {
      // Keep the 5-minute figures and source health moving between polls (the next poll replaces
      // them with the server's exact ones). Health follows docs/streaming-model.md: an event in the
      // last 5 minutes makes a source healthy unless it recorded an error, which takes precedence.
      const last5m = s.summary.events.last_5m + newEvents.length;
      const perSource = new Map<string, { n: number; last: string }>();
      for (const e of newEvents) {
        if (!e.source_id) continue;
        const cur = perSource.get(e.source_id);
        perSource.set(e.source_id, { n: (cur?.n ?? 0) + 1, last: e.received_at });
      }
      if ([...perSource.keys()].some((id) => !s.summary?.sources.some((src) => src.id === id))) {
        this.onUnknownSource();
      }
      const sources = perSource.size
        ? s.summary.sources.map((src): Source => {
            const seen = perSource.get(src.id);
            if (!seen) return src;
            const status: Source["health"]["status"] = src.health.status === "error" ? "error" : "healthy";
            return {
              ...src,
              health: { status, last_event_at: seen.last, events_last_5m: src.health.events_last_5m + seen.n },
            };
          })
        : s.summary.sources;
      s.summary = {
        ...s.summary,
        sources,
        events: {
          ...s.summary.events,
          last_5m: last5m,
          per_minute: last5m / 5,
          per_minute_series: bumpSeries(s.summary.events.per_minute_series, newEvents),
        },
      };
    }
    if (newEvents.length) {
      // Messages carry events oldest first; tables show newest first.
      const fresh = newEvents.slice(-TABLE_CAP).reverse();
      s.recentEvents = fresh.concat(s.recentEvents).slice(0, TABLE_CAP);
    }
    if (newPredictions.length) {
      s.recentPredictions = newPredictions.slice(-TABLE_CAP).reverse().concat(s.recentPredictions).slice(0, TABLE_CAP);
    }
    while (this.rateSamples.length && (this.rateSamples[0]?.at ?? now) < now - RATE_WINDOW_MS) this.rateSamples.shift();
    s.liveRate = this.rateSamples.reduce((sum, x) => sum + x.n, 0) / (RATE_WINDOW_MS / 1000);
    if (alerts) s.alerts = alerts;
    if (metrics) s.metrics = metrics;
    if (versions) s.metricVersions = versions;
    if (tagKeys) s.tagKeys = tagKeys;
    this.emit(s);
  }

  /** Recomputes the live rate when no message arrives, so it decays to zero in a quiet stream. */
  tick(): void {
    const now = Date.now();
    while (this.rateSamples.length && (this.rateSamples[0]?.at ?? now) < now - RATE_WINDOW_MS) this.rateSamples.shift();
    const rate = this.rateSamples.reduce((sum, x) => sum + x.n, 0) / (RATE_WINDOW_MS / 1000);
    if (rate !== this.state.liveRate) this.emit({ ...this.state, liveRate: rate });
  }
}
