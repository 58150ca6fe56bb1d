/**
 * The results as CSV, one row per metric and variant, for a spreadsheet or a report (GrowthBook
 * and Statsig export the same table). Every number is written at full precision, as the API gives
 * it; a statistic that cannot be computed is an empty cell, and the control's comparison cells are
 * empty. Both engines' columns are there (the Bayesian one fills expected loss and the credible
 * interval). Pure: test/unit/web-results-csv.test.ts reads it back.
 */
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

type Cell = string | number | boolean | null | undefined;

/**
 * One cell: RFC 4180 quoting, and text a spreadsheet would run as a formula (=, +, -, @, tab or CR
 * first: names are free text) is prefixed with an apostrophe. Numbers are never touched, so a
 * negative difference stays a number.
 */
export function csvCell(v: Cell): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  if (typeof v === "boolean") return v ? "true" : "false";
  const text = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

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
  // RFC 4180: every record, the last included, ends with CRLF.
  return [CSV_COLUMNS as readonly Cell[], ...rows].map((r) => `${r.map(csvCell).join(",")}\r\n`).join("");
}

/** A file name for the download: the experiment's key and the day, `checkout-results-2026-12-03.csv`. */
export const csvFileName = (key: string, now: Date): string => `${key}-results-${now.toISOString().slice(0, 10)}.csv`;
