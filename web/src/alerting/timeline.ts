/**
 * An alert's timeline for the history page: its `history` entries in time order, each with the time
 * since the alert opened, plus the figures an on-call review asks for first (time to acknowledge,
 * time to resolve). Pure, over the alert as the API returns it.
 */
import type { HistoryAction } from "../../../src/streaming/notify/model";

export interface TimelineInput {
  created_at: string;
  acknowledged_at: string | null;
  resolved_at: string | null;
  notes: readonly { at: string; by: string; text: string }[];
  history: readonly { at: string; action: HistoryAction; by?: string | undefined; note?: string | undefined }[];
}

interface TimelineEntry {
  at: string;
  action: HistoryAction | "note";
  by: string | null;
  note: string | null;
  /** Milliseconds since the alert opened (never negative). */
  offsetMs: number;
}

export interface Timeline {
  entries: TimelineEntry[];
  toAcknowledgeMs: number | null;
  toResolveMs: number | null;
}

const ms = (iso: string): number => Date.parse(iso);

/**
 * Entries oldest first; equal times keep the server's order. A note without a matching history entry
 * (one written before history was recorded) is still shown, as a `note` entry, so nothing a person
 * wrote disappears from the review.
 */
export function buildTimeline(alert: TimelineInput): Timeline {
  const opened = ms(alert.created_at);
  const since = (at: string) => Math.max(0, ms(at) - opened);
  const entries: TimelineEntry[] = alert.history.map((h) => ({
    at: h.at,
    action: h.action,
    by: h.by ?? null,
    note: h.note ?? null,
    offsetMs: since(h.at),
  }));
  for (const n of alert.notes) {
    const covered = alert.history.some((h) => h.note === n.text && h.at === n.at);
    if (!covered) entries.push({ at: n.at, action: "note", by: n.by, note: n.text, offsetMs: since(n.at) });
  }
  if (!entries.some((e) => e.action === "opened")) {
    entries.push({ at: alert.created_at, action: "opened", by: null, note: null, offsetMs: 0 });
  }
  const order = entries.map((e, i) => ({ e, i }));
  order.sort((a, b) => ms(a.e.at) - ms(b.e.at) || a.i - b.i);
  return {
    entries: order.map((x) => x.e),
    toAcknowledgeMs: alert.acknowledged_at === null ? null : since(alert.acknowledged_at),
    toResolveMs: alert.resolved_at === null ? null : since(alert.resolved_at),
  };
}

/** "45 s", "3 min 20 s", "2 h 5 min", "3 d 4 h": two units at most, for reading, not arithmetic. */
export function fmtDuration(msValue: number | null): string {
  if (msValue === null || !Number.isFinite(msValue) || msValue < 0) return "—";
  const s = Math.floor(msValue / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}
