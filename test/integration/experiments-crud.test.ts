import { describe, expect, it } from "vitest";
import { api, as, expectProblem } from "../helpers";
import {
  BASE,
  count,
  createExperiment,
  createRunning,
  type ExperimentBody,
  expose,
  rows,
  twoVariants,
  type VariantBody,
} from "./experiments-fixtures";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("POST /experiments", () => {
  it("creates a draft with inline variants, stored atomically in D1", async () => {
    const acme = await as("acme");
    const exp = await createExperiment(acme, {
      key: "checkout-button",
      experiment_name: "Checkout button",
      hypothesis: "Green converts better",
      primary_metric: "conversion",
      variants: twoVariants(40, 60),
    });
    expect(exp).toMatchObject({
      key: "checkout-button",
      experiment_name: "Checkout button",
      description: null,
      hypothesis: "Green converts better",
      status: "draft",
      primary_metric: "conversion",
      coverage: 100,
      seed: "checkout-button",
      traffic_split: { control: 40, treatment: 60 },
      winner_variant_id: null,
      started_at: null,
      completed_at: null,
    });
    expect(exp.created_at).toMatch(ISO);
    expect(exp.variants.map((v) => [v.key, v.variant_type, v.traffic_percentage])).toEqual([
      ["control", "control", 40],
      ["treatment", "treatment", 60],
    ]);
    expect(exp.variants[1]).toMatchObject({ model_version: "ranker-v2", config: { color: "green", size: 2 } });
    expect(exp.variants[0]).toMatchObject({ model_version: null, config: {} });

    const [stored] = await rows("SELECT org_id, status, seed, coverage FROM experiments WHERE id = ?", exp.id);
    expect(stored).toEqual({ org_id: "acme", status: "draft", seed: null, coverage: 100 });
    const vs = await rows(
      "SELECT id, key, position, config, org_id FROM variants WHERE experiment_id = ? ORDER BY position",
      exp.id,
    );
    expect(vs).toEqual([
      { id: exp.variants[0]?.id, key: "control", position: 0, config: "{}", org_id: "acme" },
      { id: exp.variants[1]?.id, key: "treatment", position: 1, config: '{"color":"green","size":2}', org_id: "acme" },
    ]);
  });

  it("creates without variants, with an explicit seed and coverage", async () => {
    const acme = await as("acme");
    const exp = await createExperiment(acme, { key: "bare", seed: "salt-1", coverage: 25 });
    expect(exp).toMatchObject({ seed: "salt-1", coverage: 25, variants: [], traffic_split: {} });
    expect(await count("variants", "experiment_id = ?", exp.id)).toBe(0);
  });

  it("409 on a duplicate key in the organization, storing nothing (not even the inline variants)", async () => {
    const acme = await as("acme");
    await createExperiment(acme, { key: "dup", variants: twoVariants() });
    const before = await count("variants");
    const res = await acme.post(`${BASE}/experiments`, {
      key: "dup",
      experiment_name: "Again",
      variants: twoVariants(),
    });
    const problem = await expectProblem(res, 409);
    expect(problem.type).toBe("urn:edge-experiments:problem:conflict");
    // Names the key and the read that finds the one holding it (the :id routes want its id).
    expect(problem.detail).toBe(
      `an experiment with key "dup" already exists: GET /api/v1/ab-testing/experiments?key=dup`,
    );
    const found = await (await acme.get(problem.detail?.split(": GET ")[1] ?? "")).json<{ items: ExperimentBody[] }>();
    expect(found.items.map((e) => [e.key, e.experiment_name])).toEqual([["dup", "Experiment dup"]]);
    expect(await count("experiments", "key = 'dup'")).toBe(1);
    expect(await count("variants")).toBe(before);
    // A draft renamed onto the taken key is told the same.
    const other = await createExperiment(acme, { key: "dup-other" });
    const renamed = await expectProblem(await acme.patch(`${BASE}/experiments/${other.id}`, { key: "dup" }), 409);
    expect(renamed.detail).toBe(problem.detail);
    // Keys are per organization.
    await createExperiment(await as("globex"), { key: "dup" });
  });

  it("400 naming each invalid field, storing nothing", async () => {
    const acme = await as("acme");
    const before = await count("experiments");
    const res = await acme.post(`${BASE}/experiments`, {
      key: "Bad Key",
      coverage: 101,
      variants: [
        { key: "a", variant_type: "champion", traffic_percentage: "50" },
        { key: "a", variant_type: "treatment", traffic_percentage: 50, config: [1] },
      ],
    });
    const problem = await expectProblem(res, 400);
    const paths = problem.errors?.map((e) => e.path).sort();
    expect(paths).toEqual(
      [
        "key",
        "experiment_name",
        "coverage",
        "variants.0.variant_type",
        "variants.0.traffic_percentage",
        "variants.1.config",
      ].sort(),
    );
    expect(await count("experiments")).toBe(before);
  });

  it("400 on duplicate variant keys inside one request", async () => {
    const acme = await as("acme");
    const res = await acme.post(`${BASE}/experiments`, {
      key: "twins",
      experiment_name: "Twins",
      variants: [
        { key: "a", variant_type: "control", traffic_percentage: 50 },
        { key: "a", variant_type: "treatment", traffic_percentage: 50 },
      ],
    });
    const problem = await expectProblem(res, 400);
    expect(problem.errors).toEqual([{ path: "variants.1.key", message: "duplicate variant key 'a'" }]);
    expect(await count("experiments", "key = 'twins'")).toBe(0);
  });

  it("400 for malformed JSON and for a missing body", async () => {
    const { token } = await as("acme");
    const malformed = await api(`${BASE}/experiments`, {
      token,
      method: "POST",
      rawBody: '{"key": "x",',
      headers: { "Content-Type": "application/json" },
    });
    const problem = await expectProblem(malformed, 400);
    expect(problem.errors?.length).toBeGreaterThan(0);
    await expectProblem(await api(`${BASE}/experiments`, { token, method: "POST" }), 400);
  });

  it("403 without the write scope", async () => {
    const reader = await as("acme", "read");
    await expectProblem(await reader.post(`${BASE}/experiments`, { key: "nope", experiment_name: "x" }), 403);
  });
});

