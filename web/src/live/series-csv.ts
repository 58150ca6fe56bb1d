/**
 * A live chart's data as CSV, the table Grafana's "Inspect → Data" downloads: one row per step (and
 * per group when the chart is split by a tag), with the aggregation and step that produced it. Pure;
 * test/unit/web-series-csv.test.ts.
 */
import type { MetricSeries } from "../api/types";
import { type Cell, csvText } from "../ui/csv";

export const SERIES_CSV_COLUMNS = ["time", "metric", "aggregation", "step_seconds", "group", "value"] as const;

/**
 * `groupBy`: the tag key the chart is split by ("" for none); a group is written `key=value`, and
 * `sourceName` turns a source id into its name as the legend does. An empty step is an empty value.
 */
export function seriesCsv(
  data: MetricSeries,
  groupBy: string,
  sourceName: (id: string) => string | undefined = () => undefined,
): string {
  const rows: Cell[][] = [];
  const row = (t: string, group: string, value: number | null) =>
    rows.push([t, data.name, data.aggregation, data.step_seconds, group, value]);
  const groups = data.groups ?? [];
  if (groups.length === 0) {
    for (const p of data.series) row(p.t, "", p.value);
  } else {
    for (const g of groups) {
      const v = groupBy ? (g.tags[groupBy] ?? "") : "";
      const label = groupBy ? `${groupBy}=${sourceName(v) ?? v}` : "";
      for (const p of g.series) row(p.t, label, p.value);
    }
  }
  return csvText([SERIES_CSV_COLUMNS, ...rows]);
}
