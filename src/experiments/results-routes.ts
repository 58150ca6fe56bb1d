/** POST|GET /experiments/:id/results: recording metric values and the analysis. */
import type { z } from "zod";
import { defineD1Route, problemResponses } from "../http/openapi";
import { badRequest, type ProblemError } from "../http/problem";
import { limitIngest } from "../http/rate-limit";
import { createRouter } from "../http/router";
import { fieldErrors } from "../http/validation";
import { at, json } from "./http";
import { analyzeExperiment, experimentTimeseries, recordResults } from "./results-service";
import {
  Accepted,
  Analysis,
  ResultBatchIn,
  ResultIn,
  ResultsBody,
  Timeseries,
  TimeseriesQuery,
} from "./results-schemas";
import { IdParam } from "./schemas";

const tags = ["Results"];

/**
 * A failed union only says "invalid input" at the root. The body's shape tells which branch the
 * client meant (`results` present: a batch), so report that branch's issues, each with its path
 * (`results.3.metric_value`). Thrown, so the app's error handler renders the 400.
 */
function resultsValidationError(target: string, error: z.ZodError, data: unknown): ProblemError {
  if (target !== "json")
    return badRequest("request validation failed", fieldErrors(error, target === "param" ? ["path"] : [target]));
  const isBatch = typeof data === "object" && data !== null && "results" in data;
  const branch = (isBatch ? ResultBatchIn : ResultIn).safeParse(data);
  return badRequest("request validation failed", fieldErrors(branch.success ? error : branch.error));
}

export const resultRoutes = createRouter()
  .openapi(
    defineD1Route(
      "ingest",
      {
        method: "post",
        path: "/experiments/{id}/results",
        tags,
        summary: "Record metric values: one, or a batch of up to 1000 (all or nothing)",
        description:
          "Without `variant_id` the user's exposure decides the variant. Accepted once the experiment has " +
          "started, also after completion (late conversions); a draft answers 409.",
        request: { params: IdParam, body: { content: { "application/json": { schema: ResultsBody } } } },
        responses: {
          201: json(Accepted, "Stored"),
          ...problemResponses({
            409: "The experiment is a draft",
            422: "A variant_id of another experiment, or a user outside its coverage or namespace with no exposure",
          }),
        },
      },
      [limitIngest],
    ),
    async (c) => {
      const input = c.req.valid("json");
      const batch = "results" in input;
      const rows = batch ? input.results : [input];
      const accepted = await recordResults(...at(c), c.req.valid("param").id, rows, (i) =>
        batch ? `results.${i}.` : "",
      );
      return c.json({ accepted }, 201);
    },
    (result) => {
      // zod-validator hands the raw input to hooks at runtime; its type only declares it on success.
      if (!result.success)
        throw resultsValidationError(result.target, result.error, (result as { data?: unknown }).data);
      return undefined;
    },
  )
  .openapi(
    defineD1Route("read", {
      method: "get",
      path: "/experiments/{id}/results",
      tags,
      summary: "The analysis: exposures, SRM, per-variant summaries, each treatment against the control",
      request: { params: IdParam },
      responses: { 200: json(Analysis, "The analysis (docs/statistics.md explains every number)") },
    }),
    async (c) => c.json(await analyzeExperiment(...at(c), c.req.valid("param").id), 200),
  )
  .openapi(
    defineD1Route("read", {
      method: "get",
      path: "/experiments/{id}/results/timeseries",
      tags,
      summary: "The analysis of one metric, cumulative per UTC day since the start",
      description:
        "Users, mean per variant and each treatment's relative lift with its interval, as they stood at the end of " +
        "every day. Percentile caps use today's cap value for every day. A metric known nowhere (no results in the " +
        "experiment carry it, the experiment does not name it, the catalogue does not define it) is a 404.",
      request: { params: IdParam, query: TimeseriesQuery },
      responses: { 200: json(Timeseries, "One item per day, oldest first") },
    }),
    async (c) =>
      c.json(await experimentTimeseries(...at(c), c.req.valid("param").id, c.req.valid("query").metric), 200),
  );
