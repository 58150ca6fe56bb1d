/** Helpers shared by the experiments integration tests (test/integration/experiments*.test.ts). */
import { env } from "cloudflare:test";
import { expect } from "vitest";
import type { as } from "../helpers";

export const BASE = "/api/v1/ab-testing";

export interface VariantBody {
  id: string;
  key: string;
  variant_name: string;
  variant_type: "control" | "treatment";
  model_version: string | null;
  config: Record<string, unknown>;
  traffic_percentage: number;
}

export interface ExperimentBody {
  id: string;
  key: string;
  experiment_name: string;
  description: string | null;
  hypothesis: string | null;
  status: "draft" | "running" | "paused" | "completed";
  primary_metric: string | null;
  secondary_metrics: string[];
  guardrail_metrics: string[];
  planned_users_per_variant: number | null;
  analysis_settings: Record<string, unknown>;
  coverage: number;
  seed: string;
  variants: VariantBody[];
  traffic_split: Record<string, number>;
  winner_variant_id: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  completed_at: string | null;
}

export type Client = Awaited<ReturnType<typeof as>>;

export const twoVariants = (control = 50, treatment = 50) => [
  { key: "control", variant_name: "Control", variant_type: "control", traffic_percentage: control },
  {
    key: "treatment",
    variant_name: "Green button",
    variant_type: "treatment",
    model_version: "ranker-v2",
    config: { color: "green", size: 2 },
    traffic_percentage: treatment,
  },
];

/** Creates an experiment through the API and checks the 201. */
export async function createExperiment(client: Client, body: Record<string, unknown>): Promise<ExperimentBody> {
  const res = await client.post(`${BASE}/experiments`, { experiment_name: `Experiment ${body.key}`, ...body });
  const text = await res.text();
  expect(res.status, text).toBe(201);
  return JSON.parse(text) as ExperimentBody;
}

export async function createRunning(client: Client, key: string, extra: Record<string, unknown> = {}) {
  const exp = await createExperiment(client, { key, variants: twoVariants(), ...extra });
  const res = await client.post(`${BASE}/experiments/${exp.id}/start`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as ExperimentBody;
}

/** Reads rows straight from D1, to assert side effects independently of the API. */
export async function rows<T = Record<string, unknown>>(query: string, ...params: unknown[]): Promise<T[]> {
  const { results } = await env.DB.prepare(query)
    .bind(...params)
    .all<T>();
  return results;
}

export async function count(table: string, where = "1 = 1", ...params: unknown[]): Promise<number> {
  const [row] = await rows<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, ...params);
  return row?.n ?? 0;
}

/** Exposures inserted directly, as the assignment routes would have stored them. */
export async function expose(experimentId: string, org: string, users: Record<string, string>) {
  const statements = Object.entries(users).map(([user, variant]) =>
    env.DB.prepare(
      "INSERT INTO exposures (org_id, experiment_id, user_id, variant_id, exposed_at) VALUES (?, ?, ?, ?, ?)",
    ).bind(org, experimentId, user, variant, Date.now()),
  );
  if (statements.length > 0) await env.DB.batch(statements);
}
