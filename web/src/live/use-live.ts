import { useEffect, useRef, useState } from "preact/hooks";
import { RATE_SERIES_DEFAULT_MINUTES } from "../../../src/streaming/model";
import { streaming, unwrap } from "../api/client";
import { wholeList } from "../api/pages";
import type { Alert } from "../api/types";
import { type ConnectionStatus, connectLive } from "./socket";
import { initialState, type LiveState, LiveStore } from "./store";

const POLL_MS = 15_000;

/**
 * The live view's data: socket messages through the buffered store, plus the few things the
 * protocol does not push (the alert list, metric trends, source health, the 5-minute rate), which
 * are fetched on every snapshot (i.e. every (re)connect) and refreshed on a slow timer.
 */
export function useLive(seriesMinutes: number = RATE_SERIES_DEFAULT_MINUTES) {
  const [state, setState] = useState<LiveState>(initialState);
  // The per-minute series the page wants (its window): read at each poll, and a change polls at once.
  const minutesRef = useRef(seriesMinutes);
  minutesRef.current = seriesMinutes;
  const pollRef = useRef<(() => Promise<void>) | null>(null);
  const [status, setStatus] = useState<ConnectionStatus>("connecting");
  const [pollError, setPollError] = useState<unknown>(null);
  const storeRef = useRef<LiveStore | null>(null);
  const socketRef = useRef<ReturnType<typeof connectLive> | null>(null);

  useEffect(() => {
    // A source named by events but not yet known: fetch the list now (one request at a time).
    let sourcesInFlight = false;
    const fetchSources = () => {
      if (sourcesInFlight) return;
      sourcesInFlight = true;
      wholeList(streaming.sources.$get)
        .then((r) => store.setSources(r.items), setPollError)
        .finally(() => {
          sourcesInFlight = false;
        });
    };
    const store = new LiveStore(setState, fetchSources);
    storeRef.current = store;

    const fetchAlerts = async () => {
      store.beginAlertFetch();
      const [open, acked] = await Promise.all([
        unwrap(streaming.alerts.$get({ query: { status: "open", limit: "200" } })),
        unwrap(streaming.alerts.$get({ query: { status: "acknowledged", limit: "200" } })),
      ]);
      const list: Alert[] = [...open.items, ...acked.items];
      store.setAlerts(list);
    };
    const poll = async () => {
      try {
        // The summary carries every metric with its trend (GET /metrics pages them: one request, not many).
        const [dashboard, rules] = await Promise.all([
          unwrap(streaming.dashboard.$get({ query: { minutes: String(minutesRef.current) } })),
          wholeList(streaming["alert-rules"].$get),
        ]);
        store.setMetrics(dashboard.metrics);
        store.setSummary(dashboard);
        store.setRules(rules.items);
        await fetchAlerts();
        setPollError(null);
      } catch (err) {
        setPollError(err);
      }
    };

    socketRef.current = connectLive((msg) => {
      store.push(msg);
      // Alerts are not in the snapshot; a (re)connect may have missed changes, so refetch them.
      if (msg.type === "snapshot") {
        fetchAlerts().catch(setPollError);
      }
    }, setStatus);
    // Before the socket opens (or if it cannot), the REST data still fills the page.
    pollRef.current = poll;
    poll();
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") poll();
      store.tick();
    }, POLL_MS);
    const rateTimer = setInterval(() => store.tick(), 2_000);
    return () => {
      clearInterval(timer);
      clearInterval(rateTimer);
      socketRef.current?.close();
      store.dispose();
    };
  }, []);

  const mounted = useRef(false);
  useEffect(() => {
    if (mounted.current) pollRef.current?.(); // the first poll is the mount's own
    mounted.current = true;
  }, [seriesMinutes]);

  return {
    state,
    status,
    pollError,
    reconnect: () => socketRef.current?.reconnect(),
    upsertAlert: (a: Alert) => storeRef.current?.upsertAlert(a),
  };
}
