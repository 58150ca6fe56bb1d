import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import * as metricsRepo from "../../src/metrics/repository";
import { api, as, expectProblem } from "../helpers";
import { BASE, createExperiment, createRunning, rows } from "./experiments-fixtures";

const db = createDb(env.DB);

interface MetricBody {
  id: string;
  key: string;
  name: string;
  description: string | null;
  kind: string;
  direction: string;
  format: string;
  currency: string | null;
  capping: { type: string; value: number } | null;
  created_at: string;
  updated_at: string;
}

async function define(client: Awaited<ReturnType<typeof as>>, body: Record<string, unknown>): Promise<MetricBody> {
  const res = await client.post(`${BASE}/metrics`, body);
  const text = await res.text();
  expect(res.status, text).toBe(201);
  return JSON.parse(text) as MetricBody;
}

describe("POST /metrics", () => {
  it("stores a definition with the model's defaults", async () => {
    const acme = await as("acme");
    const m = await define(acme, { key: "signups" });
    expect(m).toMatchObject({
      key: "signups",
      name: "signups",
      description: null,
      kind: "mean",
      direction: "increase",
      format: "number",
      currency: null,
      capping: null,
    });
    expect(m.id).toMatch(/^met_/);
    const stored = await rows(
      "SELECT org_id, key, kind, capping_type, capping_value FROM metric_definitions WHERE id = ?",
      m.id,
    );
    expect(stored).toEqual([{ org_id: "acme", key: "signups", kind: "mean", capping_type: null, capping_value: null }]);
  });

  it("stores every field", async () => {
    const acme = await as("acme-full");
    const m = await define(acme, {
      key: "revenue",
      name: "Revenue per user",
      description: "Order value",
      kind: "mean",
      direction: "increase",
      format: "currency",
      currency: "EUR",
      capping: { type: "percentile", value: 0.99 },
    });
    expect(m).toMatchObject({ format: "currency", currency: "EUR", capping: { type: "percentile", value: 0.99 } });
    expect((await acme.get(`${BASE}/metrics/${m.id}`)).status).toBe(200);
    expect(await (await acme.get(`${BASE}/metrics/${m.id}`)).json()).toEqual(m);
  });

  it("trims the key, so 'Conversion ' is the metric 'Conversion' (FINDINGS, using it 7)", async () => {
    const acme = await as("acme-trim");
    const m = await define(acme, { key: "  Conversion ", kind: "binomial" });
    expect(m.key).toBe("Conversion");
    const dup = await expectProblem(await acme.post(`${BASE}/metrics`, { key: "Conversion " }), 409);
    // The stored (trimmed) key, and the read that finds the one holding it.
    expect(dup.detail).toBe(`a metric with key "Conversion" already exists: GET ${BASE}/metrics?key=Conversion`);
    // Keys stay case-sensitive: existing results may differ by case only.
    await define(acme, { key: "conversion" });
    expect(await rows("SELECT key FROM metric_definitions WHERE org_id = ? ORDER BY key", "acme-trim")).toEqual([
      { key: "Conversion" },
      { key: "conversion" },
    ]);
  });

  it("409 for a duplicate key within the organization, not across organizations", async () => {
    const a = await as("dup-a");
    const b = await as("dup-b");
    await define(a, { key: "clicks" });
    const dup = await expectProblem(await a.post(`${BASE}/metrics`, { key: "clicks", kind: "binomial" }), 409);
    expect(dup.type).toBe("urn:edge-experiments:problem:conflict");
    expect(dup.detail).toBe(`a metric with key "clicks" already exists: GET ${BASE}/metrics?key=clicks`);
    // A key with characters a query must escape is escaped in the link, quoted in the sentence.
    await define(a, { key: "cart value/€ & tax" });
    const odd = await expectProblem(await a.post(`${BASE}/metrics`, { key: "cart value/€ & tax" }), 409);
    const link = `${BASE}/metrics?key=cart%20value%2F%E2%82%AC%20%26%20tax`;
    expect(odd.detail).toBe(`a metric with key "cart value/€ & tax" already exists: GET ${link}`);
    const found = await (await a.get(link)).json<{ items: MetricBody[] }>();
    expect(found.items.map((m) => m.key)).toEqual(["cart value/€ & tax"]);
    await define(b, { key: "clicks" });
    expect(await rows("SELECT org_id FROM metric_definitions WHERE key = 'clicks' ORDER BY org_id")).toEqual([
      { org_id: "dup-a" },
      { org_id: "dup-b" },
    ]);
  });

  it.each([
    [{ key: "" }, "key"],
    [{ key: "   " }, "key"],
    [{ key: "a\u0001b" }, "key"],
    [{ key: "x".repeat(129) }, "key"],
    [{ key: "k", kind: "median" }, "kind"],
    [{ key: "k", direction: "up" }, "direction"],
    [{ key: "k", format: "money" }, "format"],
    [{ key: "k", format: "currency", currency: "euro" }, "currency"],
    [{ key: "k", currency: "USD" }, "currency"],
    [{ key: "k", capping: { type: "percentile", value: 99 } }, "capping.value"],
    [{ key: "k", capping: { type: "absolute", value: 0 } }, "capping.value"],
    [{ key: "k", capping: { type: "winsor", value: 1 } }, "capping.type"],
    [{ key: "k", capping: { type: "absolute", value: 5, extra: 1 } }, "capping.extra"],
    [{ key: "k", id: "met_forged" }, "id"],
  ])("400 for %j naming %s; nothing stored", async (body, path) => {
    const acme = await as("acme-bad");
    const problem = await expectProblem(await acme.post(`${BASE}/metrics`, body), 400);
    expect(problem.errors?.map((e) => e.path)).toContain(path);
    expect(await rows("SELECT id FROM metric_definitions WHERE org_id = 'acme-bad'")).toEqual([]);
  });

  it("scopes: write to define, read to list; 401 without a token", async () => {
    const reader = await as("acme-scope", "read");
    await expectProblem(await reader.post(`${BASE}/metrics`, { key: "x" }), 403);
    const ingest = await as("acme-scope", "ingest");
    await expectProblem(await ingest.get(`${BASE}/metrics`), 403);
    await expectProblem(await api(`${BASE}/metrics`), 401);
  });
});

