/**
 * A model's data as the Models page draws it, for a spreadsheet: one row per version and step
 * (Grafana's "Inspect → Data"), then nothing else, so the file sorts and pivots cleanly. An empty
 * step has 0 predictions and empty statistics.
 */
import type { ModelsSummary } from "../api/types";
import { type Cell, csvText } from "../ui/csv";

type Model = ModelsSummary["models"][number];

export const MODEL_CSV_HEADER = [
  "model",
  "version",
  "step_start",
  "step_seconds",
  "predictions",
  "mean_confidence",
  "latency_p95_ms",
] as const;

export function modelCsv(model: Model, stepSeconds: number): string {
  const rows: Cell[][] = [[...MODEL_CSV_HEADER]];
  for (const v of model.versions) {
    for (const p of v.series) {
      rows.push([
        model.model_name,
        v.model_version ?? "",
        p.t,
        stepSeconds,
        p.predictions,
        p.mean_confidence,
        p.latency_p95_ms,
      ]);
    }
  }
  return csvText(rows);
}
