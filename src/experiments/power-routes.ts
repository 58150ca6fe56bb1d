/** POST /power: a sample-size calculator for planning an experiment (docs/contract.md). */
import { body, json } from "../http/handler";
import { defineRoute } from "../http/openapi";
import { createRouter } from "../http/router";
import { requiredUsersPerVariant } from "../stats";
import { PowerIn, PowerOut } from "./results-schemas";

export const powerRoutes = createRouter().openapi(
  defineRoute("read", {
    method: "post",
    path: "/power",
    tags: ["Results"],
    summary: "Users per variant needed to detect a relative effect with a two-sided test",
    description:
      "No Bonferroni split over several treatments is applied: with `variants` > 2 each comparison keeps `alpha`. " +
      "Set `planned_users_per_variant` of an experiment to the answer to follow `power.progress` in its results.",
    request: { body: body(PowerIn) },
    responses: { 200: json(PowerOut, "The sample size") },
  }),
  async (c) => {
    const p = c.req.valid("json");
    const users = requiredUsersPerVariant({
      binary: p.kind === "binomial",
      baseline_mean: p.baseline_mean,
      ...(p.baseline_stddev !== undefined && { baseline_stddev: p.baseline_stddev }),
      mde_relative: p.mde_relative,
      ...(p.alpha !== undefined && { alpha: p.alpha }),
      ...(p.power !== undefined && { power: p.power }),
      ...(p.variants !== undefined && { variants: p.variants }),
    });
    return c.json({ users_per_variant: users }, 200);
  },
);
