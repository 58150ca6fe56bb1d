/**
 * A database created by the previous release (only migrations/0000) migrates forward with its data
 * intact: existing experiments stay readable and are analysed per user from their old rows.
 */
import { applyD1Migrations, env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { as } from "../helpers";
import { type AnalysisBody, mean, metricOf, sampleVariance } from "./experiments-analysis-fixtures";
import { BASE, rows } from "./experiments-fixtures";

const ORG = "legacy";
const T = 1_770_000_000_000;

/** Every table of this file's storage, so the database can start over as the old release's. */
async function dropEverything() {
  const { results } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
  ).all<{ name: string }>();
  // Children first: results, exposures and variants reference experiments.
  const order = ["results", "exposures", "variants", "user_metric_values", "metric_definitions"];
  const names = results
    .map((r) => r.name)
    .sort((a, b) => {
      const ia = order.indexOf(a);
      const ib = order.indexOf(b);
      return (ia < 0 ? order.length : ia) - (ib < 0 ? order.length : ib);
    });
  for (const name of names) await env.DB.prepare(`DROP TABLE "${name}"`).run();
}

beforeAll(async () => {
  await dropEverything();
  const [first] = env.TEST_MIGRATIONS;
  if (!first) throw new Error("no migrations");
  expect(first.name).toMatch(/^0000_/);
  await applyD1Migrations(env.DB, [first]);

  // Rows exactly as the previous release wrote them (its columns only).
  const stmt = (sql: string, ...params: unknown[]) => env.DB.prepare(sql).bind(...params);
  await env.DB.batch([
    stmt(
      `INSERT INTO experiments (id, org_id, key, experiment_name, status, primary_metric, coverage, created_at, updated_at, started_at)
       VALUES ('exp_old', ?, 'old-checkout', 'Old checkout', 'running', 'conversion', 100, ?, ?, ?)`,
      ORG,
      T - 86_400_000,
      T - 86_400_000,
      T - 86_400_000,
    ),
    stmt(
      `INSERT INTO variants (id, org_id, experiment_id, key, variant_name, variant_type, config, traffic_percentage, position, created_at)
       VALUES ('var_c', ?, 'exp_old', 'control', 'Control', 'control', '{}', 50, 0, ?),
              ('var_t', ?, 'exp_old', 'treatment', 'Treatment', 'treatment', '{"color":"green"}', 50, 1, ?)`,
      ORG,
      T,
      ORG,
      T,
    ),
    stmt(
      `INSERT INTO exposures (org_id, experiment_id, user_id, variant_id, exposed_at) VALUES
         (?1, 'exp_old', 'a', 'var_c', ?2), (?1, 'exp_old', 'b', 'var_c', ?2), (?1, 'exp_old', 'c', 'var_c', ?2),
         (?1, 'exp_old', 'x', 'var_t', ?2), (?1, 'exp_old', 'y', 'var_t', ?2)`,
      ORG,
      T,
    ),
    stmt(
      `INSERT INTO results (org_id, experiment_id, variant_id, user_id, metric_name, metric_value, recorded_at) VALUES
         (?1, 'exp_old', 'var_c', 'a', 'conversion', 0, ?2),
         (?1, 'exp_old', 'var_c', 'a', 'conversion', 1, ?2 + 10),
         (?1, 'exp_old', 'var_c', 'b', 'conversion', 0, ?2 + 10),
         (?1, 'exp_old', 'var_t', 'x', 'conversion', 1, ?2 + 10),
         (?1, 'exp_old', 'var_t', 'x', 'conversion', 1, ?2 + 20),
         (?1, 'exp_old', 'var_t', 'y', 'conversion', 1, ?2 - 10),
         (?1, 'exp_old', 'var_t', 'y', 'revenue', 12.5, ?2 + 10),
         (?1, 'exp_old', 'var_t', NULL, 'conversion', 1, ?2 + 10),
         (?1, 'exp_old', 'var_c', 'ghost', 'conversion', 1, ?2 + 10)`,
      ORG,
      T,
    ),
  ]);

  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
});

describe("migrating a database of the previous release", () => {
  it("applied every later migration once, keeping every old row", async () => {
    const applied = await rows<{ name: string }>("SELECT name FROM d1_migrations ORDER BY id");
    expect(applied.map((m) => m.name)).toEqual(env.TEST_MIGRATIONS.map((m) => m.name));
    expect(await rows("SELECT COUNT(*) AS n FROM results")).toEqual([{ n: 9 }]);
    expect(await rows("SELECT COUNT(*) AS n FROM exposures")).toEqual([{ n: 5 }]);
  });

  it("serves the old experiment with the new fields at their defaults", async () => {
    const acme = await as(ORG);
    const res = await acme.get(`${BASE}/experiments/exp_old`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      id: "exp_old",
      key: "old-checkout",
      status: "running",
      primary_metric: "conversion",
      traffic_split: { control: 50, treatment: 50 },
    });
  });

  it("analyses the old rows per exposed user", async () => {
    const acme = await as(ORG);
    const res = await acme.get(`${BASE}/experiments/exp_old/results`);
    const text = await res.text();
    expect(res.status, text).toBe(200);
    const body = JSON.parse(text) as AnalysisBody;
    expect(body.assignments).toEqual([
      { variant_id: "var_c", users: 3 },
      { variant_id: "var_t", users: 2 },
    ]);
    // y's conversion came before its exposure; the NULL-user row is anonymous; ghost was never exposed.
    expect(body.data_quality).toEqual({ unexposed_results: 1, anonymous_results: 1, pre_exposure_results: 1 });
    const conversion = metricOf(body, "conversion");
    expect(conversion.role).toBe("primary");
    expect(conversion.defined).toBe(false);
    // Undefined metrics are read as mean (sum per user): a 1, b 0, c 0 | x 2, y 0.
    expect(conversion.variants.map((v) => v.mean)).toEqual([mean([1, 0, 0]), mean([2, 0])]);
    expect(conversion.variants[0]?.stddev).toBeCloseTo(Math.sqrt(sampleVariance([1, 0, 0])), 12);
    expect(metricOf(body, "revenue").variants.map((v) => v.sum)).toEqual([0, 12.5]);
  });

  it("keeps folding new results into the per-user table after the migration", async () => {
    const acme = await as(ORG);
    const posted = await acme.post(`${BASE}/experiments/exp_old/results`, {
      metric_name: "conversion",
      metric_value: 1,
      user_id: "c",
    });
    expect(posted.status, await posted.clone().text()).toBe(201);
    expect(
      await rows(
        "SELECT user_id, post_sum, post_rows FROM user_metric_values WHERE experiment_id = 'exp_old' AND metric_name = 'conversion' AND variant_id = 'var_c' ORDER BY user_id",
      ),
    ).toEqual([
      { user_id: "a", post_sum: 1, post_rows: 2 },
      { user_id: "b", post_sum: 0, post_rows: 1 },
      { user_id: "c", post_sum: 1, post_rows: 1 },
    ]);
  });
});
