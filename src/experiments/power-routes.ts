/** POST /power: a sample-size calculator for planning an experiment (docs/contract.md). */
import { body, json } from "../http/handler";
import { unprocessable } from "../http/problem";
import { defineRoute, problemResponses } from "../http/openapi";
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
    responses: {
      200: json(PowerOut, "The sample size"),
      ...problemResponses({ 422: "The sample size is beyond any number of users (an effect far too small)" }),
    },
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
    // Valid inputs can still ask for more users than a number can hold (an effect of 1e-300 of the
    // baseline): that is an answer too, said as such rather than a null users_per_variant.
    if (!Number.isSafeInteger(users)) {
      throw unprocessable("no experiment can detect this effect: the sample size is beyond any number of users", [
        { path: "mde_relative", message: "too small for this baseline, alpha and power" },
      ]);
    }
    return c.json({ users_per_variant: users }, 200);
  },
);
