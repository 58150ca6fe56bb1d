/** POST /experiments/:id/start | pause | complete: the lifecycle moves (src/experiments/lifecycle.ts). */
import { defineD1Route, problemResponses } from "../http/openapi";
import { createRouter } from "../http/router";
import { at, json } from "./http";
import { CompleteIn, Experiment, IdParam } from "./schemas";
import { changeStatus } from "./service";

const tags = ["Experiments"];

export const lifecycleRoutes = createRouter()
  .openapi(
    defineD1Route("write", {
      method: "post",
      path: "/experiments/{id}/start",
      tags,
      summary: "Start (draft or paused to running)",
      description: "Needs at least 2 variants, exactly one control, and percentages summing to 100.",
      request: { params: IdParam },
      responses: {
        200: json(Experiment, "The running experiment"),
        ...problemResponses({
          409: "Not draft or paused (or another request changed it first)",
          422: "The variants cannot run; `errors` says why",
        }),
      },
    }),
    async (c) =>
      c.json(await changeStatus(...at(c), c.req.valid("param").id, "start", null, c.get("principal").sub), 200),
  )
  .openapi(
    defineD1Route("write", {
      method: "post",
      path: "/experiments/{id}/pause",
      tags,
      summary: "Pause (running to paused): everyone gets the control until it is started again",
      request: { params: IdParam },
      responses: {
        200: json(Experiment, "The paused experiment"),
        ...problemResponses({ 409: "Not running" }),
      },
    }),
    async (c) =>
      c.json(await changeStatus(...at(c), c.req.valid("param").id, "pause", null, c.get("principal").sub), 200),
  )
  .openapi(
    defineD1Route("write", {
      method: "post",
      path: "/experiments/{id}/complete",
      tags,
      summary: "Complete (running or paused to completed), optionally naming the winner",
      description:
        "Name the winner by `winner_variant_id` or by `winner_variant_key` (both: they must name the same " +
        "variant). Without one, every user then gets the control.",
      request: {
        params: IdParam,
        // Optional: `POST .../complete` with no body completes without a winner.
        body: { required: false, content: { "application/json": { schema: CompleteIn } } },
      },
      responses: {
        200: json(Experiment, "The completed experiment"),
        ...problemResponses({ 409: "Not running or paused", 422: "The winner named is not a variant of it" }),
      },
    }),
    async (c) => {
      const { winner_variant_id, winner_variant_key } = c.req.valid("json") ?? {};
      const winner = { id: winner_variant_id, key: winner_variant_key };
      return c.json(
        await changeStatus(...at(c), c.req.valid("param").id, "complete", winner, c.get("principal").sub),
        200,
      );
    },
  );
