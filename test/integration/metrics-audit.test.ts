// The metric catalogue's audit trail (issue 15: "every change to experiments, variants, flags and
// metrics records the actor, the time and the changed fields, in the same D1 batch as the change").
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { updateMetric } from "../../src/metrics/repository";
import { api, as, expectProblem, tokenFor } from "../helpers";
import { BASE, count, rows } from "./experiments-fixtures";

interface MetricBody {
  id: string;
  key: string;
  updated_at: string;
}

interface AuditRow {
  org_id: string;
  actor: string;
  action: string;
  at: number;
  changes: string;
}

const history = (id: string) =>
  rows<AuditRow>(
    "SELECT org_id, actor, action, at, changes FROM audit_log WHERE entity_type = 'metric' AND entity_id = ? ORDER BY id",
    id,
  );

async function define(token: string, body: Record<string, unknown>): Promise<MetricBody> {
  const res = await api(`${BASE}/metrics`, { token, method: "POST", body });
  const text = await res.text();
  expect(res.status, text).toBe(201);
  return JSON.parse(text) as MetricBody;
}

describe("metric catalogue audit", () => {
  it("records a creation with the token's sub, the time and every given field", async () => {
    const token = await tokenFor("audit-m1", "read write", "ana@example.com");
    const before = Date.now();
    const m = await define(token, { key: "revenue", kind: "mean", format: "currency", currency: "EUR" });
    const audit = await history(m.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ org_id: "audit-m1", actor: "ana@example.com", action: "created" });
    expect(audit[0]?.at).toBeGreaterThanOrEqual(before);
    expect(JSON.parse(audit[0]?.changes ?? "{}")).toEqual({
      key: { from: null, to: "revenue" },
      name: { from: null, to: "revenue" },
      kind: { from: null, to: "mean" },
      direction: { from: null, to: "increase" },
      format: { from: null, to: "currency" },
      currency: { from: null, to: "EUR" },
    });
  });

  it("records an update as the changed fields only, and a no-op patch as nothing", async () => {
    const acme = await as("audit-m2");
    const m = await define(acme.token, { key: "signups", kind: "binomial" });
    const patched = await acme.patch(`${BASE}/metrics/${m.id}`, {
      name: "Sign-ups",
      kind: "binomial",
      capping: { type: "absolute", value: 10 },
    });
    expect(patched.status, await patched.clone().text()).toBe(200);
    const body = (await patched.json()) as MetricBody & { name: string };
    expect(body.name).toBe("Sign-ups");

    const audit = await history(m.id);
    expect(audit.map((a) => [a.actor, a.action])).toEqual([
      ["tester@example.com", "created"],
      ["tester@example.com", "updated"],
    ]);
    expect(JSON.parse(audit[1]?.changes ?? "{}")).toEqual({
      name: { from: "signups", to: "Sign-ups" },
      capping: { from: null, to: { type: "absolute", value: 10 } },
    });
    expect(audit[1]?.at).toBe(Date.parse(body.updated_at));

    // The same values again: nothing changes, so nothing is written or recorded.
    const again = await acme.patch(`${BASE}/metrics/${m.id}`, { name: "Sign-ups" });
    expect(again.status).toBe(200);
    expect(((await again.json()) as MetricBody).updated_at).toBe(body.updated_at);
    expect(await history(m.id)).toHaveLength(2);
  });

  it("a refused update (duplicate key, bad currency) stores neither the change nor a history row", async () => {
    const acme = await as("audit-m3");
    await define(acme.token, { key: "taken" });
    const m = await define(acme.token, { key: "free" });
    await expectProblem(await acme.patch(`${BASE}/metrics/${m.id}`, { key: "taken" }), 409);
    await expectProblem(await acme.patch(`${BASE}/metrics/${m.id}`, { currency: "USD" }), 422);
    expect(await count("metric_definitions", "id = ? AND key = 'free'", m.id)).toBe(1);
    expect((await history(m.id)).map((a) => a.action)).toEqual(["created"]);
    // A duplicate creation leaves no orphan history row either.
    await expectProblem(await acme.post(`${BASE}/metrics`, { key: "taken" }), 409);
    expect(await count("audit_log", "org_id = 'audit-m3' AND entity_type = 'metric'")).toBe(2);
  });

  it("a write that loses its guard (stale read) changes nothing and leaves no history row", async () => {
    const acme = await as("audit-m4");
    const m = await define(acme.token, { key: "raced" });
    const entry = {
      orgId: "audit-m4",
      entityType: "metric" as const,
      entityId: m.id,
      at: 1,
      actor: "x",
      action: "updated" as const,
      changes: { name: { from: "raced", to: "late" } },
    };
    const stale = Date.parse(m.updated_at) - 1;
    expect(await updateMetric(createDb(env.DB), "audit-m4", m.id, stale, { name: "late" }, entry)).toBe(false);
    expect(await count("metric_definitions", "id = ? AND name = 'raced'", m.id)).toBe(1);
    expect(await history(m.id)).toHaveLength(1);
  });

  it("records a deletion with every field it had, and GET /metrics/:id/history pages it to the org only", async () => {
    const acme = await as("audit-m5");
    const m = await define(acme.token, { key: "doomed", description: "gone soon" });
    expect((await acme.patch(`${BASE}/metrics/${m.id}`, { direction: "decrease" })).status).toBe(200);
    expect((await acme.delete(`${BASE}/metrics/${m.id}`)).status).toBe(204);
    expect(await count("metric_definitions", "id = ?", m.id)).toBe(0);
    await expectProblem(await acme.delete(`${BASE}/metrics/${m.id}`), 404);

    const audit = await history(m.id);
    expect(audit.map((a) => a.action)).toEqual(["created", "updated", "deleted"]);
    expect(JSON.parse(audit[2]?.changes ?? "{}")).toEqual({
      key: { from: "doomed", to: null },
      name: { from: "doomed", to: null },
      description: { from: "gone soon", to: null },
      kind: { from: "mean", to: null },
      direction: { from: "decrease", to: null },
      format: { from: "number", to: null },
    });

    const res = await acme.get(`${BASE}/metrics/${m.id}/history?limit=2`);
    expect(res.status).toBe(200);
    const page = await res.json<{ items: { actor: string; action: string }[]; next_cursor: string }>();
    expect(page.items.map((i) => i.action)).toEqual(["deleted", "updated"]);
    const rest = await (await acme.get(`${BASE}/metrics/${m.id}/history?cursor=${page.next_cursor}`)).json<{
      items: { action: string }[];
      next_cursor: string | null;
    }>();
    expect(rest.items.map((i) => i.action)).toEqual(["created"]);
    expect(rest.next_cursor).toBeNull();

    await expectProblem(await (await as("audit-other")).get(`${BASE}/metrics/${m.id}/history`), 404);
    await expectProblem(await acme.get(`${BASE}/metrics/met_nope/history`), 404);
    // A live metric with no history (cannot happen through the API, but an old row could) is an empty page, not 404.
    const live = await define(acme.token, { key: "alive" });
    await env.DB.prepare("DELETE FROM audit_log WHERE entity_id = ?").bind(live.id).run();
    const empty = await acme.get(`${BASE}/metrics/${live.id}/history`);
    expect(empty.status).toBe(200);
    expect((await empty.json<{ items: unknown[] }>()).items).toEqual([]);
  });
});
