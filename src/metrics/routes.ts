/**
 * `/api/v1/ab-testing/metrics`: the metric catalogue (docs/contract.md "Metric catalogue and per-user
 * analysis"). Handlers only translate HTTP to service calls.
 */
import { at, body, by, json } from "../http/handler";
import { defineD1Route, problemResponses } from "../http/openapi";
import { IdParam } from "../http/params";
import { createRouter } from "../http/router";
import { Metric, MetricIn, MetricListQuery, MetricPage, MetricPatch } from "./schemas";
import * as service from "./service";

const tags = ["Metrics"];

export const metricRoutes = createRouter()
  .openapi(
    defineD1Route("write", {
      method: "post",
      path: "/metrics",
      tags,
      summary: "Define a metric: how results with this metric_name are read, judged and shown",
      request: { body: body(MetricIn) },
      responses: {
        201: json(Metric, "Created"),
        ...problemResponses({ 409: "A metric with this key exists in the organization" }),
      },
    }),
    async (c) => c.json(await service.createMetric(...by(c), c.req.valid("json")), 201),
  )
  .openapi(
    defineD1Route("read", {
      method: "get",
      path: "/metrics",
      tags,
      summary: "List metric definitions, newest first",
      request: { query: MetricListQuery },
      responses: { 200: json(MetricPage, "A page of metric definitions") },
    }),
    async (c) => c.json(await service.listMetrics(...at(c), c.req.valid("query")), 200),
  )
  .openapi(
    defineD1Route("read", {
      method: "get",
      path: "/metrics/{id}",
      tags,
      summary: "One metric definition",
      request: { params: IdParam },
      responses: { 200: json(Metric, "The metric definition") },
    }),
    async (c) => c.json(await service.getMetric(...at(c), c.req.valid("param").id), 200),
  )
  .openapi(
    defineD1Route("write", {
      method: "patch",
      path: "/metrics/{id}",
      tags,
      summary: "Update a metric definition (the next analysis reads results with it)",
      request: { params: IdParam, body: body(MetricPatch) },
      responses: {
        200: json(Metric, "The updated definition"),
        ...problemResponses({
          409: "The new key is taken, or the old one is read by a running or paused experiment",
          422: "currency without format 'currency'",
        }),
      },
    }),
    async (c) => c.json(await service.updateMetric(...by(c), c.req.valid("param").id, c.req.valid("json")), 200),
  )
  .openapi(
    defineD1Route("write", {
      method: "delete",
      path: "/metrics/{id}",
      tags,
      summary: "Delete a metric definition (its results stay; they are analysed as an undefined metric)",
      request: { params: IdParam },
      responses: { 204: { description: "Deleted" } },
    }),
    async (c) => {
      await service.deleteMetric(...by(c), c.req.valid("param").id);
      return c.body(null, 204);
    },
  );
