/**
 * What a client is told for the commonest mistakes: a missing field says `required` (zod's own
 * message described the wanted type, so a missing `severity` read "Invalid option"), a time
 * in epoch seconds says so, with the milliseconds to send, and a whole number out of range gets
 * one message naming the range and unit (zod gave 1e20 two: "Too big: expected int to be
 * <=9007199254740991" and the range).
 */
import { describe, expect, it } from "vitest";
import { as, expectProblem } from "../helpers";

const S = "/api/v1/streaming-analytics";
const AB = "/api/v1/ab-testing";
const SECONDS = 1_764_800_000; // 2025-12-03T22:13:20Z as epoch seconds
const TIME_RANGE = "must be between 2000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z";
const RULE = { name: "r", metric_name: "m", aggregation: "max", operator: "gt", threshold: 1, severity: "info" };
const ANOMALY_RULE = { name: "r", metric_name: "m", aggregation: "max", type: "anomaly", severity: "info" };
const WINDOW = "a whole number from 10 to 2678400 (seconds, up to 31 days)";
const EXPOSURE_TIME =
  "must be an ISO-8601 time with a zone (2026-12-03T10:00:00Z) or epoch milliseconds from 0 to 8640000000000000";
const exposure = (timestamp: number) => ({
  exposures: [{ experiment_key: "e", variant_key: "v", user_id: "u", timestamp }],
});

