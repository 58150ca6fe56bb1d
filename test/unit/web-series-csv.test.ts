import { describe, expect, it } from "vitest";
import type { MetricSeries } from "../../web/src/api/types";
import { SERIES_CSV_COLUMNS, seriesCsv } from "../../web/src/live/series-csv";

const base = {
  name: "checkout.latency_ms",
  aggregation: "p99",
  window_seconds: 900,
  step_seconds: 30,
  value: 153.5,
} as const;
const T1 = "2026-12-03T10:00:00.000Z";
const T2 = "2026-12-03T10:00:30.000Z";
const lines = (text: string) => text.split("\r\n").slice(0, -1);

describe("seriesCsv: a live chart's data as Grafana's Inspect → Data gives it", () => {
  it("one row per step, an empty step as an empty value", () => {
    const data = {
      ...base,
      series: [
        { t: T1, value: 140.25 },
        { t: T2, value: null },
      ],
    } as MetricSeries;
    expect(lines(seriesCsv(data, ""))).toEqual([
      SERIES_CSV_COLUMNS.join(","),
      `${T1},checkout.latency_ms,p99,30,,140.25`,
      `${T2},checkout.latency_ms,p99,30,,`,
    ]);
  });

  it("split by a tag: one row per group and step, the group as key=value, sources by name", () => {
    const data = {
      ...base,
      series: [{ t: T1, value: 150 }],
      groups: [
        { tags: { source: "src_1" }, value: 120, series: [{ t: T1, value: 120 }] },
        { tags: { source: "src_2" }, value: 180, series: [{ t: T1, value: -0.5 }] },
        { tags: {}, value: null, series: [{ t: T1, value: null }] },
      ],
    } as MetricSeries;
    const name = (id: string) => (id === "src_1" ? "checkout, EU" : undefined);
    expect(lines(seriesCsv(data, "source", name)).slice(1)).toEqual([
      `${T1},checkout.latency_ms,p99,30,"source=checkout, EU",120`,
      `${T1},checkout.latency_ms,p99,30,source=src_2,-0.5`,
      `${T1},checkout.latency_ms,p99,30,source=,`,
    ]);
  });

  it("no points: the header alone", () => {
    expect(seriesCsv({ ...base, series: [] } as MetricSeries, "")).toBe(`${SERIES_CSV_COLUMNS.join(",")}\r\n`);
  });
});
