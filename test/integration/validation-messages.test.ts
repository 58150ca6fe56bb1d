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
