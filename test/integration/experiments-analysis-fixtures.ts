/** Shapes and helpers shared by the analysis integration tests. */
import { env } from "cloudflare:test";
import type { AnalysisOut } from "../../src/experiments/results-schemas";

/** The wire shapes, from the schemas that validate them. */
export type AnalysisBody = AnalysisOut;
export type MetricResultBody = AnalysisOut["metrics"][number];
export type ComparisonBody = MetricResultBody["comparisons"][number];

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