describe("validation messages name the mistake", () => {
  it.each([
    [
      "a missing enum field",
      `${S}/alerts`,
      { title: "disk" },
      "severity",
      'required: one of "info"|"warning"|"error"|"critical"',
    ],
    [
      "a wrong enum value (unchanged: the value is wrong, not missing)",
      `${S}/alerts`,
      { title: "disk", severity: "urgent" },
      "severity",
      'Invalid option: expected one of "info"|"warning"|"error"|"critical"',
    ],
    ["a missing string", `${AB}/experiments`, { experiment_name: "x" }, "key", "required: expected string"],
    ["a missing number", `${S}/alert-rules`, RULE, "window_seconds", `required: ${WINDOW}`],
    [
      "a missing time",
      `${S}/silences`,
      { matchers: { severity: "info" } },
      "ends_at",
      "required: an ISO-8601 time with a zone (2026-12-03T10:00:00Z) or epoch milliseconds",
    ],
    [
      "a time that is not one",
      `${S}/silences`,
      { matchers: { severity: "info" }, ends_at: "tomorrow" },
      "ends_at",
      "must be an ISO-8601 time with a zone (2026-12-03T10:00:00Z) or epoch milliseconds",
    ],
    [
      "a time in epoch seconds",
      `${S}/events`,
      { events: [{ event_type: "signup", timestamp: SECONDS }] },
      "events.0.timestamp",
      `must be between 2000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z; ${SECONDS} looks like epoch seconds: send milliseconds (${SECONDS * 1000}) or an ISO-8601 time`,
    ],
    [
      "a time before 2000 that is not seconds either",
      `${S}/events`,
      { events: [{ event_type: "signup", timestamp: 5 }] },
      "events.0.timestamp",
      "must be between 2000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z",
    ],
    ["a metric time past 2^53", `${S}/metrics`, { name: "m", value: 1, timestamp: 1e308 }, "timestamp", TIME_RANGE],
    [
      "an event time past 2^53",
      `${S}/events`,
      { events: [{ event_type: "signup", timestamp: 1e20 }] },
      "events.0.timestamp",
      TIME_RANGE,
    ],
    [
      "a window past 2^53",
      `${S}/alert-rules`,
      { ...RULE, window_seconds: 1e20 },
      "window_seconds",
      `must be ${WINDOW}`,
    ],
    ["a window too long", `${S}/alert-rules`, { ...RULE, window_seconds: 1e9 }, "window_seconds", `must be ${WINDOW}`],
    [
      "a fractional window",
      `${S}/alert-rules`,
      { ...RULE, window_seconds: 60.5 },
      "window_seconds",
      `must be ${WINDOW}`,
    ],
    ["a window as text", `${S}/alert-rules`, { ...RULE, window_seconds: "60" }, "window_seconds", `must be ${WINDOW}`],
    [
      "a for_seconds past 2^53",
      `${S}/alert-rules`,
      { ...RULE, window_seconds: 60, for_seconds: 1e20 },
      "for_seconds",
      "must be a whole number from 0 to 86400 (seconds, up to a day)",
    ],
    [
      "a baseline_windows past 2^53",
      `${S}/alert-rules`,
      { ...ANOMALY_RULE, window_seconds: 60, baseline_windows: 1e20 },
      "baseline_windows",
      "must be a whole number from 3 to 500 (windows)",
    ],
    [
      "a planned_users_per_variant past 2^53",
      `${AB}/experiments`,
      { key: "k", experiment_name: "x", planned_users_per_variant: 1e20 },
      "planned_users_per_variant",
      "must be a whole number from 1 to 1000000000000 (users per variant)",
    ],
    [
      "power for variants past 2^53",
      `${AB}/power`,
      { kind: "binomial", baseline_mean: 0.1, mde_relative: 0.05, variants: 1e20 },
      "variants",
      "must be a whole number from 2 to 50 (variants, counting the control)",
    ],
    ["an exposure time past 2^53", `${AB}/exposures`, exposure(1e20), "exposures.0.timestamp", EXPOSURE_TIME],
    ["an exposure time before 1970", `${AB}/exposures`, exposure(-5), "exposures.0.timestamp", EXPOSURE_TIME],
    ["a fractional exposure time", `${AB}/exposures`, exposure(1.5), "exposures.0.timestamp", EXPOSURE_TIME],
  ])("%s", async (_label, path, body, field, message) => {
    const c = await as("validation-messages");
    const problem = await expectProblem(await c.post(path, body), 400);
    // One error per bad value: the one message, not zod's beside it.
    expect(problem.errors?.filter((e) => e.path === field)).toEqual([{ path: field, message }]);
  });

  describe("GET /metrics/:name ignores parameters it does not know, whatever their form", () => {
    const LONG = "x".repeat(501);
    const ONCE =
      "a tag filter is given once per key (a point has one value per tag); filters on different keys must all match (AND)";
    it.each([
      ["an unknown parameter repeated", "foo=1&foo=2", []],
      ["an unknown parameter over 500 characters", `foo=${LONG}`, []],
      ["ticket repeated", "ticket=a&ticket=b", []],
      ["a tag filter repeated", "tag.region=a&tag.region=b", [{ path: "query.tag.region", message: ONCE }]],
      [
        "a tag value over 500 characters (its bound and message kept)",
        `tag.region=${LONG}`,
        [{ path: "query.tag.region", message: "Too big: expected string to have <=500 characters" }],
      ],
      [
        "a repeated tag filter beside another bad parameter: both named",
        "window=abc&tag.region=a&tag.region=b",
        [
          { path: "query.window", message: "must be a whole number from 10 to 34560000 (default 3600), given once" },
          { path: "query.tag.region", message: ONCE },
        ],
      ],
    ])("%s", async (_label, query, errors) => {
      const c = await as("validation-messages-query");
      expect((await c.post(`${S}/metrics`, { name: "m", value: 1, tags: { region: "a" } })).status).toBe(202);
      const res = await c.get(`${S}/metrics/m?${query}`);
      if (errors.length === 0) {
        expect(res.status, await res.clone().text()).toBe(200);
        expect(((await res.json()) as { value: number }).value).toBeGreaterThan(0);
      } else expect((await expectProblem(res, 400)).errors).toEqual(errors);
    });
  });

  it("nothing was stored by the refused event batch", async () => {
    const c = await as("validation-messages-store");
    await expectProblem(
      await c.post(`${S}/events`, { events: [{ event_type: "ok" }, { event_type: "signup", timestamp: SECONDS }] }),
      400,
    );
    const listed = (await (await c.get(`${S}/events`)).json()) as { items: unknown[] };
    expect(listed.items).toEqual([]);
  });
});
