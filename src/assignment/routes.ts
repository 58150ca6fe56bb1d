import type { Context } from "hono";
import { defineRoute, problemResponses } from "../http/openapi";
import { limitAssign } from "../http/rate-limit";
import { createRouter } from "../http/router";
import type { AppEnv } from "../http/types";
import { matchesIfNoneMatch } from "./cache";
import { clientConfigSchema } from "./config-schema";
import {
  AssignManyBody,
  AssignManyResponse,
  AssignmentSchema,
  AssignOneBody,
  ExperimentIdParam,
  ExposuresBody,
  ExposuresResponse,
  IfNoneMatchHeader,
} from "./schemas";
import { type AssignContext, assignMany, assignOne, configSnapshot, reportExposures } from "./service";

const json = <S>(schema: S, description: string) => ({ description, content: { "application/json": { schema } } });
const etagHeader = { ETag: { schema: { type: "string" as const }, description: "Strong ETag of the experiments" } };

export const assignContext = (c: Context<AppEnv>): AssignContext => ({
  orgId: c.get("principal").org,
  env: c.env,
  waitUntil: (p) => c.executionCtx.waitUntil(p),
});

/** Mounted under /api/v1/ab-testing. Every answer comes from the isolate's cache when it can. */
export const assignmentRoutes = createRouter()
  .openapi(
    defineRoute(
      "assign",
      {
        method: "post",
        path: "/experiments/{id}/assign",
        tags: ["Assignment"],
        summary: "Assign one user in one experiment",
        description:
          "Running: the user's variant (`in_experiment: true`, recorded as an exposure) or the control with a " +
          "`reason`: `targeting` (the attributes do not match), `namespace` (outside the layer's range) or " +
          "`coverage`. Paused: the control. Completed: the winner, or the control. Always the same answer for the " +
          "same user and attributes while the experiment's configuration is unchanged.",
        request: {
          params: ExperimentIdParam,
          body: { content: { "application/json": { schema: AssignOneBody } } },
        },
        responses: {
          200: json(AssignmentSchema, "The assignment"),
          ...problemResponses({ 409: "The experiment is a draft", 503: "Experiment store unavailable (cold cache)" }),
        },
      },
      [limitAssign],
    ),
    async (c) => {
      const { id } = c.req.valid("param");
      const { user_id, attributes, exposed } = c.req.valid("json");
      return c.json(await assignOne(assignContext(c), id, { userId: user_id, attributes, exposed }), 200);
    },
  )
  .openapi(
    defineRoute(
      "assign",
      {
        method: "post",
        path: "/assign",
        tags: ["Assignment"],
        summary: "Assign one user in every running experiment (or the named ones)",
        description:
          "Without `experiments`: every running experiment. With it: those keys, in request order, paused and " +
          "completed ones included; unknown keys and drafts give no assignment and are listed in `skipped`.",
        request: { body: { content: { "application/json": { schema: AssignManyBody } } } },
        responses: {
          200: json(AssignManyResponse, "The user's assignments"),
          ...problemResponses({ 503: "Experiment store unavailable (cold cache)" }),
        },
      },
      [limitAssign],
    ),
    async (c) => {
      const { user_id, attributes, exposed, experiments } = c.req.valid("json");
      return c.json(await assignMany(assignContext(c), { userId: user_id, attributes, exposed }, experiments), 200);
    },
  )
  .openapi(
    defineRoute("assign", {
      method: "get",
      path: "/config",
      tags: ["Assignment"],
      summary: "The running experiments, for evaluation in a client SDK",
      description:
        "Keys, seeds (defaulted), coverage and variants in creation order: everything `src/sdk` needs to assign " +
        "locally exactly as the server does. `stopped_experiments`: the paused and completed ones, each with only " +
        "the variant it answers everyone (the control; the winner or the control), so an SDK answers them as " +
        "`POST /assign` does. Revalidate with `If-None-Match`; the ETag ignores `generated_at`.",
      request: { headers: IfNoneMatchHeader },
      responses: {
        200: { ...json(clientConfigSchema, "The evaluation config"), headers: etagHeader },
        304: { description: "Unchanged since the ETag sent in If-None-Match", headers: etagHeader },
        ...problemResponses({ 503: "Experiment store unavailable (cold cache)" }),
      },
    }),
    async (c) => {
      const snapshot = await configSnapshot(assignContext(c));
      // Clients may keep the body but must revalidate (cheap: 304) before trusting it again.
      const headers = { ETag: snapshot.etag, "Cache-Control": "private, no-cache" };
      if (matchesIfNoneMatch(c.req.valid("header")["if-none-match"], snapshot.etag)) {
        return c.body(null, 304, headers);
      }
      const body = {
        generated_at: snapshot.generatedAt,
        experiments: [...snapshot.running],
        stopped_experiments: [...snapshot.stopped],
        flags: [...snapshot.flags],
      };
      return c.json(body, 200, headers);
    },
  )
  .openapi(
    defineRoute("assign", {
      method: "post",
      path: "/exposures",
      tags: ["Assignment"],
      summary: "Report exposures of users assigned locally with an SDK",
      description:
        "Up to 1000 exposures. Each is checked against the server's bucketing: the experiment is running, the " +
        "user's namespace position and coverage bucket enrol them, and their bucket gives `variant_key` (targeting " +
        "is the client's to apply). Valid ones are stored like the assignment routes' exposures: the first of an " +
        "experiment and user wins, once. `timestamp` defaults to now and may be at most 5 minutes ahead of the " +
        "server clock and 30 days behind it. `accepted + duplicates + rejected.length` is the number sent.",
      request: { body: { content: { "application/json": { schema: ExposuresBody } } } },
      responses: {
        202: json(ExposuresResponse, "Checked and stored"),
        ...problemResponses({ 503: "Experiment store unavailable" }),
      },
    }),
    async (c) => {
      const { exposures } = c.req.valid("json");
      return c.json(await reportExposures(assignContext(c), exposures), 202);
    },
  );
