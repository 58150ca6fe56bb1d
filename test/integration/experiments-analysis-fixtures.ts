/** Shapes and helpers shared by the analysis integration tests. */
import { env } from "cloudflare:test";

export interface ComparisonBody {
  variant_id: string;
  control_variant_id: string;
  difference: number | null;
  relative_lift: number | null;
  lift_ci_low: number | null;
  lift_ci_high: number | null;
  ci_low: number | null;
  ci_high: number | null;
  p_value: number | null;
  p_value_adjusted: number | null;
  chance_to_beat_control: number | null;
  expected_loss: number | null;
  credible_low: number | null;
  credible_high: number | null;
  significant: boolean;
  verdict: string;
  reason: string | null;
}

export interface MetricResultBody {
  metric_name: string;
  name: string;
  defined: boolean;
  role: string;
  kind: string;
  direction: string;
  format: string;
  capping: { type: string; value: number; cap: number | null } | null;
  variants: {
    variant_id: string;
    count: number;
    users: number;
    mean: number | null;
    stddev: number | null;
    adjusted_mean: number | null;
    min: number | null;
    max: number | null;
    sum: number;
  }[];
  cuped: { applied: boolean; theta: number | null; variance_reduction: number | null; reason: string | null };
  comparisons: ComparisonBody[];
}

export interface AnalysisBody {
  experiment_id: string;
  status: string;
  analysis_settings: Record<string, unknown>;
  assignments: { variant_id: string; users: number }[];
  srm: { p_value: number | null; mismatch: boolean; reason: string | null };
  data_quality: { unexposed_results: number; anonymous_results: number; pre_exposure_results: number };
  power: { planned_users_per_variant: number | null; progress: number | null; days_running: number | null };
  metrics: MetricResultBody[];
}

export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
export const sampleVariance = (xs: number[]) => {
  const m = mean(xs);
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
};
export const sampleCovariance = (xs: number[], ys: number[]) => {
  const mx = mean(xs);
  const my = mean(ys);
  return xs.reduce((a, x, i) => a + (x - mx) * ((ys[i] as number) - my), 0) / (xs.length - 1);
};

/** Exposures with an explicit first-exposure time, as the assignment routes would store them. */
export async function exposeAt(experimentId: string, org: string, users: Record<string, string>, at: number) {
  const statements = Object.entries(users).map(([user, variant]) =>
    env.DB.prepare(
      "INSERT INTO exposures (org_id, experiment_id, user_id, variant_id, exposed_at) VALUES (?, ?, ?, ?, ?)",
    ).bind(org, experimentId, user, variant, at),
  );
  if (statements.length > 0) await env.DB.batch(statements);
}

export const metricOf = (body: AnalysisBody, name: string): MetricResultBody => {
  const found = body.metrics.find((m) => m.metric_name === name);
  if (!found) throw new Error(`no metric ${name} in ${body.metrics.map((m) => m.metric_name).join(", ")}`);
  return found;
};
