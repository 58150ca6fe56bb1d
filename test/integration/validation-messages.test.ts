/**
 * What a client is told for the commonest mistakes: a missing field says `required` (zod's own
 * message described the wanted type, so a missing `severity` read "Invalid option"), and a time
 * in epoch seconds says so, with the milliseconds to send.
 */
import { describe, expect, it } from "vitest";
import { as, expectProblem } from "../helpers";

const S = "/api/v1/streaming-analytics";
const AB = "/api/v1/ab-testing";
const SECONDS = 1_764_800_000; // 2025-12-03T22:13:20Z as epoch seconds

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
    [
      "a missing number",
      `${S}/alert-rules`,
      { name: "r", metric_name: "m", aggregation: "max", operator: "gt", threshold: 1, severity: "info" },
      "window_seconds",
      "required: expected number",
    ],
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
  ])("%s", async (_label, path, body, field, message) => {
    const c = await as("validation-messages");
    const problem = await expectProblem(await c.post(path, body), 400);
    expect(problem.errors).toContainEqual({ path: field, message });
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
