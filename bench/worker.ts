/**
 * The bench-only Worker: the production app plus a baseline route, never deployed. bench/harness.ts
 * starts `wrangler dev bench/worker.ts` (wrangler.toml's bindings, this entry); `wrangler deploy`
 * bundles src/index.ts, which does not import this file (scripts/check-bundle.ts asserts it).
 *
 * POST /api/v1/streaming-analytics/bench/noop-events runs the same auth, rate limit, body parsing,
 * validation and RPC as POST /events, ending in a Durable Object method that stores nothing: the
 * bench subtracts it from the real ingest to show what storage costs.
 */
import app from "../src/app";
import worker from "../src/index";
import { requireScope } from "../src/http/auth";
import { badRequest } from "../src/http/problem";
import { limitIngest } from "../src/http/rate-limit";
import { createRouter } from "../src/http/router";
import { OrgObject as ProductionOrgObject } from "../src/streaming/org-object";
import { unwrap } from "../src/streaming/routes-shared";
import { EventBatchIn, type EventInT } from "../src/streaming/schemas";
import { ok } from "../src/streaming/service-types";

/** Same class name as production, so wrangler.toml's ORG binding and migrations apply unchanged. */
export class OrgObject extends ProductionOrgObject {
  /** The same RPC with the same batch, storing nothing. */
  ingestEventsNoop(events: EventInT[]) {
    return ok({ accepted: events.length, duplicates: 0 });
  }
}

const bench = createRouter();
bench.post("/bench/noop-events", requireScope("ingest"), limitIngest, async (c) => {
  const raw: unknown = await c.req.json().catch(() => {
    throw badRequest("request body is not valid JSON");
  });
  const { events } = EventBatchIn.parse(raw);
  const org = c.env.ORG.getByName(c.var.principal.org) as unknown as DurableObjectStub<OrgObject>;
  return c.json(unwrap(await org.ingestEventsNoop(events)), 202);
});
app.route("/api/v1/streaming-analytics", bench);

// The production handlers (fetch, scheduled, the exposure queue's consumer): the routes above are
// added to the same app instance, so fetch serves them too.
export default worker;
