/**
 * The event browser's filters, kept in the page URL (so a filtered view can be shared and survives a
 * reload) and turned into the `GET /events` query. Pure: the clock is passed in.
 */

/** Preset time ranges, in seconds back from now; `custom` uses `since`/`until`. */
export const RANGES = [
  { key: "15m", label: "Last 15 minutes", seconds: 15 * 60 },
  { key: "1h", label: "Last hour", seconds: 3600 },
  { key: "24h", label: "Last 24 hours", seconds: 86_400 },
  { key: "7d", label: "Last 7 days", seconds: 7 * 86_400 },
  { key: "all", label: "Any time", seconds: null },
  { key: "custom", label: "Custom…", seconds: null },
] as const;
type RangeKey = (typeof RANGES)[number]["key"];

/** Processing state (`GET /events?processed=`): any, only unprocessed, only processed. */
export const PROCESSED_CHOICES = [
  { key: "", label: "Any" },
  { key: "false", label: "Unprocessed" },
  { key: "true", label: "Processed" },
] as const;
type ProcessedKey = (typeof PROCESSED_CHOICES)[number]["key"];
const PROCESSED_KEYS: readonly string[] = PROCESSED_CHOICES.map((c) => c.key);
const RANGE_KEYS: readonly string[] = RANGES.map((r) => r.key);
const DEFAULT_RANGE: RangeKey = "24h";

export interface EventFilters {
  type: string;
  /** A source id, or "" for any source. */
  source: string;
  processed: ProcessedKey;
  range: RangeKey;
  /** `custom` range bounds as `datetime-local` strings (local time, minutes), "" when open. */
  since: string;
  until: string;
}

export const emptyFilters = (): EventFilters => ({
  type: "",
  source: "",
  processed: "",
  range: DEFAULT_RANGE,
  since: "",
  until: "",
});

const LOCAL_MINUTE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

export function parseFilters(search: URLSearchParams): EventFilters {
  const range = search.get("range") ?? "";
  const since = search.get("since") ?? "";
  const until = search.get("until") ?? "";
  const processed = search.get("processed") ?? "";
  return {
    type: (search.get("type") ?? "").trim(),
    source: search.get("source") ?? "",
    processed: PROCESSED_KEYS.includes(processed) ? (processed as ProcessedKey) : "",
    range: RANGE_KEYS.includes(range) ? (range as RangeKey) : DEFAULT_RANGE,
    since: LOCAL_MINUTE.test(since) ? since : "",
    until: LOCAL_MINUTE.test(until) ? until : "",
  };
}

/** The page URL's query for these filters: defaults and empty fields are left out. */
export function filtersToSearch(f: EventFilters): string {
  const q = new URLSearchParams();
  if (f.type.trim()) q.set("type", f.type.trim());
  if (f.source) q.set("source", f.source);
  if (f.processed) q.set("processed", f.processed);
  if (f.range !== DEFAULT_RANGE) q.set("range", f.range);
  if (f.range === "custom") {
    if (f.since) q.set("since", f.since);
    if (f.until) q.set("until", f.until);
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** A `datetime-local` value (local wall time) as epoch ms, or null when empty or invalid. */
export function localToEpoch(value: string): number | null {
  if (!LOCAL_MINUTE.test(value)) return null;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? null : ms;
}

export type EventsQuery = {
  event_type?: string;
  source_id?: string;
  processed?: "true" | "false";
  since?: string;
  until?: string;
};

/**
 * What is wrong with a custom range, said at its "To" field: an end before the start (which would
 * answer nothing). The page checks it before navigating, so no request is sent for such a range.
 */
export function rangeError(f: EventFilters): string | null {
  if (f.range !== "custom") return null;
  const since = localToEpoch(f.since);
  const until = localToEpoch(f.until);
  return since !== null && until !== null && until < since ? "Pick a time after From." : null;
}

/**
 * The `GET /events` query (times as epoch ms, which the API accepts). A custom range whose end
 * precedes its start is reported (rangeError) instead of silently answering nothing.
 */
export function toApiQuery(f: EventFilters, now: number): { query: EventsQuery } | { error: string } {
  const query: EventsQuery = {};
  if (f.type.trim()) query.event_type = f.type.trim();
  if (f.source) query.source_id = f.source;
  if (f.processed) query.processed = f.processed;
  if (f.range === "custom") {
    const error = rangeError(f);
    if (error) return { error };
    const since = localToEpoch(f.since);
    const until = localToEpoch(f.until);
    if (since !== null) query.since = String(since);
    if (until !== null) query.until = String(until);
  } else {
    const seconds = RANGES.find((r) => r.key === f.range)?.seconds ?? null;
    if (seconds !== null) query.since = String(now - seconds * 1000);
  }
  return { query };
}
