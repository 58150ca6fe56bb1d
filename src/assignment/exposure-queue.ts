/**
 * Exposures through a Cloudflare Queue (wrangler.toml: EXPOSURES, its consumer and dead-letter
 * queue). The producer side sends each coalesced batch (exposures.ts) as one message, split and
 * grouped within the queue's size limits (exposure-messages.ts); the consumer side writes each
 * delivered batch to D1 in one set-based, idempotent statement per 1,000 rows, all in one atomic
 * D1 batch, and acknowledges the messages once that write committed.
 *
 * Delivery is at least once: a message whose write committed but whose ack was lost (the consumer
 * died, the isolate was evicted) comes back, and `ON CONFLICT DO NOTHING` on (experiment, user)
 * makes the second write change nothing. A D1 failure retries every message of the batch with
 * backoff (retryDelaySeconds); after max_retries the queue moves them to the dead-letter queue,
 * which keeps them for replay (docs/operations.md). Nothing is dropped in memory any more.
 */
import { type Exposure, fromMessage, retryDelaySeconds, toMessages, toSendBatches } from "./exposure-messages";

/** Hands rows to the queue: resolves once the queue accepted every message, rejects otherwise. */
export async function sendExposures(queue: Queue, rows: readonly Exposure[]): Promise<void> {
  const messages = toMessages(rows);
  if (messages.length === 1 && messages[0] !== undefined) {
    await queue.send(messages[0].body, { contentType: "json" });
    return;
  }
  for (const group of toSendBatches(messages)) {
    await queue.sendBatch(
      group.map((m) => ({ body: m.body, contentType: "json" as const })),
      {},
    );
  }
}

/** Stores rows (insertExposures in production); returns how many were new. */
export type StoreExposures = (rows: readonly Exposure[]) => Promise<number>;

/**
 * Test seams: called at the points where a real consumer can die. `afterWrite` runs after the D1
 * write committed and before any ack; `afterAck(i)` after message i was acknowledged. Either may
 * throw to stand for the consumer being killed there.
 */
export interface ConsumerHooks {
  afterWrite?: () => void;
  afterAck?: (index: number) => void;
}

export interface ConsumeOutcome {
  /** Rows handed to D1 in the one write. */
  rows: number;
  /** Rows D1 had not stored before (the rest were redeliveries or later exposures of a pair). */
  stored: number;
  /** Messages retried because they were not of the message format. */
  malformed: number;
  /** Whether the write failed and every well-formed message was left for retry. */
  retried: boolean;
}

const log = (level: "warn" | "error", fields: Record<string, unknown>) =>
  console[level](JSON.stringify({ level, ...fields }));

/** The queue handler's body: one write for the whole delivered batch, then the acks. */
export async function consumeExposures(
  batch: MessageBatch<unknown>,
  store: StoreExposures,
  hooks: ConsumerHooks = {},
): Promise<ConsumeOutcome> {
  const good: { message: Message<unknown>; rows: Exposure[] }[] = [];
  let malformed = 0;
  for (const message of batch.messages) {
    const rows = fromMessage(message.body);
    if (rows === null) {
      malformed++;
      log("error", { event: "exposure_message_malformed", id: message.id, attempts: message.attempts });
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    } else {
      good.push({ message, rows });
    }
  }
  // Earliest first: when two isolates sent the same (experiment, user), the first exposure wins.
  const rows = good.flatMap((g) => g.rows).sort((a, b) => a.exposedAt - b.exposedAt);
  let stored: number;
  try {
    stored = await store(rows);
  } catch (err) {
    // D1 down or overloaded: the messages stay in the queue and come back after the delay.
    log("warn", {
      event: "exposure_write_failed",
      messages: good.length,
      rows: rows.length,
      attempts: Math.max(0, ...good.map((g) => g.message.attempts)),
      error: String(err),
    });
    for (const { message } of good) message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    return { rows: rows.length, stored: 0, malformed, retried: true };
  }
  hooks.afterWrite?.();
  good.forEach(({ message }, i) => {
    message.ack();
    hooks.afterAck?.(i);
  });
  return { rows: rows.length, stored, malformed, retried: false };
}
