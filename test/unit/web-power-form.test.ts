// The power calculator's request and how the server's reasons read at its fields
// (web/src/experiments/results/power-form.ts).
import { describe, expect, it } from "vitest";
import { type PowerDraft, powerBody, powerErrors } from "../../web/src/experiments/results/power-form";

const draft = (over: Partial<PowerDraft> = {}): PowerDraft => ({
  kind: "binomial",
  mean: "0.1",
  sd: "",
  mde: "5",
  power: "80",
  ...over,
});

/** What the default draft asks, at a 95% level: percentages as fractions, alpha as 1 − 0.95 computes. */
const RATE_BODY = {
  kind: "binomial",
  baseline_mean: 0.1,
  mde_relative: 0.05,
  alpha: 0.050000000000000044,
  power: 0.8,
  variants: 2,
};

describe("powerBody", () => {
  it.each<[string, PowerDraft, Record<string, unknown>]>([
    ["a rate: no standard deviation, percentages as fractions", draft(), RATE_BODY],
    ["a rate ignores a standard deviation left from a mean", draft({ sd: "3" }), RATE_BODY],
    [
      "a mean with its standard deviation",
      draft({ kind: "mean", mean: "12.5", sd: "4" }),
      {
        kind: "mean",
        baseline_mean: 12.5,
        baseline_stddev: 4,
        mde_relative: 0.05,
        alpha: 0.050000000000000044,
        power: 0.8,
        variants: 2,
      },
    ],
    [
      "a mean without one: the server names the missing field",
      draft({ kind: "mean", mean: "12.5" }),
      { kind: "mean", baseline_mean: 12.5, mde_relative: 0.05, alpha: 0.050000000000000044, power: 0.8, variants: 2 },
    ],
  ])("%s", (_name, d, body) => {
    expect(powerBody(d, 0.95, 2)).toEqual(body);
  });

  it("text that is no number is sent as null, for the server to name", () => {
    expect(JSON.parse(JSON.stringify(powerBody(draft({ mean: "abc" }), 0.9, 3)))).toMatchObject({
      baseline_mean: null,
      variants: 3,
    });
  });
});

describe("powerErrors", () => {
  it.each<[Record<string, string>, Record<string, string>]>([
    // What POST /power answers (src/experiments/results-schemas.ts, power-routes.ts).
    [
      { baseline_mean: "a binomial baseline is a rate in (0, 1)" },
      { baseline_mean: "A binomial baseline is a rate in (0, 1)" },
    ],
    [{ mde_relative: "the lifted rate must stay below 1" }, { mde_relative: "The lifted rate must stay below 1" }],
    [
      { mde_relative: "too small for this baseline, alpha and power" },
      { mde_relative: "Too small for this baseline, alpha and power" },
    ],
    [{ baseline_stddev: "required for mean and event_mean metrics" }, { baseline_stddev: "This can't be empty." }],
    [{ baseline_mean: "Invalid input: expected number, received null" }, { baseline_mean: "Enter a number." }],
    // The API's fractions are the form's percentages: both bounds of its range (decimalNumber).
    [
      { power: "must be a number greater than 0 and less than 1" },
      { power: "Enter a number greater than 0% and less than 100%." },
    ],
    [
      { mde_relative: "must be a number greater than 0 and at most 100" },
      { mde_relative: "Enter a number greater than 0% and at most 10000%." },
    ],
    [
      { mde_relative: "required: a number greater than 0 and at most 100" },
      { mde_relative: "Enter a number greater than 0% and at most 10000%." },
    ],
    [{ power: "must be a number from 0.07 to 0.999" }, { power: "Enter a number from 7% to 99.9%." }],
    // Not a percent field: the bound as the API says it.
    [{ baseline_stddev: "must be a number greater than 0" }, { baseline_stddev: "Enter a number greater than 0." }],
    [{}, {}],
  ])("%j", (api, shown) => {
    expect(powerErrors(api)).toEqual(shown);
  });
});