describe("GET /metrics", () => {
  it("lists newest first, paginated, only the caller's organization", async () => {
    const acme = await as("acme-list");
    const other = await as("other-list");
    const keys = ["m1", "m2", "m3"];
    for (const key of keys) await define(acme, { key });
    await define(other, { key: "foreign" });
    const first = (await (await acme.get(`${BASE}/metrics?limit=2`)).json()) as {
      items: MetricBody[];
      next_cursor: string | null;
    };
    expect(first.items.map((m) => m.key)).toEqual(["m3", "m2"]);
    expect(first.next_cursor).not.toBeNull();
    const second = (await (await acme.get(`${BASE}/metrics?limit=2&cursor=${first.next_cursor}`)).json()) as {
      items: MetricBody[];
      next_cursor: string | null;
    };
    expect(second).toMatchObject({ items: [{ key: "m1" }], next_cursor: null });
    await expectProblem(await acme.get(`${BASE}/metrics?cursor=nonsense`), 400);
  });

  it("404 for another organization's metric", async () => {
    const acme = await as("acme-404");
    const other = await as("other-404");
    const m = await define(acme, { key: "mine" });
    await expectProblem(await other.get(`${BASE}/metrics/${m.id}`), 404);
    await expectProblem(await other.patch(`${BASE}/metrics/${m.id}`, { name: "x" }), 404);
    await expectProblem(await other.delete(`${BASE}/metrics/${m.id}`), 404);
    expect(await rows("SELECT name FROM metric_definitions WHERE id = ?", m.id)).toEqual([{ name: "mine" }]);
  });
});

