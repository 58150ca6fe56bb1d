/**
 * A grouped metric read is bounded (groups × points per series, src/streaming/group-budget.ts):
 * 1000 groups at a fine step once overflowed the 32 MiB RPC limit of the organization object (a 500)
 * or built a 16.6 MB answer. Over the bound, an explicit step is a 422 naming the step that fits;
 * without a step (the dashboard's charts) the default step is coarsened to fit.
 */
import { describe, expect, it } from "vitest";
import { MAX_GROUPED_POINTS } from "../../src/streaming/group-budget";
import { as, expectProblem } from "../helpers";
import { pinClock as pin } from "../org-object";

const P = "/api/v1/streaming-analytics";

interface Series {
  step_seconds: number;
  value: number;
  series: { t: string; value: number | null }[];
  groups?: { tags: Record<string, string>; value: number; series: { t: string }[] }[];
}

async function thousandTagSets(org: string) {
  const c = await as(org);
  const T = Date.now() + 86_400_000;
  await pin(org, T);
  const metrics = Array.from({ length: 1000 }, (_, i) => ({
    name: "card",
    value: i,
    timestamp: T - 1_000 - i * 1_000,
    tags: { u: `u${String(i).padStart(3, "0")}` },
  }));
  expect((await c.post(`${P}/metrics`, { metrics })).status).toBe(202);
  return c;
}

describe("grouped metric reads are bounded", () => {
  it("refuses an explicit step that would answer too many points, with a 422 naming group_by, step and window", async () => {
    const c = await thousandTagSets("group-budget-refused");
    for (const [window, perSeries, fits] of [
      // The hostile report's requests: a 500 (38.5 MB over RPC), then a 16.6 MB 200.
      [34_560_000, 961, null],
      [3600, 361, 300],
    ] as const) {
      const res = await c.get(`${P}/metrics/card?group_by=u&window=${window}&step=10&aggregation=p99`);
      const problem = await expectProblem(res, 422);
      expect(problem.detail).toContain(`1000 groups of ${perSeries} points`);
      expect(problem.detail).toContain(`more than the ${MAX_GROUPED_POINTS}`);
      expect(problem.detail).toContain("tag.<key>=<value>");
      expect(problem.errors?.map((e) => e.path)).toEqual(["query.group_by", "query.step", "query.window"]);
      const suggested = Number(/step=(\d+) or coarser/.exec(problem.detail ?? "")?.[1]);
      if (fits !== null) expect(suggested).toBe(fits);
      // The step the refusal names is answered.
      const ok = await c.get(`${P}/metrics/card?group_by=u&window=${window}&step=${suggested}&aggregation=p99`);
      expect(ok.status, await ok.clone().text()).toBe(200);
      const body = (await ok.json()) as Series;
      expect(body.groups).toHaveLength(1000);
      const total = (body.groups ?? []).reduce((n, g) => n + g.series.length, 0);
      expect(total).toBeLessThanOrEqual(MAX_GROUPED_POINTS);
    }
  });

  it("without a step, coarsens the default to fit and keeps the headline on the groups' steps", async () => {
    const c = await thousandTagSets("group-budget-default");
    const res = await c.get(`${P}/metrics/card?group_by=u&window=3600&aggregation=count`);
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as Series;
    expect(body.step_seconds).toBe(300);
    expect(body.groups).toHaveLength(1000);
    const ts = body.series.map((p) => p.t);
    for (const g of body.groups ?? []) expect(g.series.map((p) => p.t)).toEqual(ts);
    expect((body.groups ?? []).reduce((n, g) => n + g.series.length, 0)).toBeLessThanOrEqual(MAX_GROUPED_POINTS);
    expect(body.value).toBe(1000);
    expect((body.groups ?? []).reduce((n, g) => n + g.value, 0)).toBe(1000);
    // Few groups keep the default step, and so does an ungrouped or filtered read.
    const few = (await (
      await c.get(`${P}/metrics/card?group_by=u&tag.u=u007&window=3600&aggregation=count`)
    ).json()) as Series;
    expect(few.step_seconds).toBe(60);
    expect(few.groups).toEqual([{ tags: { u: "u007" }, value: 1, series: expect.any(Array) }]);
    const plain = (await (await c.get(`${P}/metrics/card?window=3600&step=10`)).json()) as Series;
    expect(plain.step_seconds).toBe(10);
  });
});
