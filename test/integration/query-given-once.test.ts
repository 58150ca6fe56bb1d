/**
 * A text or enum query parameter given twice. Hono's validator hands a repeated parameter to zod as
 * an array, and every route but the numeric parameters answered zod's own wording ("Invalid input:
 * expected string, received array", `Invalid option: expected one of "open"|…`). Each is now one
 * error at `query.<name>` saying what the parameter takes and that it is given once, as the numbers
 * say (streaming-metrics.test.ts). Unknown parameters stay ignored, repeated or not.
 */
import { describe, expect, it } from "vitest";
import { as, expectProblem, expectQueryError } from "../helpers";

const S = "/api/v1/streaming-analytics";
const AB = "/api/v1/ab-testing";
const CURSOR = "must be the next_cursor of the list's previous page, given once";
const KEY = "must be 1-64 characters of [a-z0-9_-], given once";
const METRIC_KEY = "must be 1-128 characters without control characters, given once";
const TIME = "must be an ISO-8601 time with a zone (2026-12-03T10:00:00Z) or epoch milliseconds, given once";
const NAME = "must be 1 to 200 characters, given once";
const AT = "2026-12-03T10:00:00Z";

describe("a repeated text or enum query parameter is one error saying it is given once", () => {
  it.each([
    // Streaming: events, predictions, models, alerts, metric series, and every list's cursor.
    [`${S}/events?event_type=a&event_type=b`, "event_type", NAME],
    [`${S}/events?source_id=a&source_id=b`, "source_id", "must be 1 to 128 characters, given once"],
    [`${S}/events?processed=true&processed=false`, "processed", "must be one of true, false, given once"],
    [`${S}/events?since=${AT}&since=${AT}`, "since", TIME],
    [`${S}/events?until=${AT}&until=${AT}`, "until", TIME],
    [`${S}/events?cursor=a&cursor=b`, "cursor", CURSOR],
    [`${S}/predictions?model_name=m&model_name=n`, "model_name", NAME],
    [`${S}/predictions?model_version=1&model_version=2`, "model_version", NAME],
    [`${S}/predictions?since=${AT}&since=${AT}`, "since", TIME],
    [`${S}/models?model_name=m&model_name=m`, "model_name", NAME],
    [`${S}/alerts?status=open&status=resolved`, "status", "must be one of open, acknowledged, resolved, given once"],
    [
      `${S}/alerts?severity=info&severity=error`,
      "severity",
      "must be one of info, warning, error, critical, given once",
    ],
    [
      `${S}/metrics/lat?aggregation=avg&aggregation=max`,
      "aggregation",
      "must be one of count, sum, avg, min, max, p50, p90, p95, p99, given once",
    ],
    [`${S}/metrics/lat?group_by=a&group_by=b`, "group_by", NAME],
    [`${S}/metrics?cursor=a&cursor=b`, "cursor", CURSOR],
    [`${S}/sources?cursor=a&cursor=b`, "cursor", CURSOR],
    [`${S}/alert-rules?cursor=a&cursor=b`, "cursor", CURSOR],
    [`${S}/channels?cursor=a&cursor=b`, "cursor", CURSOR],
    [`${S}/channels/x/deliveries?cursor=a&cursor=b`, "cursor", CURSOR],
    [`${S}/silences?cursor=a&cursor=b`, "cursor", CURSOR],
    [`${S}/ws?ticket=a&ticket=b`, "ticket", "must be a ticket from POST /ws-ticket, given once"],
    // A/B testing: experiments, flags, metric definitions, results, histories.
    [
      `${AB}/experiments?status=draft&status=running`,
      "status",
      "must be one of draft, running, paused, completed, given once",
    ],
    [`${AB}/experiments?key=a&key=b`, "key", KEY],
    [`${AB}/experiments?q=a&q=b`, "q", "must be at most 100 characters, given once"],
    [`${AB}/experiments?namespace=a&namespace=b`, "namespace", KEY],
    [`${AB}/experiments?cursor=a&cursor=b`, "cursor", CURSOR],
    [`${AB}/experiments/x/variants?cursor=a&cursor=b`, "cursor", CURSOR],
    [`${AB}/experiments/x/results/timeseries?metric=a&metric=b`, "metric", METRIC_KEY],
    [`${AB}/flags?key=a&key=b`, "key", KEY],
    [`${AB}/flags?cursor=a&cursor=b`, "cursor", CURSOR],
    [`${AB}/metrics?key=a&key=b`, "key", METRIC_KEY],
    [`${AB}/metrics?cursor=a&cursor=b`, "cursor", CURSOR],
    [`${AB}/experiments/x/history?cursor=a&cursor=b`, "cursor", CURSOR],
    [`${AB}/flags/x/history?cursor=a&cursor=b`, "cursor", CURSOR],
    [`${AB}/metrics/x/history?cursor=a&cursor=b`, "cursor", CURSOR],
  ])("%s is a 400 naming %s", async (path, name, message) => {
    const c = await as("query-given-once");
    await expectQueryError(await c.get(path), name, message);
  });

  it("a wrong text or enum value given once is the same one message", async () => {
    const c = await as("query-once-single");
    for (const [path, name, message] of [
      [`${S}/alerts?status=closed`, "status", "must be one of open, acknowledged, resolved, given once"],
      [`${S}/events?processed=maybe`, "processed", "must be one of true, false, given once"],
      [`${S}/events?event_type=`, "event_type", NAME],
      [`${S}/metrics/lat?group_by=${"g".repeat(201)}`, "group_by", NAME],
      [`${AB}/experiments?q=${"q".repeat(101)}`, "q", "must be at most 100 characters, given once"],
      [`${S}/events?cursor=${"a".repeat(401)}`, "cursor", CURSOR],
      // A metric key: empty (after trimming), too long, a control character.
      [`${AB}/metrics?key=%20`, "key", METRIC_KEY],
      [`${AB}/metrics?key=${"k".repeat(129)}`, "key", METRIC_KEY],
      [`${AB}/experiments/x/results/timeseries?metric=a%01b`, "metric", METRIC_KEY],
    ] as const) {
      await expectQueryError(await c.get(path), name, message);
    }
  });

  it("every repeated parameter is named at once; unknown ones stay ignored, repeated or not", async () => {
    const c = await as("query-once-several");
    const problem = await expectProblem(
      await c.get(`${S}/alerts?status=open&status=open&severity=info&severity=info&foo=1&foo=2&limit=5`),
      400,
    );
    expect(problem.errors?.map((e) => e.path)).toEqual(["query.status", "query.severity"]);
    const ok = await c.get(`${S}/alerts?status=open&severity=info&foo=1&foo=2`);
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect(((await ok.json()) as { items: unknown[] }).items).toEqual([]);
  });
});
