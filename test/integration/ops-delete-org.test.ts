import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ORG_TABLES } from "../../src/ops/org-data";
import type { OrgObject } from "../../src/streaming/org-object";
import { api, as, expectProblem, tokenFor } from "../helpers";
import { seedExperiment } from "./assignment-fixtures";

const S = "/api/v1/streaming-analytics";

async function seedOrg(org: string): Promise<void> {
  const e = await seedExperiment({ org, key: "checkout" });
  const control = e.variantIds.control;
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO exposures (org_id, experiment_id, user_id, variant_id, exposed_at) VALUES (?, ?, 'u1', ?, 1)",
    ).bind(org, e.id, control),
    env.DB.prepare(
      "INSERT INTO results (org_id, experiment_id, variant_id, user_id, metric_name, metric_value, recorded_at) VALUES (?, ?, ?, 'u1', 'conv', 1, 1)",
    ).bind(org, e.id, control),
  ]);
  const c = await as(org);
  expect((await c.post(`${S}/events`, { events: [{ event_type: "view" }, { event_type: "click" }] })).status).toBe(202);
  expect((await c.post(`${S}/metrics`, { name: "latency", value: 12 })).status).toBe(202);
  expect((await c.post(`${S}/sources`, { name: "web", source_type: "http" })).status).toBe(201);
  // The catalogue, a flag and its audit row (user_metric_values is kept by triggers from the rows above).
  expect(
    (await c.post("/api/v1/ab-testing/metrics", { key: "conv", name: "Conversion", kind: "binomial" })).status,
  ).toBe(201);
  expect(
    (await c.post("/api/v1/ab-testing/flags", { key: "dark", value_type: "boolean", default_value: false })).status,
  ).toBe(201);
}

/** Rows per tenant table in D1, read straight from the database. */
async function d1Rows(org: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ORG_TABLES) {
    const row = await env.DB.prepare(`SELECT count(*) AS n FROM "${table}" WHERE org_id = ?`)
      .bind(org)
      .first<{ n: number }>();
    counts[table] = row?.n ?? -1;
  }
  return counts;
}

/** Rows in the organization object's own tables, read inside the object. */
const objectRows = (org: string) =>
  runInDurableObject(env.ORG.getByName(org), (_i: OrgObject, state) => {
    const n = (sql: string) => state.storage.sql.exec<{ n: number }>(sql).one().n;
    return {
      events: n("SELECT count(*) AS n FROM events"),
      rollups: n("SELECT count(*) AS n FROM metric_rollups"),
      sources: n("SELECT count(*) AS n FROM sources"),
    };
  });
const objectAlarm = (org: string) =>
  runInDurableObject(env.ORG.getByName(org), (_i: OrgObject, state) => state.storage.getAlarm());

describe("DELETE /api/v1/orgs/:org/data", () => {
  it("covers every table of the drizzle schema that has org_id, children first", () => {
    expect(ORG_TABLES).toEqual([
      "audit_log",
      "exposures",
      "results",
      "variants",
      "experiments",
      "flags",
      "metric_definitions",
      "user_metric_values",
    ]);
  });

  it("removes the organization's D1 rows and object storage; another organization stays intact; repeating is safe", async () => {
    await seedOrg("doomed");
    await seedOrg("bystander");
    const before = await d1Rows("bystander");
    expect(Object.values(before).every((n) => n > 0)).toBe(true);
    expect(Object.values(await d1Rows("doomed")).every((n) => n > 0)).toBe(true);
    expect(await objectAlarm("doomed")).not.toBeNull();

    const admin = await tokenFor("doomed", "admin");
    const res = await api("/api/v1/orgs/doomed/data", { method: "DELETE", token: admin });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");

    expect(Object.values(await d1Rows("doomed"))).toEqual(ORG_TABLES.map(() => 0));
    expect(await objectRows("doomed")).toEqual({ events: 0, rollups: 0, sources: 0 });
    expect(await objectAlarm("doomed")).toBeNull();
    // The bystander lost nothing, in D1 or in its object.
    expect(await d1Rows("bystander")).toEqual(before);
    expect(await objectRows("bystander")).toEqual({ events: 2, rollups: 3, sources: 1 });

    // Repeating is safe and still done.
    expect((await api("/api/v1/orgs/doomed/data", { method: "DELETE", token: admin })).status).toBe(204);
    // The emptied organization works again from scratch (the object re-created its schema).
    const c = await as("doomed");
    expect((await c.post(`${S}/events`, { events: [{ event_type: "again" }] })).status).toBe(202);
    expect((await objectRows("doomed")).events).toBe(1);
    const list = (await (await c.get("/api/v1/ab-testing/experiments")).json()) as { items: unknown[] };
    expect(list.items).toEqual([]);
  });

  it("another organization's path is 404, and nothing of it is deleted", async () => {
    await seedOrg("target");
    const before = await d1Rows("target");
    const res = await api("/api/v1/orgs/target/data", { method: "DELETE", token: await tokenFor("attacker", "admin") });
    const problem = await expectProblem(res, 404);
    expect(problem.type).toBe("urn:edge-experiments:problem:not-found");
    expect(await d1Rows("target")).toEqual(before);
    expect((await objectRows("target")).events).toBe(2);
  });

  it("needs the admin scope: every other scope is 403", async () => {
    const res = await api("/api/v1/orgs/acme/data", {
      method: "DELETE",
      token: await tokenFor("acme", "read write ingest assign"),
    });
    const problem = await expectProblem(res, 403);
    expect(problem.detail).toBe(
      "this route needs the 'admin' scope; this token has: read write ingest assign. Ask your token issuer for " +
        "one that also has it.",
    );
    await expectProblem(await api("/api/v1/orgs/acme/data", { method: "DELETE" }), 401);
  });
});