describe("GET /experiments", () => {
  it("pages newest first with an opaque cursor, and filters by status", async () => {
    const acme = await as("paging");
    const created: ExperimentBody[] = [];
    for (let i = 0; i < 5; i++) created.push(await createExperiment(acme, { key: `p${i}`, variants: twoVariants() }));
    await acme.post(`${BASE}/experiments/${created[1]?.id}/start`);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const qs: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const res = await acme.get(`${BASE}/experiments?limit=2${qs}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: ExperimentBody[]; next_cursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((e) => e.key));
      cursor = page.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(["p4", "p3", "p2", "p1", "p0"]);

    const running = (await (await acme.get(`${BASE}/experiments?status=running`)).json()) as {
      items: ExperimentBody[];
      next_cursor: string | null;
    };
    expect(running.items.map((e) => e.key)).toEqual(["p1"]);
    expect(running.items[0]?.variants).toHaveLength(2);
    expect(running.next_cursor).toBeNull();

    const drafts = (await (await acme.get(`${BASE}/experiments?status=draft&limit=500`)).json()) as {
      items: ExperimentBody[];
    };
    expect(drafts.items.map((e) => e.key)).toEqual(["p4", "p3", "p2", "p0"]);
  });

  it("filters by namespace key, alone, with a status and across pages", async () => {
    const acme = await as("namespaces");
    const layer = (key: string, start: number, end: number) => ({ key, start, end });
    const a = await createExperiment(acme, {
      key: "ns-a",
      variants: twoVariants(),
      namespace: layer("checkout", 0, 0.5),
    });
    const b = await createExperiment(acme, {
      key: "ns-b",
      variants: twoVariants(),
      namespace: layer("checkout", 0.5, 1),
    });
    await createExperiment(acme, { key: "ns-other", variants: twoVariants(), namespace: layer("checkout-v2", 0, 1) });
    await createExperiment(acme, { key: "ns-none", variants: twoVariants() });
    // Same namespace key in another organization: never listed.
    await createExperiment(await as("namespaces-elsewhere"), { key: "ns-x", namespace: layer("checkout", 0, 1) });
    await acme.post(`${BASE}/experiments/${b.id}/start`);

    const keys = async (qs: string) => {
      const res = await acme.get(`${BASE}/experiments?${qs}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: ExperimentBody[]; next_cursor: string | null };
      return { keys: page.items.map((e) => e.key), page };
    };
    const all = await keys("namespace=checkout");
    expect(all.keys).toEqual(["ns-b", "ns-a"]);
    expect(all.page.items[1]).toMatchObject({ id: a.id, namespace: { key: "checkout", start: 0, end: 0.5 } });
    expect(all.page.next_cursor).toBeNull();
    expect((await keys("namespace=checkout&status=running")).keys).toEqual(["ns-b"]);
    expect((await keys("namespace=checkout&status=completed")).keys).toEqual([]);
    expect((await keys("namespace=nowhere")).keys).toEqual([]);

    const first = await keys("namespace=checkout&limit=1");
    expect(first.keys).toEqual(["ns-b"]);
    const cursor = encodeURIComponent(first.page.next_cursor ?? "");
    const second = await keys(`namespace=checkout&limit=1&cursor=${cursor}`);
    expect(second.keys).toEqual(["ns-a"]);
    expect(second.page.next_cursor).toBeNull();
  });

  it("searches key and name for a text (?q=), case folded, with the status filter and the cursor", async () => {
    const acme = await as("searching");
    const make = (key: string, experiment_name: string) =>
      createExperiment(acme, { key, experiment_name, variants: twoVariants() });
    await make("checkout-button", "Green checkout button");
    const banner = await make("free-shipping", "Free shipping banner (CHECKOUT page)");
    await make("search-ranking", "Search ranking model");
    await make("pct-50", "Discount 50% off");
    await make("a_b", "Underscore key");
    await make("ecole", "École d'été");
    await createExperiment(await as("searching-elsewhere"), { key: "checkout-x", experiment_name: "Checkout" });
    expect((await acme.post(`${BASE}/experiments/${banner.id}/start`)).status).toBe(200);

    const keys = async (qs: string) => {
      const res = await acme.get(`${BASE}/experiments?${qs}`);
      expect(res.status).toBe(200);
      return (await res.json()) as { items: ExperimentBody[]; next_cursor: string | null };
    };
    const cases: [string, string[]][] = [
      ["q=checkout", ["free-shipping", "checkout-button"]],
      ["q=CheckOut", ["free-shipping", "checkout-button"]],
      ["q=%20%20ranking%20", ["search-ranking"]],
      ["q=banner%20(checkout", ["free-shipping"]],
      ["q=50%25", ["pct-50"]],
      // LIKE would read _ and % as wildcards; the search reads them as characters.
      ["q=_", ["a_b"]],
      ["q=%25", ["pct-50"]],
      ["q=nothing-like-this", []],
      // Non-ASCII letters match as typed (SQLite's lower() folds ASCII only, and so does the query).
      ["q=%C3%89cole", ["ecole"]],
      ["q=%C3%A9t%C3%A9", ["ecole"]],
      ["q=%C3%89T%C3%89", []],
      ["q=", ["ecole", "a_b", "pct-50", "search-ranking", "free-shipping", "checkout-button"]],
      ["q=checkout&status=running", ["free-shipping"]],
      ["q=checkout&status=draft", ["checkout-button"]],
    ];
    for (const [qs, want] of cases)
      expect(
        (await keys(qs)).items.map((e) => e.key),
        qs,
      ).toEqual(want);

    const first = await keys("q=checkout&limit=1");
    expect(first.items.map((e) => e.key)).toEqual(["free-shipping"]);
    const second = await keys(`q=checkout&limit=1&cursor=${encodeURIComponent(first.next_cursor ?? "")}`);
    expect(second.items.map((e) => e.key)).toEqual(["checkout-button"]);
    expect(second.next_cursor).toBeNull();

    const long = await expectProblem(await acme.get(`${BASE}/experiments?q=${"x".repeat(101)}`), 400);
    expect(long.errors?.[0]?.path).toBe("query.q");
  });

  it("400 for a bad limit, status, namespace or cursor", async () => {
    const acme = await as("paging");
    for (const bad of ["", "Checkout", "a%20b", "x".repeat(65)]) {
      const problem = await expectProblem(await acme.get(`${BASE}/experiments?namespace=${bad}`), 400);
      expect(problem.errors?.[0]?.path).toBe("query.namespace");
    }
    const limit = await expectProblem(await acme.get(`${BASE}/experiments?limit=501`), 400);
    expect(limit.errors?.[0]?.path).toBe("query.limit");
    const status = await expectProblem(await acme.get(`${BASE}/experiments?status=archived`), 400);
    expect(status.errors?.[0]?.path).toBe("query.status");
    const cursor = await expectProblem(await acme.get(`${BASE}/experiments?cursor=not-a-cursor`), 400);
    expect(cursor.errors?.[0]?.path).toBe("query.cursor");
  });

  it("shows nothing of another organization", async () => {
    const other = await as("nobody-here");
    await createExperiment(await as("someone"), { key: "secret" });
    expect(await (await other.get(`${BASE}/experiments`)).json()).toEqual({ items: [], next_cursor: null });
  });
});

