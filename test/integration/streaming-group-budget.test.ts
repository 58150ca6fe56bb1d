/**
 * A tagged metric read is bounded (src/streaming/group-budget.ts) in its answer (groups × points per
 * series: 1000 groups at a fine step once overflowed the 32 MiB RPC limit of the organization object,
 * a 500, or built a 16.6 MB answer) and in its work (tag sets × buckets read: a filter or a few
 * groups over 1000 tag sets at a 10 s step read 180,000 to 360,000 rollups, seconds of the object,
 * for a small answer). Over either bound, an explicit step is a 422 naming the step that fits;
 * without a step (the dashboard's charts) the default step is coarsened to fit.
 */
import { describe, expect, it } from "vitest";
import { MAX_GROUPED_POINTS } from "../../src/streaming/group-budget";
import { WINDOWS } from "../../web/src/live/url-state";
import { as, expectProblem } from "../helpers";
import { pinClock as pin } from "../org-object";

const P = "/api/v1/streaming-analytics";

interface Series {
  step_seconds: number;
  value: number;
  series: { t: string; value: number | null }[];
  groups?: { tags: Record<string, string>; value: number; series: { t: string }[] }[];
}

/** 1000 tag sets of one metric, `card`: `u` has 1000 values, `region` two (a: even u, b: odd u). */
async function thousandTagSets(org: string) {
  const c = await as(org);
  const T = Date.now() + 86_400_000;
  await pin(org, T);
  const metrics = Array.from({ length: 1000 }, (_, i) => ({
    name: "card",
    value: i,
    timestamp: T - 1_000 - i * 1_000,
    tags: { u: `u${String(i).padStart(3, "0")}`, region: i % 2 === 0 ? "a" : "b" },
  }));
  expect((await c.post(`${P}/metrics`, { metrics })).status).toBe(202);
  return c;
}

describe("grouped metric reads are bounded", () => {
  it("refuses an explicit step that would answer too many points, with a 422 naming group_by, step and window", async () => {
    const c = await thousandTagSets("group-budget-refused");
    for (const [window, perSeries, fits] of [
      // The hostile report's requests: a 500 (38.5 MB over RPC), then a 16.6 MB 200. The first now
      // fits at no step: 1000 tag sets × 2161 hourly buckets (90 days kept) is too much to read.
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
      if (fits === null) {
        expect(problem.detail).toContain("Use a shorter window");
        continue;
      }
      expect(suggested).toBe(fits);
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

describe("filtered and grouped metric reads are bounded by the rollups they read", () => {
  it.each([
    // tag.region=a: 500 tag sets × 361 ten-second buckets; group_by=region: 1000 × 361, two groups.
    ["tag.region=a", "tag.region=a", ["query.tag.region"], "500 tag sets of 361 buckets"],
    ["group_by=region", "group_by=region", ["query.group_by"], "1000 tag sets of 361 buckets"],
  ])(
    "refuses %s at a 10 s step over an hour, naming the step that fits, which is then answered",
    async (label, query, paths, detail) => {
      const c = await thousandTagSets(`tag-budget-${label.replace(/[^a-z]/g, "")}`);
      const res = await c.get(`${P}/metrics/card?${query}&window=3600&step=10&aggregation=p99`);
      const problem = await expectProblem(res, 422);
      expect(problem.detail).toContain(detail);
      expect(problem.detail).toMatch(/rollups, more than the \d+ a read may fold/);
      expect(problem.detail).toContain("step=300 or coarser");
      expect(problem.errors?.map((e) => e.path)).toEqual([...paths, "query.step", "query.window"]);
      // The step it names is answered, over 5-minute buckets, with every point of the selection.
      const ok = await c.get(`${P}/metrics/card?${query}&window=3600&step=300&aggregation=count`);
      expect(ok.status, await ok.clone().text()).toBe(200);
      const body = (await ok.json()) as Series;
      expect(body.step_seconds).toBe(300);
      expect(body.value).toBe(label === "tag.region=a" ? 500 : 1000);
      expect((body.groups ?? []).map((g) => [g.tags, g.value])).toEqual(
        label === "tag.region=a"
          ? []
          : [
              [{ region: "a" }, 500],
              [{ region: "b" }, 500],
            ],
      );
    },
  );

  it("without a step, coarsens a filtered or few-group read to fit, counts intact", async () => {
    const c = await thousandTagSets("tag-budget-default");
    for (const query of ["tag.region=b", "group_by=region"]) {
      const res = await c.get(`${P}/metrics/card?${query}&window=3600&aggregation=count`);
      expect(res.status, await res.clone().text()).toBe(200);
      const body = (await res.json()) as Series;
      expect(body.step_seconds, query).toBe(300);
      expect(body.series.reduce((n, p) => n + (p.value ?? 0), 0)).toBe(query === "tag.region=b" ? 500 : 1000);
      for (const g of body.groups ?? []) expect(g.series.map((p) => p.t)).toEqual(body.series.map((p) => p.t));
    }
    // One tag set keeps the default step and its 10 s buckets; so does an unfiltered read.
    const one = (await (await c.get(`${P}/metrics/card?tag.u=u007&window=3600&step=10`)).json()) as Series;
    expect(one.step_seconds).toBe(10);
    // Past what any step can fit (1000 tag sets × 721 hourly buckets over 30 days): a 422, not a slow read.
    const month = await expectProblem(await c.get(`${P}/metrics/card?group_by=region&window=2592000`), 422);
    expect(month.detail).toContain("Use a shorter window");
    expect(month.errors?.find((e) => e.path === "query.step")?.message).toBe("no step fits this read over this window");
  });

  it("names both bounds when both are exceeded, so the count it gives is one that fits", async () => {
    const c = await thousandTagSets("tag-budget-both");
    // group_by=u over 30 days at the default (coarsest) step: 61 points and 721 hourly buckets per
    // tag set. 327 groups fit the points, but only 234 tag sets fit the rollups: naming 327 alone
    // sent the caller to a filter that was refused again.
    const res = await c.get(`${P}/metrics/card?group_by=u&window=2592000`);
    const problem = await expectProblem(res, 422);
    expect(problem.errors?.find((e) => e.path === "query.group_by")?.message).toBe(
      "1000 groups (at most 327 at this step) of 1000 tag sets (at most 234 at this step)",
    );
  });

  it("answers every read the dashboard's charts make (no step) on a metric at the tag-set bound", async () => {
    const c = await thousandTagSets("tag-budget-dashboard");
    for (const { s } of WINDOWS) {
      for (const groupBy of ["", "region", "u"]) {
        for (const aggregation of ["avg", "p99"]) {
          const res = await c.get(
            `${P}/metrics/card?window=${s}&aggregation=${aggregation}${groupBy ? `&group_by=${groupBy}` : ""}`,
          );
          expect(res.status, `${s} ${groupBy} ${aggregation}: ${await res.clone().text()}`).toBe(200);
        }
      }
    }
  });
});
