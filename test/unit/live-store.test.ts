// The live store under load (web/src/live/store.ts): however fast messages arrive, the view hears
// of them at most 4 times a second; events naming an unknown source ask for the source list at once.
// Time is vitest's fake clock, never a real sleep.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { DashboardSummary, ServerMessage, Source, StreamEvent } from "../../web/src/api/types";
import { type LiveState, LiveStore } from "../../web/src/live/store";

const T0 = Date.parse("2026-12-02T12:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

function source(id: string, name: string): Source {
  return {
    id,
    name,
    source_type: "http",
    description: null,
    config: null,
    created_at: iso(T0),
    updated_at: iso(T0),
    health: { status: "idle", last_event_at: null, events_last_5m: 0 },
  };
}

function summary(sources: Source[]): DashboardSummary {
  return {
    generated_at: iso(T0),
    events: { total: 0, last_5m: 0, per_minute: 0, per_minute_series: [{ t: iso(T0), count: 0 }] },
    predictions: { total: 0, mean_confidence: null },
    alerts: {
      by_status: { open: 0, acknowledged: 0, resolved: 0 },
      by_severity: { info: 0, warning: 0, error: 0, critical: 0 },
    },
    sources,
    metrics: [],
    recent_events: [],
    recent_predictions: [],
  };
}

function events(n: number, sourceId: string | null): ServerMessage {
  const now = Date.now();
  const data: StreamEvent[] = Array.from({ length: n }, (_, i) => ({
    id: `e${now}-${i}`,
    event_id: `e${now}-${i}`,
    source_id: sourceId,
    event_type: "burst",
    payload: null,
    timestamp: iso(now),
    received_at: iso(now),
    processed: false,
    processed_at: null,
  }));
  return { type: "events", data, at: iso(now) } as ServerMessage;
}

describe("LiveStore", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it.each([
    // messages per second, seconds
    [10, 3],
    [100, 3],
    [1000, 2],
  ])("at %i messages/s for %i s, renders at most 4 times a second", (perSecond, seconds) => {
    const seen: LiveState[] = [];
    const store = new LiveStore((s) => seen.push(s));
    store.setSummary(summary([]));
    seen.length = 0;
    for (let i = 0; i < perSecond * seconds; i++) {
      store.push(events(5, null));
      // Polls land in the middle of the stream, too.
      if (i % perSecond === perSecond / 2) store.setRules([]);
      vi.advanceTimersByTime(1000 / perSecond);
    }
    vi.advanceTimersByTime(1000);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThanOrEqual(4 * seconds + 1);
    // Nothing is lost by coalescing: the last render has every event.
    expect(seen.at(-1)?.eventsTotal).toBe(5 * perSecond * seconds);
  });

  // A frozen tab (Chrome's Memory Saver, a background tab) resumes: its 15 s poll runs at once and
  // answers totals that already count what the socket queued meanwhile; then the queued frames
  // arrive. Frames carry the server's running totals, so nothing is counted twice (an outside soak
  // check saw +13.7% that never corrected itself before they did).
  it.each([
    // label, summary totals before, poll on resume, queued frames (events' total, predictions' total), expected
    ["resume: poll first, then the queued frames", 40, 100, [60, 80, 100], 100],
    ["frames newer than the poll still count", 40, 80, [60, 80, 100], 100],
    ["no poll: the frames alone", 40, null, [60, 80, 100], 100],
  ] as const)("%s", (_label, before, poll, totals, expected) => {
    const seen: LiveState[] = [];
    const store = new LiveStore((s) => seen.push(s));
    const base = summary([]);
    const withTotals = (events: number, predictions: number, mean: number | null): DashboardSummary => ({
      ...base,
      events: { ...base.events, total: events },
      predictions: { total: predictions, mean_confidence: mean },
    });
    store.setSummary(withTotals(before, before, 0.5));
    if (poll !== null) store.setSummary(withTotals(poll, poll, 0.7));
    for (const total of totals) {
      store.push({ ...events(20, null), total } as ServerMessage);
      store.push({
        type: "predictions",
        data: [],
        total,
        mean_confidence: total === 100 ? 0.7 : 0.6,
        at: iso(Date.now()),
      } as ServerMessage);
    }
    vi.advanceTimersByTime(1000);
    expect(seen.at(-1)?.eventsTotal).toBe(expected);
    expect(seen.at(-1)?.predictionsTotal).toBe(expected);
    expect(seen.at(-1)?.meanConfidence).toBe(0.7);
  });

  it("frames of an older server (no running total) are counted by their length", () => {
    const seen: LiveState[] = [];
    const store = new LiveStore((s) => seen.push(s));
    store.setSummary(summary([]));
    store.push(events(7, null));
    store.push(events(5, null));
    vi.advanceTimersByTime(1000);
    expect(seen.at(-1)?.eventsTotal).toBe(12);
  });

  it("asks for the sources once events name an unknown one, and shows its name when they come", () => {
    const seen: LiveState[] = [];
    const unknown = vi.fn();
    const store = new LiveStore((s) => seen.push(s), unknown);
    store.setSummary(summary([source("s1", "checkout-web")]));
    store.push(events(3, "s1"));
    vi.advanceTimersByTime(300);
    expect(unknown).not.toHaveBeenCalled();
    store.push(events(2, "s-new"));
    vi.advanceTimersByTime(300);
    expect(unknown).toHaveBeenCalledTimes(1);
    store.setSources([source("s-new", "orders-kafka"), source("s1", "checkout-web")]);
    vi.advanceTimersByTime(300);
    expect(seen.at(-1)?.summary?.sources.map((s) => s.name)).toEqual(["orders-kafka", "checkout-web"]);
  });

  it("an alert the user acted on renders at once, not after the throttle", () => {
    const seen: LiveState[] = [];
    const store = new LiveStore((s) => seen.push(s));
    store.setSummary(summary([]));
    store.setRules([]); // within 250 ms of the last render: held back
    const before = seen.length;
    store.upsertAlert({
      id: "a1",
      severity: "critical",
      status: "acknowledged",
      title: "t",
      message: null,
      fingerprint: null,
      occurrences: 1,
      created_at: iso(T0),
      acknowledged_at: iso(T0),
      acknowledged_by: "me",
      resolved_at: null,
      resolved_by: null,
      notes: [],
    } as unknown as Parameters<LiveStore["upsertAlert"]>[0]);
    expect(seen.length).toBe(before + 1);
    expect(seen.at(-1)?.alerts.get("a1")?.status).toBe("acknowledged");
  });

  it("tag keys of live points feed the group-by picker", () => {
    const seen: LiveState[] = [];
    const store = new LiveStore((s) => seen.push(s));
    const point = (tags: Record<string, string>): ServerMessage =>
      ({ type: "metric", data: { name: "lat_ms", value: 1, timestamp: iso(T0), tags }, at: iso(T0) }) as ServerMessage;
    store.push(point({ region: "eu" }));
    store.push(point({ region: "us", host: "a" }));
    vi.advanceTimersByTime(300);
    expect(seen.at(-1)?.tagKeys.get("lat_ms")).toEqual(["host", "region"]);
  });
});
