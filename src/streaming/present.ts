/**
 * The one place where stored rows become API shapes (schemas.ts): stores return rows, services
 * call these. It is also where a row that cannot be presented is skipped: an organization may
 * hold rows written before the input limits existed (a 16-digit timestamp renders as no ISO time),
 * and one such row must not fail every read of the organization. Each skip logs one JSON line.
 */
import type { Alert } from "./alert-state";
import { DEFAULT_BASELINE_WINDOWS, DEFAULT_SENSITIVITY } from "./anomaly";
import { sourceHealth } from "./health";
import type { ModelsSummary } from "./models";
import type { QueryPlan } from "./rollup";
import type { RuleState } from "./rules";
import type {
  AlertOutT,
  AlertRuleT,
  EventOutT,
  MetricPointOutT,
  MetricSummaryT,
  ModelsSummaryT,
  PredictionOutT,
  SourceT,
} from "./schemas";
import type { EventRow } from "./store/events";
import type { MetricCatalogueEntry } from "./store/metrics";
import type { PredictionRow } from "./store/predictions";
import type { HistoryEntry } from "./store/history";
import type { StoredRule } from "./store/rules";
import type { SourceRecord } from "./store/sources";
import type { Page } from "./store/sql";

/** Throws RangeError outside the Date range: callers go through `presentAll`/`presentPage`. */
export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

function parseJsonColumn<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

function warnSkipped(table: string, key: string, error: unknown): void {
  console.warn(
    JSON.stringify({ level: "warn", where: "streaming.present", msg: "row skipped", table, key, error: String(error) }),
  );
}

/** Presents every row it can; a row that throws is left out with a warning. */
export function presentAll<R, T>(
  rows: readonly R[],
  present: (row: R) => T,
  table: string,
  key: (row: R) => string,
): T[] {
  const out: T[] = [];
  for (const row of rows) {
    try {
      out.push(present(row));
    } catch (error) {
      warnSkipped(table, key(row), error);
    }
  }
  return out;
}

/** A page keeps the store's cursor (keyed on the last row read), so skipping never loses the next page. */
export function presentPage<R, T>(
  page: Page<R>,
  present: (row: R) => T,
  table: string,
  key: (row: R) => string,
): Page<T> {
  return { items: presentAll(page.items, present, table, key), next_cursor: page.next_cursor };
}

export function presentEvent(row: EventRow): EventOutT {
  return {
    id: row.event_id,
    event_id: row.event_id,
    source_id: row.source_id,
    event_type: row.event_type,
    payload: parseJsonColumn<Record<string, unknown>>(row.payload),
    timestamp: iso(row.ts),
    received_at: iso(row.received_at),
    processed: row.processed_at !== null,
    processed_at: isoOrNull(row.processed_at),
  };
}
export const presentEvents = (rows: readonly EventRow[]) => presentAll(rows, presentEvent, "events", (r) => r.event_id);

export function presentPrediction(row: PredictionRow): PredictionOutT {
  return {
    id: row.id,
    model_name: row.model_name,
    model_version: row.model_version,
    prediction: parseJsonColumn<unknown>(row.prediction),
    confidence: row.confidence,
    latency_ms: row.latency_ms,
    event_id: row.event_id,
    features: parseJsonColumn<Record<string, unknown>>(row.features),
    timestamp: iso(row.ts),
  };
}
export const presentPredictions = (rows: readonly PredictionRow[]) =>
  presentAll(rows, presentPrediction, "predictions", (r) => r.id);

/**
 * A models summary (models.ts, epoch ms) as `GET /models` answers it. Every time in it comes from
 * the window (bucket starts, the newest prediction's time), all inside the input limits.
 */
