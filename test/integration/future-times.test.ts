import { describe, expect, it } from "vitest";
import { MAX_FUTURE_SKEW_MS } from "../../src/http/time";
import { as, expectProblem } from "../helpers";
import { seedExperiment } from "./assignment-fixtures";

const SA = "/api/v1/streaming-analytics";
const AHEAD = "more than 5 minutes ahead of the server clock";

// Found by an outside probe: a metric point dated 2099 became the metric's "latest" value for good,
// events and predictions dated then sorted first in every newest-first list, and results dated then
// counted in today's analysis. Every ingestion route now refuses times past the clock skew the
// exposures route already allowed (5 minutes), naming the item, and stores nothing of the batch.
describe("times more than 5 minutes ahead are refused on every ingestion route", () => {
  const routes = [
    {
      name: "events",
      path: () => `${SA}/events`,
      body: (t: number) => ({ events: [{ event_type: "ok" }, { event_type: "late", timestamp: t }] }),
      errorPath: "events.1.timestamp",
    },
    {
      name: "one prediction",
      path: () => `${SA}/predictions`,
      body: (t: number) => ({ model_name: "m", prediction: 1, confidence: 0.5, timestamp: t }),
      errorPath: "timestamp",
    },
    {
      name: "predictions",
      path: () => `${SA}/predictions`,
      body: (t: number) => ({
        predictions: [
          { model_name: "m", prediction: 1, confidence: 0.5 },
          { model_name: "m", prediction: 1, confidence: 0.5, timestamp: new Date(t).toISOString() },
        ],
      }),
      errorPath: "predictions.1.timestamp",
    },
    {
      name: "one metric",
      path: () => `${SA}/metrics`,
      body: (t: number) => ({ name: "fut", value: 1, timestamp: t }),
      errorPath: "timestamp",
    },
    {
      name: "metrics",
      path: () => `${SA}/metrics`,
      body: (t: number) => ({
        metrics: [
          { name: "fut", value: 10 },
          { name: "fut", value: 1, timestamp: t },
        ],
      }),
      errorPath: "metrics.1.timestamp",
    },
  ];

  it.each(routes)("$name: 400 naming the item a day ahead, nothing stored; 4 minutes ahead is accepted", async (r) => {
    const c = await as(`future-${r.name.replace(/ /g, "-")}`);
    const problem = await expectProblem(await c.post(r.path(), r.body(Date.now() + 86_400_000)), 400);
    expect(problem.errors).toEqual([{ path: r.errorPath, message: AHEAD }]);
    const summary = (await (await c.get(`${SA}/dashboard`)).json()) as {
      events: { total: number };
      predictions: { total: number };
      metrics: unknown[];
    };
    expect([summary.events.total, summary.predictions.total, summary.metrics.length]).toEqual([0, 0, 0]);

    const res = await c.post(r.path(), r.body(Date.now() + MAX_FUTURE_SKEW_MS - 60_000));
    expect(res.status, await res.clone().text()).toBeLessThan(300);
  });

  it("results: 400 naming recorded_at, nothing stored", async () => {
    const org = "future-results";
    const c = await as(org);
    const e = await seedExperiment({ org, key: "fut" });
    const control = e.variantIds.control;
    const res = await c.post(`/api/v1/ab-testing/experiments/${e.id}/results`, {
      results: [
        { metric_name: "m", metric_value: 1, variant_id: control },
        { metric_name: "m", metric_value: 2, variant_id: control, recorded_at: "2099-01-01T00:00:00Z" },
      ],
    });
    expect((await expectProblem(res, 400)).errors).toEqual([{ path: "results.1.recorded_at", message: AHEAD }]);
    const single = await c.post(`/api/v1/ab-testing/experiments/${e.id}/results`, {
      metric_name: "m",
      metric_value: 2,
      variant_id: control,
      recorded_at: Date.now() + 3_600_000,
    });
    expect((await expectProblem(single, 400)).errors).toEqual([{ path: "recorded_at", message: AHEAD }]);
    const analysis = (await (await c.get(`/api/v1/ab-testing/experiments/${e.id}/results`)).json()) as {
      data_quality: Record<string, number>;
      metrics: unknown[];
    };
    expect(analysis.metrics).toEqual([]);
    expect(analysis.data_quality).toMatchObject({ unexposed_results: 0, anonymous_results: 0 });
  });
});
