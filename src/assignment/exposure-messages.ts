/**
 * The exposure queue's message format and its size arithmetic. Pure: the producer
 * (exposure-queue.ts) and the consumer share it, and unit tests replay it without a runtime.
 *
 * A message carries one coalesced batch of exposures as compact JSON. Cloudflare Queues refuses a
 * message over 128 KB and a sendBatch call over 100 messages or 256 KB (docs/operations.md), so a
 * batch whose rows do not fit is split by its real UTF-8 size, and the messages of one flush are
 * grouped into as few sendBatch calls as those limits allow. The budgets below leave room for the
 * queue's own per-message metadata (about 100 bytes) and for JSON framing.
 */

/** Bytes of JSON per message: under the queue's 128,000, with room for its metadata. */
export const MAX_MESSAGE_BYTES = 120_000;
/** Bytes of JSON per sendBatch call: under the queue's 256,000 (100 bytes of metadata each). */
export const MAX_SEND_BATCH_BYTES = 240_000;
/** Messages per sendBatch call (the queue's limit). */
export const MAX_SEND_BATCH_MESSAGES = 100;

/** One exposure on the wire: org, experiment, user, variant, time (epoch ms). */
export interface WireExposure {
  o: string;
  e: string;
  u: string;
  v: string;
  t: number;
}

/** A queue message: version 1 of the format, and its rows. */
interface ExposureMessage {
  v: 1;
  rows: WireExposure[];
}

/** An exposure as the service and the repository see it (the exposures table's row). */
export interface Exposure {
  orgId: string;
  experimentId: string;
  userId: string;
  variantId: string;
  exposedAt: number;
}

export const toWire = (r: Exposure): WireExposure => ({
  o: r.orgId,
  e: r.experimentId,
  u: r.userId,
  v: r.variantId,
  t: r.exposedAt,
});

const fromWire = (w: WireExposure): Exposure => ({
  orgId: w.o,
  experimentId: w.e,
  userId: w.u,
  variantId: w.v,
  exposedAt: w.t,
});

const encoder = new TextEncoder();
/** The UTF-8 length of a string's JSON form. */
export const jsonBytes = (value: unknown): number => encoder.encode(JSON.stringify(value)).byteLength;

/** `{"v":1,"rows":[]}`: the envelope around a message's rows. */
const ENVELOPE_BYTES = jsonBytes({ v: 1, rows: [] });

export interface SizedMessage {
  body: ExposureMessage;
  bytes: number;
}

/** A wire row's JSON without its values, plus the comma between rows (the `0` stands in for it). */
const ROW_FRAME_BYTES = jsonBytes({ o: "", e: "", u: "", v: "", t: 0 });
/** A safe integer's JSON has at most 17 characters (`-9007199254740991`). */
const MAX_NUMBER_BYTES = 17;
/** JSON writes a UTF-16 code unit in at most 6 bytes (`\u0000`); UTF-8 needs at most 3 per unit. */
const MAX_BYTES_PER_UNIT = 6;

/**
 * An upper bound of a row's JSON size in bytes, without serializing it: what makes the common
 * case (a flush of a few rows, far under a message's size) cost no JSON.stringify or UTF-8
 * encoding per row on the assignment path.
 */
const rowBytesBound = (r: Exposure): number =>
  ROW_FRAME_BYTES +
  MAX_NUMBER_BYTES +
  MAX_BYTES_PER_UNIT * (r.orgId.length + r.experimentId.length + r.userId.length + r.variantId.length);

/**
 * Splits rows into messages of at most maxBytes of JSON each, keeping their order. One row larger
 * than a whole message cannot happen with the route's limits (ids of at most 256 characters make a
 * row of a few KB); it would still get a message of its own rather than be lost here.
 *
 * When even the rows' upper-bound size fits one message (nearly every flush), that is the answer
 * and `bytes` is the bound; otherwise rows are measured exactly and split.
 */
export function toMessages(rows: readonly Exposure[], maxBytes = MAX_MESSAGE_BYTES): SizedMessage[] {
  if (rows.length === 0) return [];
  let bound = ENVELOPE_BYTES;
  for (const row of rows) bound += rowBytesBound(row);
  if (bound <= maxBytes) return [{ body: { v: 1, rows: rows.map(toWire) }, bytes: bound }];
  const messages: SizedMessage[] = [];
  let current: WireExposure[] = [];
  let bytes = ENVELOPE_BYTES;
  for (const row of rows) {
    const wire = toWire(row);
    // +1 for the comma between array elements (over-counts the first by one byte).
    const size = jsonBytes(wire) + 1;
    if (current.length > 0 && bytes + size > maxBytes) {
      messages.push({ body: { v: 1, rows: current }, bytes });
      current = [];
      bytes = ENVELOPE_BYTES;
    }
    current.push(wire);
    bytes += size;
  }
  if (current.length > 0) messages.push({ body: { v: 1, rows: current }, bytes });
  return messages;
}

/** Groups messages, in order, into sendBatch calls within the queue's count and byte limits. */
export function toSendBatches(
  messages: readonly SizedMessage[],
  limits = { maxBytes: MAX_SEND_BATCH_BYTES, maxMessages: MAX_SEND_BATCH_MESSAGES },
): SizedMessage[][] {
  const groups: SizedMessage[][] = [];
  let current: SizedMessage[] = [];
  let bytes = 0;
  for (const m of messages) {
    if (current.length > 0 && (bytes + m.bytes > limits.maxBytes || current.length >= limits.maxMessages)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += m.bytes;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

const isText = (x: unknown): x is string => typeof x === "string" && x.length > 0;

/**
 * A delivered message body back to rows; null when it is not a message of this format (it is then
 * retried until the dead-letter queue keeps it for inspection, never dropped here).
 */
export function fromMessage(body: unknown): Exposure[] | null {
  if (typeof body !== "object" || body === null) return null;
  const { v, rows } = body as { v?: unknown; rows?: unknown };
  if (v !== 1 || !Array.isArray(rows)) return null;
  const out: Exposure[] = [];
  for (const r of rows as unknown[]) {
    if (typeof r !== "object" || r === null) return null;
    const w = r as Partial<WireExposure>;
    if (!isText(w.o) || !isText(w.e) || !isText(w.u) || !isText(w.v) || !Number.isSafeInteger(w.t)) return null;
    out.push(fromWire(w as WireExposure));
  }
  return out;
}

/** Seconds before a failed message is delivered again: doubling from 2 s, at most 5 minutes. */
export const retryDelaySeconds = (attempts: number): number => Math.min(300, 2 ** Math.max(1, attempts));
