import { z } from "@hono/zod-openapi";
import { defineRoute, problemResponses } from "../http/openapi";
import { decimalQuery, enumQuery, givenOnce, listOf, textQuery, wholeQuery } from "../http/params";
import { limitIngest } from "../http/rate-limit";
import { createRouter } from "../http/router";
import { TIME_FORMS, TimeIn } from "../http/time";
import {
  EventAccepted,
  EventBatchIn,
  EventOut,
  ListQuery,
  ModelsSummary,
  PredictionBody,
  PredictionOut,
  PredictionsAccepted,
  ProcessIn,
  ProcessOut,
} from "./schemas";
import { MODEL_ROLLUPS_MAX, MODEL_WINDOW_DEFAULT_SECONDS, MODEL_WINDOW_MAX_SECONDS } from "./model";
import { body, json, orgOf, TAG, unwrap } from "./routes-shared";

/** A time filter of a list, given once (a time's own messages for one that is wrong). */
const TimeQuery = givenOnce(TimeIn, TIME_FORMS).optional();
const ModelName = textQuery({ min: 1, max: 200 });

const EventsQuery = ListQuery.extend({
  event_type: textQuery({ min: 1, max: 200 }).optional(),
  source_id: textQuery({ min: 1, max: 128 }).optional(),
  processed: enumQuery(["true", "false"])
    .transform((v) => v === "true")
    .optional(),
  since: TimeQuery,
  until: TimeQuery,
});

const PredictionsQuery = ListQuery.extend({
  model_name: ModelName.optional(),
  model_version: textQuery({ min: 1, max: 200 })
    .optional()
    .openapi({ description: "This version only (with model_name: of that model)" }),
  min_confidence: decimalQuery({ min: 0, max: 1, example: "0.8" }),
  since: TimeQuery,
});

const ModelsQuery = z.object({
  window: wholeQuery({ min: 60, max: MODEL_WINDOW_MAX_SECONDS, default: MODEL_WINDOW_DEFAULT_SECONDS }).openapi({
    description: `Seconds, 60 to ${MODEL_WINDOW_MAX_SECONDS} (a week); default an hour`,
  }),
  model_name: ModelName.optional().openapi({ description: "This model only" }),
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
      const isBatch = "predictions" in input;
      const result = await orgOf(c).ingestPredictions(isBatch ? input.predictions : [input]);
      const stored = unwrap(result, isBatch ? undefined : "predictions");
      return c.json(isBatch ? { accepted: stored.length, items: stored } : stored[0], 201);
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
  )
  .openapi(
    defineRoute("read", {
      method: "get",
      path: "/models",
      tags: TAG,
      summary: "Model monitoring: predictions, confidence and latency per model and version over a window",
      description:
        "Built from rollups that every prediction feeds (the metric rollups' 10 s, 5 min and 1 h buckets), so its " +
        "cost does not grow with the predictions. Quantiles come from DDSketch: within 1% relative error of the " +
        "exact value. Models busiest first (at most 50), each with its versions busiest first and a series per step. " +
        `One answer reads at most ${MODEL_ROLLUPS_MAX} rollup rows: a window with more for its usual buckets is ` +
        "answered from coarser ones (a coarser `step_seconds`).",
      request: { query: ModelsQuery },
      responses: {
        200: json(ModelsSummary, "One summary per model and version"),
        ...problemResponses({
          422: `more than ${MODEL_ROLLUPS_MAX} model rollup rows in the window even at hourly buckets (use model_name or a shorter window)`,
        }),
      },
    }),
    async (c) => c.json(unwrap(await orgOf(c).models(c.req.valid("query"))), 200),
  );
