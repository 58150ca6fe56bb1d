/**
 * The results as CSV, one row per metric and variant, for a spreadsheet or a report (GrowthBook
 * and Statsig export the same table). Every number is written at full precision, as the API gives
 * it; a statistic that cannot be computed is an empty cell, and the control's comparison cells are
 * empty. Both engines' columns are there (the Bayesian one fills expected loss and the credible
 * interval). Pure: test/unit/web-results-csv.test.ts reads it back.
 */
import { type Cell, csvText } from "../../ui/csv";
import type { Analysis } from "./types";

interface VariantInfo {
  id: string;
  key: string;
  variant_name: string;
  variant_type: string;
}

export const CSV_COLUMNS = [
  "metric_name",
  "metric",
  "role",
  "kind",
  "variant_key",
  "variant_name",
  "is_control",
  "users",
  "count",
  "mean",
  "stddev",
  "adjusted_mean",
  "difference",
  "ci_low",
  "ci_high",
  "relative_lift",
  "lift_ci_low",
  "lift_ci_high",
  "p_value",
  "p_value_adjusted",
  "chance_to_beat_control",
  "expected_loss",
  "credible_low",
  "credible_high",
  "significant",
  "verdict",
  "engine",
  "confidence_level",
  "correction",
  "cuped_applied",
] as const;

export function resultsCsv(a: Analysis, variants: readonly VariantInfo[]): string {
  const byId = new Map(variants.map((v) => [v.id, v]));
  const s = a.analysis_settings;
  const rows: Cell[][] = [];
  for (const m of a.metrics) {
    const controlId =
      m.comparisons[0]?.control_variant_id ?? variants.find((v) => v.variant_type === "control")?.id ?? null;
    for (const v of m.variants) {
      const info = byId.get(v.variant_id);
      const c = m.comparisons.find((x) => x.variant_id === v.variant_id);
      rows.push([
        m.metric_name,
        m.name,
        m.role,
        m.kind,
        info?.key ?? v.variant_id,
        info?.variant_name ?? "",
        v.variant_id === controlId,
        v.users,
        v.count,
        v.mean,
        v.stddev,
        v.adjusted_mean,
        c?.difference,
        c?.ci_low,
        c?.ci_high,
        c?.relative_lift,
        c?.lift_ci_low,
        c?.lift_ci_high,
        c?.p_value,
        c?.p_value_adjusted,
        c?.chance_to_beat_control,
        c?.expected_loss,
        c?.credible_low,
        c?.credible_high,
        c?.significant,
        c?.verdict,
        s.engine,
        s.confidence_level,
        s.correction,
        m.cuped.applied,
      ]);
    }
  }
  return csvText([CSV_COLUMNS, ...rows]);
}