describe("GET /experiments/:id", () => {
  it("returns the experiment with its variants; 404 for an unknown id", async () => {
    const acme = await as("acme");
    const exp = await createExperiment(acme, { key: "get-me", variants: twoVariants() });
    const res = await acme.get(`${BASE}/experiments/${exp.id}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(exp);
    await expectProblem(await acme.get(`${BASE}/experiments/exp_missing`), 404);
  });
});

describe("POST|GET /experiments/:id/variants", () => {
  it("adds variants at the end while draft, and lists them in creation order", async () => {
    const acme = await as("acme");
    const exp = await createExperiment(acme, { key: "grow", variants: twoVariants() });
    const res = await acme.post(`${BASE}/experiments/${exp.id}/variants`, {
      key: "blue",
      variant_type: "treatment",
      traffic_percentage: 0,
      config: { color: "blue" },
    });
    expect(res.status).toBe(201);
    const added = (await res.json()) as VariantBody;
    expect(added).toMatchObject({ key: "blue", variant_name: "blue", config: { color: "blue" }, model_version: null });
    const [row] = await rows("SELECT position, experiment_id FROM variants WHERE id = ?", added.id);
    expect(row).toEqual({ position: 2, experiment_id: exp.id });

    const list = (await (await acme.get(`${BASE}/experiments/${exp.id}/variants`)).json()) as {
      items: VariantBody[];
      next_cursor: string | null;
    };
    expect(list.items.map((v) => v.key)).toEqual(["control", "treatment", "blue"]);
    expect(list.next_cursor).toBeNull();
  });

  it("pages with limit and cursor like every list; 400 for a bad limit or another list's cursor", async () => {
    const acme = await as("acme");
    const exp = await createExperiment(acme, { key: "paged-variants", variants: twoVariants() });
    for (const key of ["c", "d", "e"])
      expect(
        (
          await acme.post(`${BASE}/experiments/${exp.id}/variants`, {
            key,
            variant_type: "treatment",
            traffic_percentage: 0,
          })
        ).status,
      ).toBe(201);
    type Page = { items: VariantBody[]; next_cursor: string | null };
    const keys: string[][] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? "limit=2" : `limit=2&cursor=${cursor}`;
      const page = (await (await acme.get(`${BASE}/experiments/${exp.id}/variants?${query}`)).json()) as Page;
      keys.push(page.items.map((v) => v.key));
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(keys).toEqual([["control", "treatment"], ["c", "d"], ["e"]]);

    const first = (await (await acme.get(`${BASE}/experiments/${exp.id}/variants?limit=2`)).json()) as Page;
    const other = await createExperiment(acme, { key: "paged-other", variants: twoVariants() });
    const foreign = await expectProblem(
      await acme.get(`${BASE}/experiments/${other.id}/variants?cursor=${first.next_cursor}`),
      400,
    );
    expect(foreign.errors).toEqual([{ path: "query.cursor", message: "a cursor of another experiment's variants" }]);
    const experimentsCursor = ((await (await acme.get(`${BASE}/experiments?limit=1`)).json()) as Page).next_cursor;
    await expectProblem(await acme.get(`${BASE}/experiments/${exp.id}/variants?cursor=${experimentsCursor}`), 400);
    for (const limit of ["0", "501", "abc", "0x10"])
      await expectProblem(await acme.get(`${BASE}/experiments/${exp.id}/variants?limit=${limit}`), 400);
  });

  it("409 for a duplicate key or a started experiment; 400 for a bad variant", async () => {
    const acme = await as("acme");
    const draft = await createExperiment(acme, { key: "grow2", variants: twoVariants() });
    const dup = { key: "control", variant_type: "control", traffic_percentage: 10 };
    const taken = await expectProblem(await acme.post(`${BASE}/experiments/${draft.id}/variants`, dup), 409);
    expect(taken.detail).toBe(
      `a variant with key "control" already exists in this experiment: GET ${BASE}/experiments/${draft.id}/variants`,
    );
    const bad = await expectProblem(
      await acme.post(`${BASE}/experiments/${draft.id}/variants`, { key: "x", variant_type: "treatment" }),
      400,
    );
    expect(bad.errors?.map((e) => e.path)).toEqual(["traffic_percentage"]);

    const running = await createRunning(acme, "grow3");
    const problem = await expectProblem(
      await acme.post(`${BASE}/experiments/${running.id}/variants`, { ...dup, key: "late" }),
      409,
    );
    expect(problem.detail).toMatch(/only be added while the experiment is a draft/);
    expect(await count("variants", "experiment_id = ?", running.id)).toBe(2);
  });
});

describe("DELETE /experiments/:id", () => {
  it("204 for a draft, removing its variants", async () => {
    const acme = await as("acme");
    const exp = await createExperiment(acme, { key: "bye", variants: twoVariants() });
    const res = await acme.delete(`${BASE}/experiments/${exp.id}`);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect(await count("experiments", "id = ?", exp.id)).toBe(0);
    expect(await count("variants", "experiment_id = ?", exp.id)).toBe(0);
    await expectProblem(await acme.get(`${BASE}/experiments/${exp.id}`), 404);
    await expectProblem(await acme.delete(`${BASE}/experiments/${exp.id}`), 404);
  });

  it("409 while running; once paused it goes with its exposures and results", async () => {
    const acme = await as("acme");
    const exp = await createRunning(acme, "busy");
    const control = exp.variants[0]?.id ?? "";
    await expose(exp.id, "acme", { u1: control });
    await acme.post(`${BASE}/experiments/${exp.id}/results`, { metric_name: "m", metric_value: 1, user_id: "u1" });

    const problem = await expectProblem(await acme.delete(`${BASE}/experiments/${exp.id}`), 409);
    expect(problem.detail).toMatch(/running experiment cannot be deleted/);
    expect(await count("experiments", "id = ?", exp.id)).toBe(1);
    expect(await count("results", "experiment_id = ?", exp.id)).toBe(1);

    expect((await acme.post(`${BASE}/experiments/${exp.id}/pause`)).status).toBe(200);
    expect((await acme.delete(`${BASE}/experiments/${exp.id}`)).status).toBe(204);
    for (const table of ["experiments", "variants", "exposures", "results"]) {
      const column = table === "experiments" ? "id" : "experiment_id";
      expect(await count(table, `${column} = ?`, exp.id)).toBe(0);
    }
  });
});

describe("OpenAPI document", () => {
  it("documents every experiments route with its scope and error answers", async () => {
    const doc = (await (await api("/api/v1/openapi.json")).json()) as {
      paths: Record<string, Record<string, { description?: string; responses: Record<string, unknown> }>>;
    };
    const expected: [string, string, string, string[]][] = [
      ["/api/v1/ab-testing/experiments", "post", "write", ["201", "400", "409"]],
      ["/api/v1/ab-testing/experiments", "get", "read", ["200", "400"]],
      ["/api/v1/ab-testing/experiments/{id}", "get", "read", ["200", "404"]],
      ["/api/v1/ab-testing/experiments/{id}", "patch", "write", ["200", "409", "422"]],
      ["/api/v1/ab-testing/experiments/{id}", "delete", "write", ["204", "409"]],
      ["/api/v1/ab-testing/experiments/{id}/start", "post", "write", ["200", "409", "422"]],
      ["/api/v1/ab-testing/experiments/{id}/pause", "post", "write", ["200", "409"]],
      ["/api/v1/ab-testing/experiments/{id}/complete", "post", "write", ["200", "409", "422"]],
      ["/api/v1/ab-testing/experiments/{id}/variants", "post", "write", ["201", "409"]],
      ["/api/v1/ab-testing/experiments/{id}/variants", "get", "read", ["200"]],
      ["/api/v1/ab-testing/experiments/{id}/results", "post", "ingest", ["201", "400", "409", "422", "429"]],
      ["/api/v1/ab-testing/experiments/{id}/results", "get", "read", ["200", "404"]],
    ];
    for (const [path, method, scope, statuses] of expected) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(op?.description).toContain(`Scope: \`${scope}\``);
      for (const s of statuses) expect(Object.keys(op?.responses ?? {}), `${method} ${path} ${s}`).toContain(s);
    }
  });
});