describe("PATCH and DELETE /metrics/:id", () => {
  it("a key read by a running or paused experiment cannot be renamed; other edits, and renames once it completes, go through", async () => {
    const acme = await as("acme-rename");
    const lat = await define(acme, { key: "lat", direction: "decrease" });
    const exp = await createRunning(acme, "reads-lat", { guardrail_metrics: ["lat"] });
    await createExperiment(acme, { key: "draft-reads-lat", primary_metric: "lat" });

    const refused = await expectProblem(await acme.patch(`${BASE}/metrics/${lat.id}`, { key: "lat2" }), 409);
    expect(refused.detail).toBe(
      "'lat' is read by running or paused experiments (reads-lat): renaming it would leave their results under the old name, read as an undefined metric; complete them first, or define a new metric",
    );
    expect(await rows("SELECT key FROM metric_definitions WHERE id = ?", lat.id)).toEqual([{ key: "lat" }]);
    expect(await rows("SELECT action FROM audit_log WHERE entity_id = ?", lat.id)).toEqual([{ action: "created" }]);
    // A change that keeps the key goes through while it is read.
    expect((await acme.patch(`${BASE}/metrics/${lat.id}`, { name: "Latency" })).status).toBe(200);

    await acme.post(`${BASE}/experiments/${exp.id}/pause`);
    await expectProblem(await acme.patch(`${BASE}/metrics/${lat.id}`, { key: "lat2" }), 409);
    await acme.post(`${BASE}/experiments/${exp.id}/complete`);
    const renamed = await acme.patch(`${BASE}/metrics/${lat.id}`, { key: "lat2" });
    expect(renamed.status).toBe(200);
    expect(((await renamed.json()) as MetricBody).key).toBe("lat2");
  });

  it("the rename's write checks the readers itself: an experiment started after the service's check still stops it", async () => {
    const acme = await as("acme-rename-race");
    const m = await define(acme, { key: "clicks" });
    const read = (
      await rows<{ updated_at: number }>("SELECT updated_at FROM metric_definitions WHERE id = ?", m.id)
    )[0];
    // The service checked (nobody reads 'clicks'), then an experiment reading it starts.
    await createRunning(acme, "reads-clicks", { primary_metric: "clicks" });
    const rename = (from?: string) =>
      metricsRepo.updateMetric(
        db,
        "acme-rename-race",
        m.id,
        read?.updated_at ?? 0,
        { key: "clicks2", updatedAt: (read?.updated_at ?? 0) + 1 },
        {
          orgId: "acme-rename-race",
          entityType: "metric",
          entityId: m.id,
          at: 1,
          actor: "t",
          action: "updated",
          changes: {},
        },
        from,
      );
    expect(await rename("clicks")).toBe(false);
    expect(await rows("SELECT key FROM metric_definitions WHERE id = ?", m.id)).toEqual([{ key: "clicks" }]);
    expect(await rows("SELECT action FROM audit_log WHERE entity_id = ?", m.id)).toEqual([{ action: "created" }]);
    // The guard is what stopped it: without the key it moves from, the same write applies.
    expect(await rename()).toBe(true);
  });

  it("changes fields, removes capping with null, keeps the rest", async () => {
    const acme = await as("acme-patch");
    const m = await define(acme, { key: "latency", capping: { type: "absolute", value: 5000 } });
    const res = await acme.patch(`${BASE}/metrics/${m.id}`, {
      kind: "event_mean",
      direction: "decrease",
      capping: null,
      name: "Latency (ms)",
    });
    expect(res.status).toBe(200);
    const updated = (await res.json()) as MetricBody;
    expect(updated).toMatchObject({
      key: "latency",
      name: "Latency (ms)",
      kind: "event_mean",
      direction: "decrease",
      capping: null,
      created_at: m.created_at,
    });
    expect(Date.parse(updated.updated_at)).toBeGreaterThan(Date.parse(m.updated_at));
    expect(await rows("SELECT kind, direction, capping_type FROM metric_definitions WHERE id = ?", m.id)).toEqual([
      { kind: "event_mean", direction: "decrease", capping_type: null },
    ]);
  });

  it("currency follows the format; a taken key is 409; unknown fields are 400", async () => {
    const acme = await as("acme-patch2");
    const a = await define(acme, { key: "aov", format: "currency", currency: "USD" });
    await define(acme, { key: "taken" });
    // Leaving currency formatting drops the currency with it.
    const plain = (await (await acme.patch(`${BASE}/metrics/${a.id}`, { format: "number" })).json()) as MetricBody;
    expect(plain).toMatchObject({ format: "number", currency: null });
    await expectProblem(await acme.patch(`${BASE}/metrics/${a.id}`, { currency: "USD" }), 422);
    const taken = await expectProblem(await acme.patch(`${BASE}/metrics/${a.id}`, { key: "taken " }), 409);
    expect(taken.detail).toBe(`a metric with key "taken" already exists: GET ${BASE}/metrics?key=taken`);
    await expectProblem(await acme.patch(`${BASE}/metrics/${a.id}`, { created_at: "2000-01-01T00:00:00Z" }), 400);
    expect(await rows("SELECT key, format, currency FROM metric_definitions WHERE id = ?", a.id)).toEqual([
      { key: "aov", format: "number", currency: null },
    ]);
  });

  it("deletes: 204, gone from storage, then 404", async () => {
    const acme = await as("acme-del");
    const m = await define(acme, { key: "gone" });
    expect((await acme.delete(`${BASE}/metrics/${m.id}`)).status).toBe(204);
    expect(await rows("SELECT id FROM metric_definitions WHERE id = ?", m.id)).toEqual([]);
    await expectProblem(await acme.delete(`${BASE}/metrics/${m.id}`), 404);
    await expectProblem(await acme.get(`${BASE}/metrics/${m.id}`), 404);
  });
});
