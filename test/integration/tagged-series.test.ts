/**
 * GET /metrics/:name with tag filters and group_by, step by step and group by group, against the
 * exact values of the points sent: the read folds each row into the headline and its group as it
 * comes (service-tags.ts), reading totals only unless the aggregation is a percentile, and merging
 * percentile rows' sketches from their stored text. Sums here are of integers, so they are exact
 * whatever the order of the additions.
 */
import { describe, expect, it } from "vitest";
import { AGGREGATIONS, type Aggregation } from "../../src/streaming/model";
import { quantileRank } from "../../src/streaming/sketch";
import { as } from "../helpers";
import { pinClock } from "../org-object";
import { SeededRandom } from "../seeded-random";

const P = "/api/v1/streaming-analytics";
const MINUTE = 60_000;

interface Point {
  value: number;
  timestamp: number;
  tags: { region: string; host: string };
}
interface Series {
  value: number | null;
  series: { t: string; value: number | null }[];
  groups?: { tags: Record<string, string>; value: number | null; series: { t: string; value: number | null }[] }[];
}

const QUANTILE: Partial<Record<Aggregation, number>> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 };

function exact(values: readonly number[], aggregation: Aggregation): number | null {
  if (aggregation === "count") return values.length;
  if (aggregation === "sum") return values.reduce((s, v) => s + v, 0);
  if (values.length === 0) return null;
  if (aggregation === "avg") return values.reduce((s, v) => s + v, 0) / values.length;
  if (aggregation === "min") return Math.min(...values);
  if (aggregation === "max") return Math.max(...values);
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[quantileRank(QUANTILE[aggregation] as number, sorted.length) - 1] as number;
}

/** Exact for every aggregation but a percentile, which the sketch answers within 1%. */
function expectValue(got: number | null, want: number | null, aggregation: Aggregation, where: string) {
  if (want === null || QUANTILE[aggregation] === undefined) expect(got, where).toBe(want);
  else expect(Math.abs((got as number) - want) / want, where).toBeLessThan(0.01);
}

describe("tagged series: every aggregation, step by step and group by group", () => {
  it("filtered and grouped reads equal the exact values of the points each step and group holds", async () => {
    const org = "tagged-series-fold";
    const c = await as(org);
    // A whole minute, so the 60 s steps start on it.
    const T = Math.floor((Date.now() + 86_400_000) / MINUTE) * MINUTE;
    await pinClock(org, T);
    const rand = new SeededRandom(11);
    const regions = ["ap", "eu", "us"];
    const points: Point[] = Array.from({ length: 3000 }, (_, i) => {
      const region = regions[i % 3] as string;
      return {
        value: 1 + Math.floor(rand.uniform() * 1000) * (region === "us" ? 7 : 1),
        // The last 9 whole minutes before T, and none in the minute holding T.
        timestamp: T - 9 * MINUTE + Math.floor(rand.uniform() * 9 * MINUTE),
        tags: { region, host: `h${i % 12}` },
      };
    });
    for (let k = 0; k < points.length; k += 1000) {
      const metrics = points.slice(k, k + 1000).map((p) => ({ name: "lat", ...p }));
      expect((await c.post(`${P}/metrics`, { metrics })).status).toBe(202);
    }
    const inStep = (p: Point, t: number) => p.timestamp >= t && p.timestamp < t + MINUTE;
    // The 600 s window's steps: T − 10 min (its first bucket overlaps the window) up to T's minute.
    const steps = Array.from({ length: 11 }, (_, k) => T - 10 * MINUTE + k * MINUTE);

    /** A series' value and each of its steps against the exact values of `mine`. */
    const expectSeries = (
      got: Omit<Series, "groups">,
      mine: readonly Point[],
      aggregation: Aggregation,
      label: string,
    ) => {
      expectValue(
        got.value,
        exact(
          mine.map((p) => p.value),
          aggregation,
        ),
        aggregation,
        label,
      );
      got.series.forEach((s, k) => {
        const want = exact(
          mine.filter((p) => inStep(p, steps[k] as number)).map((p) => p.value),
          aggregation,
        );
        expectValue(s.value, want, aggregation, `${label} step ${k}`);
      });
    };

    for (const aggregation of AGGREGATIONS) {
      // 12 tag sets (h0 to h11, each in one region) in 3 groups: each group folds its 4 sets' rows.
      const query = `window=600&step=60&aggregation=${aggregation}&group_by=region`;
      const all = (await (await c.get(`${P}/metrics/lat?${query}`)).json()) as Series;
      expect(all.series.map((p) => Date.parse(p.t))).toEqual(steps);
      expectValue(
        all.value,
        exact(
          points.map((p) => p.value),
          aggregation,
        ),
        aggregation,
        `${aggregation} headline`,
      );
      expect(all.groups?.map((g) => g.tags.region)).toEqual(regions);
      for (const g of all.groups ?? []) {
        const mine = points.filter((p) => p.tags.region === g.tags.region);
        expectSeries(g, mine, aggregation, `${aggregation} ${g.tags.region}`);
      }
      // A filter on one region: its headline and steps are that region's.
      const eu = (await (
        await c.get(`${P}/metrics/lat?window=600&step=60&aggregation=${aggregation}&tag.region=eu`)
      ).json()) as Series;
      expectSeries(
        eu,
        points.filter((p) => p.tags.region === "eu"),
        aggregation,
        `${aggregation} eu`,
      );
    }
  }, 120_000);
});
