/**
 * The metric form's text fields and their checks, pure so test/unit/metric-draft.test.ts tables
 * them. The rules are the model's (src/metrics/model.ts): the server applies the same ones.
 */
import {
  type CappingType,
  CURRENCY_PATTERN,
  cappingProblem,
  type Direction,
  METRIC_KEY_MAX,
  METRIC_KEY_PATTERN,
  type MetricFormat,
  type MetricKind,
  normaliseMetricKey,
  UNDEFINED_METRIC,
} from "../../../src/metrics/model";

export interface MetricDraft {
  key: string;
  name: string;
  description: string;
  kind: MetricKind;
  direction: Direction;
  format: MetricFormat;
  currency: string;
  capping: CappingType | "";
  capping_value: string;
}

export interface MetricBody {
  key: string;
  name: string;
  description: string | null;
  kind: MetricKind;
  direction: Direction;
  format: MetricFormat;
  currency: string | null;
  capping: { type: CappingType; value: number } | null;
}

/** A new definition; `name` (from `?name=`, the results page's "define this metric") fills key and name. */
export const emptyMetricDraft = (name = ""): MetricDraft => ({
  key: normaliseMetricKey(name),
  name: normaliseMetricKey(name),
  description: "",
  ...UNDEFINED_METRIC,
  currency: "USD",
  capping: "",
  capping_value: "",
});

export const metricDraftOf = (m: {
  key: string;
  name: string;
  description: string | null;
  kind: MetricKind;
  direction: Direction;
  format: MetricFormat;
  currency: string | null;
  capping: { type: CappingType; value: number } | null;
}): MetricDraft => ({
  key: m.key,
  name: m.name,
  description: m.description ?? "",
  kind: m.kind,
  direction: m.direction,
  format: m.format,
  currency: m.currency ?? "USD",
  capping: m.capping?.type ?? "",
  capping_value: m.capping ? String(m.capping.value) : "",
});

/** The request body, or the problems keyed by API path (plain language, ready to show). */
export function metricBody(d: MetricDraft): { body: MetricBody; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const key = normaliseMetricKey(d.key);
  if (!key) errors.key = "Enter the metric_name your results carry, e.g. conversion.";
  else if (key.length > METRIC_KEY_MAX) errors.key = `Use at most ${METRIC_KEY_MAX} characters.`;
  else if (!METRIC_KEY_PATTERN.test(key)) errors.key = "Remove the control characters (tabs, line breaks).";
  const currency = d.currency.trim().toUpperCase();
  if (d.format === "currency" && !CURRENCY_PATTERN.test(currency))
    errors.currency = "Enter a three-letter ISO 4217 code, such as USD or EUR.";
  let capping: MetricBody["capping"] = null;
  if (d.capping) {
    const value = d.capping_value.trim() === "" ? Number.NaN : Number(d.capping_value);
    capping = { type: d.capping, value };
    const problem = d.capping_value.trim() === "" ? "enter a cap value." : cappingProblem(capping);
    if (problem) errors["capping.value"] = problem.charAt(0).toUpperCase() + problem.slice(1);
  }
  return {
    body: {
      key,
      name: d.name.trim() || key,
      description: d.description.trim() || null,
      kind: d.kind,
      direction: d.direction,
      format: d.format,
      currency: d.format === "currency" ? currency : null,
      capping,
    },
    errors,
  };
}

const LABELS: Record<string, string> = {
  key: "Key",
  name: "Name",
  description: "Description",
  kind: "Kind",
  direction: "Good when",
  format: "Format",
  currency: "Currency",
  capping: "Capping",
  "capping.value": "Cap value",
  "capping.type": "Capping",
};
export const metricFieldLabel = (path: string): string => LABELS[path] ?? (path || "Form");
