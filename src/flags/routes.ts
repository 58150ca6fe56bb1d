/** `/api/v1/ab-testing/flags` (docs/contract.md "Feature flags"). Handlers only translate HTTP to service calls. */
import { actorOf, dbOf } from "../http/handler";
import { defineD1Route, defineRoute, problemResponses } from "../http/openapi";
import { limitAssign } from "../http/rate-limit";
import { createRouter } from "../http/router";
import { assignContext } from "../assignment/routes";
import { evaluateFlagsFor } from "./evaluate-service";
import {
  Flag,
  FlagIn,
  FlagListQuery,
  FlagPage,
  FlagPatch,
  FlagsEvaluateBody,
  FlagsEvaluateResponse,
  IdParam,
} from "./schemas";
import * as service from "./service";

const tags = ["Flags"];
const json = <T>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const body = <T>(schema: T) => ({ content: { "application/json": { schema } } });

export const flagRoutes = createRouter()
  .openapi(
    defineRoute(
      "assign",
      {
        method: "post",
        path: "/flags/evaluate",
        tags: ["Flags"],
        summary: "Evaluate feature flags for one user",
        description:
          "Every flag of the organization (or the named ones): the first rule whose condition matches the attributes " +
          "and whose rollout holds the user gives its value, else the default. Answered from the edge cache.",
        request: { body: { content: { "application/json": { schema: FlagsEvaluateBody } } } },
        responses: {
          200: json(FlagsEvaluateResponse, "Each flag's value, rule_index and reason"),
          ...problemResponses({ 503: "Flag store unavailable (cold cache)" }),
        },
      },
      [limitAssign],
    ),
    async (c) => {
      const { user_id, attributes, flags } = c.req.valid("json");
      return c.json(await evaluateFlagsFor(assignContext(c), { userId: user_id, attributes }, flags), 200);
    },
  )
  .openapi(
    defineD1Route("write", {
      method: "post",
      path: "/flags",
      tags,
      summary: "Create a feature flag",
      description:
        "Values must be of `value_type`; conditions are checked when saved (400 naming the path). The first rule " +
        "whose condition matches and whose rollout holds the user gives its value; otherwise `default_value`.",
      request: { body: body(FlagIn) },
      responses: {
        201: json(Flag, "Created"),
        ...problemResponses({ 409: "A flag with this key exists in the organization" }),
      },
    }),
    async (c) => c.json(await service.createFlag(dbOf(c), actorOf(c), c.req.valid("json")), 201),
  )
  .openapi(
    defineD1Route("read", {
      method: "get",
      path: "/flags",
      tags,
      summary: "List flags, newest first",
      request: { query: FlagListQuery },
      responses: { 200: json(FlagPage, "A page of flags") },
    }),
    async (c) => c.json(await service.listFlags(dbOf(c), c.get("principal").org, c.req.valid("query")), 200),
  )
  .openapi(
    defineD1Route("read", {
      method: "get",
      path: "/flags/{id}",
      tags,
      summary: "One flag",
      request: { params: IdParam },
      responses: { 200: json(Flag, "The flag") },
    }),
    async (c) => c.json(await service.getFlag(dbOf(c), c.get("principal").org, c.req.valid("param").id), 200),
  )
  .openapi(
    defineD1Route("write", {
      method: "patch",
      path: "/flags/{id}",
      tags,
      summary: "Update a flag",
      description: "Any field; values are re-checked against the resulting value_type. `rules` replaces the rules.",
      request: { params: IdParam, body: body(FlagPatch) },
      responses: {
        200: json(Flag, "The updated flag"),
        ...problemResponses({ 409: "The key is taken, or the flag changed concurrently" }),
      },
    }),
    async (c) =>
      c.json(await service.updateFlag(dbOf(c), actorOf(c), c.req.valid("param").id, c.req.valid("json")), 200),
  )
  .openapi(
    defineD1Route("write", {
      method: "delete",
      path: "/flags/{id}",
      tags,
      summary: "Delete a flag (its history stays readable)",
      request: { params: IdParam },
      responses: { 204: { description: "Deleted" } },
    }),
    async (c) => {
      await service.deleteFlag(dbOf(c), actorOf(c), c.req.valid("param").id);
      return c.body(null, 204);
    },
  );
