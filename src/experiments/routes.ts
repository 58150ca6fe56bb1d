/**
 * `/api/v1/ab-testing`: experiments, variants, lifecycle and results (docs/contract.md). The assignment
 * routes of the same prefix live in src/assignment/. Handlers only translate HTTP to service calls.
 */
import { defineD1Route, problemResponses } from "../http/openapi";
import { createRouter } from "../http/router";
import { at, body, json } from "./http";
import { lifecycleRoutes } from "./lifecycle-routes";
import { powerRoutes } from "./power-routes";
import { resultRoutes } from "./results-routes";
import {
  Experiment,
  ExperimentIn,
  ExperimentPage,
  ExperimentPatch,
  IdParam,
  ListQuery,
  Variant,
  VariantIn,
  VariantListQuery,
  VariantPage,
} from "./schemas";
import * as service from "./service";
import { updateExperiment } from "./update-service";

const tags = ["Experiments"];

const crudRoutes = createRouter()
  .openapi(
    defineD1Route("write", {
      method: "post",
      path: "/experiments",
      tags,
      summary: "Create an experiment in draft, optionally with its variants",
      request: { body: body(ExperimentIn) },
      responses: {
        201: json(Experiment, "Created"),
        ...problemResponses({ 409: "An experiment with this key exists in the organization" }),
      },
    }),
    async (c) => {
      const created = await service.createExperiment(...at(c), c.req.valid("json"), c.get("principal").sub);
      return c.json(created, 201);
    },
  )
  .openapi(
    defineD1Route("read", {
      method: "get",
      path: "/experiments",
      tags,
      summary: "List experiments, newest first",
      request: { query: ListQuery },
      responses: { 200: json(ExperimentPage, "A page of experiments") },
    }),
    async (c) => c.json(await service.listExperiments(...at(c), c.req.valid("query")), 200),
  )
  .openapi(
    defineD1Route("read", {
      method: "get",
      path: "/experiments/{id}",
      tags,
      summary: "One experiment with its variants",
      request: { params: IdParam },
      responses: { 200: json(Experiment, "The experiment") },
    }),
    async (c) => {
      const found = await service.getExperiment(...at(c), c.req.valid("param").id);
      return c.json(found, 200);
    },
  )
  .openapi(
    defineD1Route("write", {
      method: "patch",
      path: "/experiments/{id}",
      tags,
      summary: "Update an experiment",
      description:
        "Variants, percentages (`traffic_split`), key and seed change only in draft. Coverage may rise while running or paused, never fall. Read-only fields (`id`, `status`, `created_at`...) and unknown ones are 400, each named; `{}` is a no-op (200).",
      request: { params: IdParam, body: body(ExperimentPatch) },
      responses: {
        200: json(Experiment, "The updated experiment"),
        ...problemResponses({
          409: "Not allowed in the current status, or the experiment changed concurrently (re-read it and retry)",
          422: "traffic_split names unknown variants",
        }),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      return c.json(await updateExperiment(...at(c), id, c.req.valid("json"), c.get("principal").sub), 200);
    },
  )
  .openapi(
    defineD1Route("write", {
      method: "delete",
      path: "/experiments/{id}",
      tags,
      summary: "Delete an experiment with its variants, exposures and results",
      request: { params: IdParam },
      responses: { 204: { description: "Deleted" }, ...problemResponses({ 409: "The experiment is running" }) },
    }),
    async (c) => {
      await service.deleteExperiment(...at(c), c.req.valid("param").id, c.get("principal").sub);
      return c.body(null, 204);
    },
  )
  .openapi(
    defineD1Route("write", {
      method: "post",
      path: "/experiments/{id}/variants",
      tags,
      summary: "Add a variant (draft only)",
      request: { params: IdParam, body: body(VariantIn) },
      responses: {
        201: json(Variant, "Created"),
        ...problemResponses({ 409: "Not a draft, or the variant key exists" }),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      return c.json(await service.addVariant(...at(c), id, c.req.valid("json"), c.get("principal").sub), 201);
    },
  )
  .openapi(
    defineD1Route("read", {
      method: "get",
      path: "/experiments/{id}/variants",
      tags,
      summary: "The variants, in creation order",
      request: { params: IdParam, query: VariantListQuery },
      responses: { 200: json(VariantPage, "The variants") },
    }),
    async (c) => c.json(await service.listVariants(...at(c), c.req.valid("param").id, c.req.valid("query")), 200),
  );

export const experimentRoutes = createRouter()
  .route("/", crudRoutes)
  .route("/", lifecycleRoutes)
  .route("/", resultRoutes)
  .route("/", powerRoutes);