export function presentModels(summary: ModelsSummary, plan: QueryPlan, windowSeconds: number): ModelsSummaryT {
  return {
    window_seconds: windowSeconds,
    step_seconds: plan.step_ms / 1000,
    from: iso(plan.from),
    to: iso(plan.to),
    models: summary.models.map((m) => ({
      ...m,
      versions: m.versions.map((v) => ({
        ...v,
        last_at: iso(v.last_at),
        series: v.series.map((p) => ({ ...p, t: iso(p.t) })),
      })),
    })),
    models_omitted: summary.models_omitted,
  };
}

/** `history` comes from store/history (oldest first); pass what the caller read for this alert. */
export function presentAlert(alert: Alert, history: readonly HistoryEntry[] = []): AlertOutT {
  return {
    id: alert.id,
    severity: alert.severity,
    status: alert.status,
    title: alert.title,
    message: alert.message,
    source_id: alert.source_id,
    fingerprint: alert.fingerprint,
    occurrences: alert.occurrences,
    created_at: iso(alert.created_at),
    last_seen_at: iso(alert.last_seen_at),
    acknowledged_at: isoOrNull(alert.acknowledged_at),
    acknowledged_by: alert.acknowledged_by,
    resolved_at: isoOrNull(alert.resolved_at),
    resolved_by: alert.resolved_by,
    notes: alert.notes.map((n) => ({ at: iso(n.at), by: n.by, text: n.text })),
    silenced: alert.silenced,
    history: history.map((h) => ({
      at: iso(h.at),
      action: h.action,
      ...(h.actor === null ? {} : { by: h.actor }),
      ...(h.note === null ? {} : { note: h.note }),
    })),
  };
}

/** Health is a view of the row at `now` (health.ts), so it is computed here, not stored. */
export function presentSource(row: SourceRecord, now: number): SourceT {
  return {
    id: row.id,
    name: row.name,
    source_type: row.source_type as SourceT["source_type"],
    description: row.description,
    config: parseJsonColumn<Record<string, unknown>>(row.config),
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    health: {
      status: sourceHealth({
        last_event_at: row.last_event_at,
        events_last_5m: row.events_last_5m,
        last_error_at: row.last_error_at,
        now,
      }),
      last_event_at: isoOrNull(row.last_event_at),
      events_last_5m: row.events_last_5m,
    },
  };
}
export const presentSources = (rows: readonly SourceRecord[], now: number) =>
  presentAll(
    rows,
    (r) => presentSource(r, now),
    "sources",
    (r) => r.id,
  );

function presentRuleState(state: RuleState): AlertRuleT["state"] {
  return {
    status: state.status,
    since: state.status === "inactive" ? null : iso(state.since),
    alert_id: state.status === "firing" ? (state.alert_id ?? null) : null,
  };
}

export function presentRule({ rule, state, created_at }: StoredRule): AlertRuleT {
  const anomaly = rule.type === "anomaly";
  return {
    ...rule,
    type: rule.type ?? "threshold",
    no_data: rule.no_data ?? "keep",
    tags: rule.tags ?? null,
    sensitivity: anomaly ? (rule.sensitivity ?? DEFAULT_SENSITIVITY) : null,
    baseline_windows: anomaly ? (rule.baseline_windows ?? DEFAULT_BASELINE_WINDOWS) : null,
    created_at: iso(created_at),
    state: presentRuleState(state),
  };
}
export const presentRules = (rows: readonly StoredRule[]) =>
  presentAll(rows, presentRule, "alert_rules", (r) => r.rule.id);

export const presentMetricSummaries = (
  rows: readonly MetricCatalogueEntry[],
  trendOf: (name: string) => MetricSummaryT["trend"],
): MetricSummaryT[] =>
  presentAll(
    rows,
    (m) => ({ name: m.name, latest: m.last, latest_at: iso(m.last_at), trend: trendOf(m.name) }),
    "metrics",
    (m) => m.name,
  );

export function presentMetricPoint(p: { name: string; value: number; ts: number; tags: Record<string, string> }) {
  const point: MetricPointOutT = { name: p.name, value: p.value, timestamp: iso(p.ts), tags: p.tags };
  return point;
}
