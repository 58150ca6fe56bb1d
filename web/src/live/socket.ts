import ReconnectingWebSocket from "partysocket/ws";
import { PING_FRAME } from "../../../src/streaming/live/frames";
import { fetchWsTicket } from "../api/client";
import type { ServerMessage } from "../api/types";

export type ConnectionStatus = "connecting" | "live" | "reconnecting" | "offline";

const PING_EVERY_MS = 25_000;

const MESSAGE_TYPES = new Set([
  "snapshot",
  "events",
  "predictions",
  "prediction",
  "alert",
  "alert_updated",
  "metric",
  "pong",
  "error",
]);

/**
 * The live socket: reconnects with backoff, and fetches a fresh single-use ticket before every
 * (re)connect, because a browser cannot put the bearer token on a WebSocket.
 */
export function connectLive(onMessage: (m: ServerMessage) => void, onStatus: (s: ConnectionStatus) => void) {
  let opened = false;
  let disposed = false;
  const url = async (): Promise<string> => {
    const { ticket } = await fetchWsTicket();
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    return `${scheme}://${location.host}/api/v1/streaming-analytics/ws?ticket=${encodeURIComponent(ticket)}`;
  };
  const ws = new ReconnectingWebSocket(url, [], {
    minReconnectionDelay: 500,
    maxReconnectionDelay: 10_000,
    connectionTimeout: 8_000,
  });
  const status = (s: ConnectionStatus) => !disposed && onStatus(s);
  const report = () => {
    if (ws.readyState === ws.OPEN) status("live");
    else if (!navigator.onLine) status("offline");
    else status(opened ? "reconnecting" : "connecting");
  };

  ws.addEventListener("open", () => {
    opened = true;
    report();
  });
  ws.addEventListener("close", report);
  ws.addEventListener("error", report);
  ws.addEventListener("message", (e: MessageEvent) => {
    if (typeof e.data !== "string") return;
    let msg: unknown;
    try {
      msg = JSON.parse(e.data);
    } catch {
      return;
    }
    // Same-origin server speaking the shared protocol: check the tag, trust the typed shape.
    if (typeof msg === "object" && msg !== null && MESSAGE_TYPES.has((msg as { type?: string }).type ?? "")) {
      onMessage(msg as ServerMessage);
    }
  });

  const onOnline = () => {
    report();
    if (ws.readyState !== ws.OPEN) ws.reconnect();
  };
  addEventListener("online", onOnline);
  addEventListener("offline", report);
  // Keeps proxies from closing an idle socket. frames.ts is dependency-free (protocol.ts would bundle
  // zod), and only this exact spelling is answered by the runtime without waking the object.
  const ping = setInterval(() => ws.readyState === ws.OPEN && ws.send(PING_FRAME), PING_EVERY_MS);
  status("connecting");

  return {
    reconnect: () => ws.reconnect(),
    close: () => {
      disposed = true;
      clearInterval(ping);
      removeEventListener("online", onOnline);
      removeEventListener("offline", report);
      ws.close();
    },
  };
}
