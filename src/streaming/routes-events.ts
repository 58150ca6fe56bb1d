import { z } from "@hono/zod-openapi";
import { defineRoute, problemResponses } from "../http/openapi";
import { requireScope } from "../http/auth";
import { onNotFound } from "../http/errors";
import { badRequest } from "../http/problem";
import { limitIngest } from "../http/rate-limit";
import { createRouter } from "../http/router";
import { TimeIn } from "../http/time";
import {
  EventAccepted,
  EventBatchIn,
  EventOut,
  ListQuery,
  listOf,
  PredictionBody,
  PredictionOut,
  PredictionsAccepted,
  ProcessIn,
  ProcessOut,
} from "./schemas";
import { body, json, orgOf, TAG, unwrap } from "./routes-shared";

const EventsQuery = ListQuery.extend({
  event_type: z.string().min(1).max(200).optional(),
  source_id: z.string().min(1).max(128).optional(),
  processed: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional(),
  since: TimeIn.optional(),
  until: TimeIn.optional(),
});

const PredictionsQuery = ListQuery.extend({
  model_name: z.string().min(1).max(200).optional(),
  min_confidence: z.coerce.number().min(0).max(1).optional(),
  since: TimeIn.optional(),
});

export const eventRoutes = createRouter()
  .openapi(
    defineRoute(
      "ingest",
      {
        method: "post",
        path: "/events",
        tags: TAG,
        summary: "Ingest a batch of 1 to 1000 events",
        description:
          "Validated as a whole: one invalid event and nothing is stored. A re-sent `event_id` counts as a duplicate. Answered after the batch is durable.",
        request: body(EventBatchIn),
        responses: {
          202: json(EventAccepted, "Stored: new events and duplicates"),
          ...problemResponses({ 422: "An event names an unknown source_id" }),
        },
      },
      [limitIngest],
    ),
    async (c) => c.json(unwrap(await orgOf(c).ingestEvents(c.req.valid("json").events)), 202),
  )
  .openapi(
    defineRoute("read", {
      method: "get",
      path: "/events",
      tags: TAG,
      summary: "Events, newest first",
      request: { query: EventsQuery },
      responses: { 200: json(listOf(EventOut, "EventList"), "A page of events") },
    }),
    async (c) => c.json(unwrap(await orgOf(c).listEvents(c.req.valid("query"))), 200),
  )
  .openapi(
    defineRoute(
      "ingest",
      {
        method: "post",
        path: "/events/process",
        tags: TAG,
        summary: "Mark events processed (idempotent)",
        request: body(ProcessIn),
        responses: { 200: json(ProcessOut, "How many of the listed events exist, all now processed") },
      },
      [limitIngest],
    ),
    async (c) => c.json(await orgOf(c).processEvents(c.req.valid("json").event_ids), 200),
  )
  .openapi(
    defineRoute(
      "ingest",
      {
        method: "post",
        path: "/predictions",
        tags: TAG,
        summary: "Record one prediction or a batch of up to 1000",
        request: body(PredictionBody),
        responses: { 201: json(z.union([PredictionOut, PredictionsAccepted]), "The stored prediction, or the batch") },
      },
      [limitIngest],
    ),
    async (c) => {
      const input = c.req.valid("json");
      const batch = "predictions" in input ? input.predictions : [input];
      const stored = await orgOf(c).ingestPredictions(batch);
      return c.json("predictions" in input ? { accepted: stored.length, items: stored } : stored[0], 201);
    },
  )
  .openapi(
    defineRoute("read", {
      method: "get",
      path: "/predictions",
      tags: TAG,
      summary: "Predictions, newest first",
      request: { query: PredictionsQuery },
      responses: { 200: json(listOf(PredictionOut, "PredictionList"), "A page of predictions") },
    }),
    async (c) => c.json(unwrap(await orgOf(c).listPredictions(c.req.valid("query"))), 200),
  );

/**
 * Bench baseline, mounted only when the BENCH_ROUTES var is "true" (bench/streaming.bench.ts starts
 * `wrangler dev --var BENCH_ROUTES:true`): the same auth, rate limit, body parsing, validation and
 * RPC as POST /events, ending in a DO method that stores nothing. Kept out of the OpenAPI document.
 */
export const benchRoutes = createRouter();
benchRoutes.use("*", async (c, next) => {
  // Not declared in Env: a bench-only switch that production configuration never sets.
  if (c.env.BENCH_ROUTES !== "true") return onNotFound(c);
  await next();
});
benchRoutes.post("/bench/noop-events", requireScope("ingest"), limitIngest, async (c) => {
  const raw: unknown = await c.req.json().catch(() => {
    throw badRequest("request body is not valid JSON");
  });
  const { events } = EventBatchIn.parse(raw);
  return c.json(unwrap(await orgOf(c).ingestEventsNoop(events)), 202);
});
