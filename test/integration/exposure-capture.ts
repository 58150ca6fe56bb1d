/**
 * Drives the exposure path without the local queue's own timing: the Worker's sends to the
 * EXPOSURES queue are recorded in place of the local queue, requests go through the Worker's own
 * handler with an ExecutionContext the test keeps, and `deliver()` waits for those contexts (the
 * exposure flush runs in the waitUntil of the request that opened its batch), then hands every
 * recorded message to the Worker's queue handler, the consumer that writes them to D1.
 *
 * So a test waits on the work itself, never on a clock. Why not signal from the real local queue's
 * consumer instead: it runs in another request's context, and a promise of the test resolved from
 * there stalls workerd ("onEmpty() can only be called once at a time"), so such a test hangs.
 * The local queue's own transport is left to the e2e results step, which awaits the exposures of a
 * real server through the analysis.
 *
 * Call `captureExposures()` inside the test; `vi.restoreAllMocks()` in afterEach puts the queue back.
 */
import {
  createExecutionContext,
  createMessageBatch,
  env,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { expect, vi } from "vitest";
import type { Env } from "../../src/env";
import worker from "../../src/index";
import { type Fetcher, as } from "../helpers";

export function captureExposures(e: Env = env as Env) {
  const bodies: unknown[] = [];
  // The Worker's binding and the test's are distinct objects of one class: spy on the class.
  const queue = Object.getPrototypeOf(env.EXPOSURES) as Queue;
  // What a real queue answers: its backlog, which nothing here reads.
  const metadata = { metrics: { backlogCount: 0, backlogBytes: 0 } };
  const send = vi.spyOn(queue, "send").mockImplementation(async (body: unknown) => {
    bodies.push(body);
    return { metadata };
  });
  const sendBatch = vi.spyOn(queue, "sendBatch").mockImplementation(async (messages) => {
    for (const m of messages) bodies.push(m.body);
    return { metadata };
  });
  const pending: ExecutionContext[] = [];
  let delivered = 0;

  /** A request through the Worker's fetch handler; its after-response work is awaited by `deliver`. */
  const fetch: Fetcher = async (request) => {
    const ctx = createExecutionContext();
    pending.push(ctx);
    return worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, e, ctx);
  };

  return {
    fetch,
    /** A client for `org` whose requests go through `fetch`. */
    as: (org: string, scope?: string) => as(org, scope, fetch),
    /** The queue calls made so far (send and sendBatch). */
    calls: () => send.mock.calls.length + sendBatch.mock.calls.length,
    /**
     * Waits for every request's flush, then delivers what they sent to the consumer as one batch,
     * as the queue would, and checks the consumer acknowledged all of it. Returns the messages delivered.
     */
    async deliver(): Promise<number> {
      await Promise.all(pending.splice(0).map((ctx) => waitOnExecutionContext(ctx)));
      const messages = bodies.splice(0).map((body) => ({
        id: `captured-${++delivered}`,
        timestamp: new Date(),
        attempts: 1,
        body,
      }));
      if (messages.length === 0) return 0;
      const batch = createMessageBatch("edge-experiments-exposures", messages);
      const ctx = createExecutionContext();
      await worker.queue(batch, e);
      const result = await getQueueResult(batch, ctx);
      expect(result.retryMessages).toEqual([]);
      expect(result.explicitAcks.length).toBe(messages.length);
      return messages.length;
    },
  };
}
