/**
 * The live WebSocket protocol, shared by the org object (which sends it) and the dashboard (which
 * parses it). It imports no `cloudflare:*` or hono module itself, so the browser can take it; its data
 * schemas come from ../schemas (zod extended by @hono/zod-openapi, which a type-only import erases).
 * Constants needed at run time without zod live in ./frames.
 *
 * Every server message is `{ type, data, at }` (`at`: ISO time it was sent); `pong` is the exception,
 * `{"type":"pong"}` byte for byte, because the runtime answers pings itself without waking the object.
 */
import { z } from "zod";
import { AlertOut, DashboardSummary, EventOut, MetricPointOut, PredictionOut } from "../schemas";
import { MAX_SUBSCRIBED_TYPES } from "./frames";

export { CLOSE_CODES, MAX_CLIENT_FRAME_BYTES, PING_FRAME, PONG_FRAME } from "./frames";

const At = z.string();

export const ERROR_CODES = ["invalid_json", "invalid_message", "binary_not_supported", "snapshot_failed"] as const;

const SnapshotMessage = z.object({ type: z.literal("snapshot"), data: DashboardSummary, at: At });
/**
 * The organization's running total once the frame's items are stored (all of them, whatever the
 * socket's filter). A client sets its total from it instead of adding the frame's length: frames it
 * receives after a polled summary that already counted them (a frozen tab resuming runs its poll
 * before the queued frames) would otherwise be counted twice. Absent only from older servers.
 */
const RunningTotal = z.number().int().nonnegative().optional();
/** Events stored since the previous `events` message, oldest first; several ingest batches may be joined. */
const EventsMessage = z.object({ type: z.literal("events"), data: z.array(EventOut), total: RunningTotal, at: At });
/** Predictions stored since the previous `predictions` message, oldest first (batched like `events`). */
const PredictionsMessage = z.object({
  type: z.literal("predictions"),
  data: z.array(PredictionOut),
  total: RunningTotal,
  /** The mean confidence over all `total` predictions, as GET /dashboard gives it. */
  mean_confidence: z.number().nullable().optional(),
  at: At,
});
/**
 * The single-prediction message of the first release. The server no longer sends it (one frame per
 * prediction flooded sockets); it stays parseable for one release so an old dashboard build fails soft.
 */
const PredictionMessage = z.object({ type: z.literal("prediction"), data: PredictionOut, at: At });
const AlertMessage = z.object({ type: z.literal("alert"), data: AlertOut, at: At });
const AlertUpdatedMessage = z.object({ type: z.literal("alert_updated"), data: AlertOut, at: At });
/** The latest point of one metric (points of the same metric within one flush window collapse to the last). */
const MetricMessage = z.object({ type: z.literal("metric"), data: MetricPointOut, at: At });
const PongMessage = z.object({ type: z.literal("pong"), at: At.optional() });
const ErrorMessage = z.object({
  type: z.literal("error"),
  data: z.object({ code: z.enum(ERROR_CODES), message: z.string() }),
  at: At,
});

export const ServerMessage = z.discriminatedUnion("type", [
  SnapshotMessage,
  EventsMessage,
  PredictionsMessage,
  PredictionMessage,
  AlertMessage,
  AlertUpdatedMessage,
  MetricMessage,
  PongMessage,
  ErrorMessage,
]);
export type ServerMessage = z.output<typeof ServerMessage>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What the data plane hands to `LiveHub.publish`: a server message before the hub stamps `at`. */
export type Publishable = DistributiveOmit<
  Exclude<ServerMessage, { type: "pong" | "error" | "snapshot" | "prediction" }>,
  "at"
>;

const PingMessage = z.object({ type: z.literal("ping") });
/** Narrows `events` messages to these event types; `null` restores everything. Other messages are unaffected. */
const SubscribeMessage = z.object({
  type: z.literal("subscribe"),
  event_types: z
    .array(z.string().min(1).max(200))
    .max(MAX_SUBSCRIBED_TYPES)
    .nullable()
    // The filter is kept in the socket's attachment, which the runtime caps at 2 KiB.
    .refine((types) => types === null || JSON.stringify(types).length <= 1500, "event_types too long in total"),
});

export const ClientMessage = z.discriminatedUnion("type", [PingMessage, SubscribeMessage]);
export type ClientMessage = z.output<typeof ClientMessage>;

/** Parses one server frame (the dashboard's side); null for anything that is not a known message. */
export function parseServerMessage(frame: string): ServerMessage | null {
  let raw: unknown;
  try {
    raw = JSON.parse(frame);
  } catch {
    return null;
  }
  const parsed = ServerMessage.safeParse(raw);
  return parsed.success ? parsed.data : null;
}
