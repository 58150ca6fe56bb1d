import { listOf } from "../http/params";
import { defineRoute, problemResponses } from "../http/openapi";
import { createRouter } from "../http/router";
import { ListQuery, Source, SourceIn, SourcePatch } from "./schemas";
import { body, IdParam, json, orgOf, TAG, unwrap } from "./routes-shared";

export const sourceRoutes = createRouter()
  .openapi(
    defineRoute("write", {
      method: "post",
      path: "/sources",
      tags: TAG,
      summary: "Create a data source",
      request: body(SourceIn),
      responses: { 201: json(Source, "The new data source, with health") },
    }),
    async (c) => c.json(await orgOf(c).createSource(c.req.valid("json")), 201),
  )
  .openapi(
    defineRoute("read", {
      method: "get",
      path: "/sources",
      tags: TAG,
      summary: "Data sources with health, newest first",
      request: { query: ListQuery },
      responses: { 200: json(listOf(Source, "SourceList"), "A page of data sources") },
    }),
    async (c) => c.json(unwrap(await orgOf(c).listSources(c.req.valid("query"))), 200),
  )
  .openapi(
    defineRoute("read", {
      method: "get",
      path: "/sources/{id}",
      tags: TAG,
      summary: "One data source with health",
      request: { params: IdParam },
      responses: { 200: json(Source, "The data source") },
    }),
    async (c) => c.json(unwrap(await orgOf(c).getSource(c.req.valid("param").id)), 200),
  )
  .openapi(
    defineRoute("write", {
      method: "patch",
      path: "/sources/{id}",
      tags: TAG,
      summary: "Update a data source",
      request: { params: IdParam, ...body(SourcePatch) },
      responses: { 200: json(Source, "The updated data source") },
    }),
    async (c) => c.json(unwrap(await orgOf(c).updateSource(c.req.valid("param").id, c.req.valid("json"))), 200),
  )
  .openapi(
    defineRoute("write", {
      method: "delete",
      path: "/sources/{id}",
      tags: TAG,
      summary: "Delete a data source (its events stay)",
      request: { params: IdParam },
      responses: { 204: { description: "Deleted" }, ...problemResponses({ 404: "No such data source" }) },
    }),
    async (c) => {
      unwrap(await orgOf(c).deleteSource(c.req.valid("param").id));
      return c.body(null, 204);
    },
  );
