/**
 * Test data for the assignment tests, written straight into D1 (the same rows the experiments
 * API writes), so these tests do not depend on the shape of the experiments routes.
 */
import { env } from "cloudflare:test";
import { emitExperimentChanged } from "../../src/experiments/events";

export interface VariantSpec {
  key: string;
  type?: "control" | "treatment";
  pct: number;
  config?: Record<string, unknown>;
}

export interface ExperimentSpec {
  org: string;
  key: string;
  status?: "draft" | "running" | "paused" | "completed";
  coverage?: number;
  seed?: string | null;
  winner?: string;
  variants?: VariantSpec[];
}

export interface SeededExperiment {
  id: string;
  key: string;
  variantIds: Record<string, string>;
}

const DEFAULT_VARIANTS: VariantSpec[] = [
  { key: "control", type: "control", pct: 50 },
  { key: "treatment", pct: 50, config: { color: "green" } },
];

let clock = Date.UTC(2026, 0, 1);

export async function seedExperiment(spec: ExperimentSpec): Promise<SeededExperiment> {
  const id = `exp_${spec.org}_${spec.key}`;
  const now = clock++;
  const variants = spec.variants ?? DEFAULT_VARIANTS;
  const variantIds: Record<string, string> = {};
  const statements = [
    env.DB.prepare(
      `INSERT INTO experiments (id, org_id, key, experiment_name, status, coverage, seed, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).bind(
      id,
      spec.org,
      spec.key,
      `Experiment ${spec.key}`,
      spec.status ?? "running",
      spec.coverage ?? 100,
      spec.seed ?? null,
      now,
      now,
    ),
  ];
  variants.forEach((v, position) => {
    const vid = `${id}_${v.key}`;
    variantIds[v.key] = vid;
    statements.push(
      env.DB.prepare(
        `INSERT INTO variants (id, org_id, experiment_id, key, variant_name, variant_type, config, traffic_percentage, position, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).bind(
        vid,
        spec.org,
        id,
        v.key,
        v.key.toUpperCase(),
        v.type ?? "treatment",
        JSON.stringify(v.config ?? {}),
        v.pct,
        position,
        now,
      ),
    );
  });
  if (spec.winner !== undefined) {
    statements.push(
      env.DB.prepare("UPDATE experiments SET winner_variant_id = ? WHERE id = ?").bind(`${id}_${spec.winner}`, id),
    );
  }
  await env.DB.batch(statements);
  emitExperimentChanged(spec.org);
  return { id, key: spec.key, variantIds };
}

/** A lifecycle or coverage change as the experiments service makes it: write, then emit. */
export async function updateExperiment(
  org: string,
  id: string,
  set: { status?: ExperimentSpec["status"]; coverage?: number; winner_variant_id?: string | null },
): Promise<void> {
  const cols = Object.keys(set);
  await env.DB.prepare(`UPDATE experiments SET ${cols.map((c) => `${c} = ?`).join(", ")} WHERE id = ? AND org_id = ?`)
    .bind(...Object.values(set), id, org)
    .run();
  emitExperimentChanged(org);
}

export async function exposureRows(
  experimentId: string,
): Promise<{ user_id: string; variant_id: string; exposed_at: number }[]> {
  const { results } = await env.DB.prepare(
    "SELECT user_id, variant_id, exposed_at FROM exposures WHERE experiment_id = ? ORDER BY user_id",
  )
    .bind(experimentId)
    .all<{ user_id: string; variant_id: string; exposed_at: number }>();
  return results;
}
