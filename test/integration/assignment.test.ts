import { beforeAll, describe, expect, it } from "vitest";
import { bucketOf } from "../../src/evaluation/bucketing";
import { api, as, expectProblem, tokenFor } from "../helpers";
import { type SeededExperiment, seedExperiment, updateExperiment } from "./assignment-fixtures";

const BASE = "/api/v1/ab-testing";
type Acme = Awaited<ReturnType<typeof as>>;

interface AssignmentBody {
  experiment_id: string;
  experiment_key: string;
  variant_id: string;
  variant_key: string;
  variant_name: string;
  variant_type: string;
  model_version: string | null;
  config: Record<string, unknown>;
  in_experiment: boolean;
}

let acme: Acme;
let running: SeededExperiment;
let paused: SeededExperiment;
let completed: SeededExperiment;
let completedNoWinner: SeededExperiment;
let draft: SeededExperiment;
let halfCoverage: SeededExperiment;

beforeAll(async () => {
  acme = await as("acme");
  running = await seedExperiment({
    org: "acme",
    key: "checkout",
    variants: [
      { key: "control", type: "control", pct: 50 },
      { key: "green", pct: 50, config: { color: "green" } },
    ],
  });
  paused = await seedExperiment({ org: "acme", key: "paused_one", status: "paused" });
  completed = await seedExperiment({ org: "acme", key: "done", status: "completed", winner: "treatment" });
  completedNoWinner = await seedExperiment({ org: "acme", key: "done_no_winner", status: "completed" });
  draft = await seedExperiment({ org: "acme", key: "draft_one", status: "draft" });
  halfCoverage = await seedExperiment({ org: "acme", key: "half", coverage: 50, seed: "custom-seed" });
});

const assign = async (id: string, userId: string) => {
  const res = await acme.post(`${BASE}/experiments/${id}/assign`, { user_id: userId });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as AssignmentBody;
};

describe("POST /experiments/:id/assign", () => {
  it("running: the bucketed variant, in the experiment, with the variant's fields", async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const a = await assign(running.id, `user-${i}`);
      expect(a.in_experiment).toBe(true);
      expect(a.experiment_key).toBe("checkout");
      const expected = bucketOf("checkout", `user-${i}`) < 0.5 ? "control" : "green";
      expect(a.variant_key).toBe(expected);
      if (a.variant_key === "green") expect(a.config).toEqual({ color: "green" });
      seen.add(a.variant_key);
    }
    expect(seen).toEqual(new Set(["control", "green"]));
  });

  it("is deterministic for the same user", async () => {
    const first = await assign(running.id, "sticky-user");
    for (let i = 0; i < 5; i++) expect(await assign(running.id, "sticky-user")).toEqual(first);
  });

  it("outside coverage: the control, not in the experiment; the seed is the explicit one", async () => {
    let outside = 0;
    for (let i = 0; i < 60; i++) {
      const user = `cov-${i}`;
      const a = await assign(halfCoverage.id, user);
      const n = bucketOf("custom-seed", user);
      // 50/50 split at 50% coverage: [0, 0.25) control, [0.5, 0.75) treatment, the rest outside.
      const inside = n < 0.25 || (n >= 0.5 && n < 0.75);
      expect(a.in_experiment).toBe(inside);
      if (!inside) {
        outside++;
        expect(a.variant_type).toBe("control");
      }
    }
    expect(outside).toBeGreaterThan(10);
  });

  it("paused: the control, not in the experiment", async () => {
    for (const user of ["a", "b", "c", "d"]) {
      const a = await assign(paused.id, user);
      expect(a).toMatchObject({ variant_key: "control", variant_type: "control", in_experiment: false });
    }
  });

  it("completed: the winner, or the control when none was chosen", async () => {
    expect(await assign(completed.id, "u1")).toMatchObject({ variant_key: "treatment", in_experiment: false });
    expect(await assign(completedNoWinner.id, "u1")).toMatchObject({ variant_key: "control", in_experiment: false });
  });

  it("draft: 409; unknown id: 404; another organization's experiment: 404", async () => {
    await expectProblem(await acme.post(`${BASE}/experiments/${draft.id}/assign`, { user_id: "u" }), 409);
    const unknown = await expectProblem(await acme.post(`${BASE}/experiments/nope/assign`, { user_id: "u" }), 404);
    // A key where the id goes is the likely mistake on this route: the answer names the route that takes keys.
    expect(unknown.detail).toMatch(/takes the experiment's id, not its key; POST \/api\/v1\/ab-testing\/assign/);
    const globex = await as("globex");
    await expectProblem(await globex.post(`${BASE}/experiments/${running.id}/assign`, { user_id: "u" }), 404);
  });

  it("bad bodies are 400 naming the field; no body is 400", async () => {
    const empty = await expectProblem(
      await acme.post(`${BASE}/experiments/${running.id}/assign`, { user_id: "" }),
      400,
    );
    expect(empty.errors?.[0]?.path).toBe("user_id");
    const wrong = await expectProblem(await acme.post(`${BASE}/experiments/${running.id}/assign`, { user_id: 7 }), 400);
    expect(wrong.errors?.[0]?.path).toBe("user_id");
    const long = await acme.post(`${BASE}/experiments/${running.id}/assign`, { user_id: "x".repeat(257) });
    await expectProblem(long, 400);
    const token = await tokenFor("acme");
    const raw = await api(`${BASE}/experiments/${running.id}/assign`, {
      token,
      method: "POST",
      rawBody: "{not json",
      headers: { "Content-Type": "application/json" },
    });
    await expectProblem(raw, 400);
  });

  it("needs a token with the assign scope", async () => {
    await expectProblem(
      await api(`${BASE}/experiments/${running.id}/assign`, { method: "POST", body: { user_id: "u" } }),
      401,
    );
    const reader = await as("acme", "read write ingest");
    await expectProblem(await reader.post(`${BASE}/experiments/${running.id}/assign`, { user_id: "u" }), 403);
    const assigner = await as("acme", "assign");
    expect((await assigner.post(`${BASE}/experiments/${running.id}/assign`, { user_id: "u" })).status).toBe(200);
  });
});

describe("POST /assign", () => {
  it("without names: every running experiment, in creation order, same answers as the single route", async () => {
    const res = await acme.post(`${BASE}/assign`, { user_id: "multi-1" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { assignments: AssignmentBody[]; skipped: unknown[] };
    expect(body.assignments.map((a) => a.experiment_key)).toEqual(["checkout", "half"]);
    expect(body.skipped).toEqual([]);
    expect(body).not.toHaveProperty("reason");
    expect(body.assignments[0]).toEqual(await assign(running.id, "multi-1"));
    expect(body.assignments[1]).toEqual(await assign(halfCoverage.id, "multi-1"));
  });

  it("with names: those, in request order, paused/completed answered, drafts and unknown keys skipped", async () => {
    const res = await acme.post(`${BASE}/assign`, {
      user_id: "multi-2",
      experiments: ["done", "nope", "checkout", "draft_one", "paused_one", "checkout"],
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { assignments: AssignmentBody[]; skipped: unknown[] };
    expect(body.assignments.map((a) => [a.experiment_key, a.in_experiment])).toEqual([
      ["done", false],
      ["checkout", true],
      ["paused_one", false],
    ]);
    expect(body.assignments[0]?.variant_key).toBe("treatment");
    expect(body.skipped).toEqual([
      { key: "nope", reason: "not_found" },
      { key: "draft_one", reason: "draft" },
    ]);
  });

  it("an empty list gives no assignments; keys of another organization are unknown", async () => {
    const none = (await (await acme.post(`${BASE}/assign`, { user_id: "u", experiments: [] })).json()) as {
      assignments: unknown[];
    };
    expect(none.assignments).toEqual([]);
    const globex = await as("globex");
    const other = (await (await globex.post(`${BASE}/assign`, { user_id: "u", experiments: ["checkout"] })).json()) as {
      assignments: unknown[];
      skipped: unknown[];
    };
    expect(other).toEqual({ assignments: [], skipped: [{ key: "checkout", reason: "not_found" }] });
  });

  it("no running experiment: the empty answer says why and names the token's organization", async () => {
    // A new user's first call: their token names an organization where nothing has been started.
    const initech = await as("initech");
    const draftOnly = await seedExperiment({ org: "initech", key: "not_started", status: "draft" });
    const empty = await initech.post(`${BASE}/assign`, { user_id: "u" });
    expect(empty.status).toBe(200);
    const body = (await empty.json()) as { assignments: unknown[]; reason?: string; detail?: string };
    expect(body.assignments).toEqual([]);
    expect(body.reason).toBe("no_running_experiments");
    expect(body.detail).toContain("Organization 'initech' has no running experiment");
    // Once one runs, the answer carries assignments and no reason.
    expect((await initech.post(`${BASE}/experiments/${draftOnly.id}/start`, {})).status).toBe(200);
    const running = (await (await initech.post(`${BASE}/assign`, { user_id: "u" })).json()) as Record<string, unknown>;
    expect(running.assignments).toHaveLength(1);
    expect(running).not.toHaveProperty("reason");
    expect(running).not.toHaveProperty("detail");
    // Named keys explain themselves through `skipped` instead.
    const named = (await (
      await initech.post(`${BASE}/assign`, { user_id: "u", experiments: ["nope"] })
    ).json()) as Record<string, unknown>;
    expect(named).toEqual({ assignments: [], skipped: [{ key: "nope", reason: "not_found" }] });
  });

  it("looks up 150 named keys in one go (beyond D1's 100 bound parameters)", async () => {
    const keys = [...Array.from({ length: 148 }, (_, i) => `missing-${i}`), "done", "checkout"];
    const res = await acme.post(`${BASE}/assign`, { user_id: "many", experiments: keys });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { assignments: AssignmentBody[]; skipped: unknown[] };
    expect(body.assignments.map((a) => a.experiment_key)).toEqual(["done", "checkout"]);
    expect(body.skipped).toHaveLength(148);
  });

  it("400 for malformed keys, too many keys, or a missing user_id", async () => {
    const bad = await expectProblem(await acme.post(`${BASE}/assign`, { user_id: "u", experiments: ["Bad Key"] }), 400);
    expect(bad.errors?.[0]?.path).toBe("experiments.0");
    const many = Array.from({ length: 201 }, (_, i) => `k${i}`);
    await expectProblem(await acme.post(`${BASE}/assign`, { user_id: "u", experiments: many }), 400);
    const missing = await expectProblem(await acme.post(`${BASE}/assign`, {}), 400);
    expect(missing.errors?.[0]?.path).toBe("user_id");
  });
});

describe("GET /config", () => {
  interface Config {
    generated_at: string;
    experiments: { id: string; key: string; status: string; seed: string; coverage: number; variants: unknown[] }[];
  }

  it("lists running experiments only, with defaulted seeds, and a strong ETag", async () => {
    const res = await acme.get(`${BASE}/config`);
    expect(res.status).toBe(200);
    const etag = res.headers.get("ETag");
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    const body = (await res.json()) as Config;
    expect(new Date(body.generated_at).toISOString()).toBe(body.generated_at);
    expect(body.experiments.map((e) => [e.key, e.status, e.seed, e.coverage, e.variants.length])).toEqual([
      ["checkout", "running", "checkout", 100, 2],
      ["half", "running", "custom-seed", 50, 2],
    ]);
  });

  it("If-None-Match: 304 without a body for a current tag (also weak or in a list), 200 otherwise", async () => {
    const etag = (await acme.get(`${BASE}/config`)).headers.get("ETag") ?? "";
    const token = acme.token;
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, "*"]) {
      const res = await api(`${BASE}/config`, { token, headers: { "If-None-Match": header } });
      expect(res.status, header).toBe(304);
      expect(res.headers.get("ETag")).toBe(etag);
      expect(await res.text()).toBe("");
    }
    const stale = await api(`${BASE}/config`, { token, headers: { "If-None-Match": '"stale"' } });
    expect(stale.status).toBe(200);
    // Found by an outside probe: a header over 2,048 characters was a 400. It is ignored instead, as
    // RFC 9110 lets a server do with a precondition: a full answer, even with the current tag in it.
    const long = `${'"x", '.repeat(500)}${etag}`;
    const ignored = await api(`${BASE}/config`, { token, headers: { "If-None-Match": long } });
    expect(ignored.status).toBe(200);
    expect(ignored.headers.get("ETag")).toBe(etag);
    expect(await ignored.json()).toHaveProperty("experiments");
  });

  it("a lifecycle change changes the ETag; a reload of equal content keeps it", async () => {
    const org = await as("etag-org");
    const exp = await seedExperiment({ org: "etag-org", key: "e1" });
    const first = (await org.get(`${BASE}/config`)).headers.get("ETag");
    await updateExperiment("etag-org", exp.id, { coverage: 60 });
    const second = (await org.get(`${BASE}/config`)).headers.get("ETag");
    expect(second).not.toBe(first);
    await updateExperiment("etag-org", exp.id, { coverage: 60 }); // same content, new snapshot
    const third = await org.get(`${BASE}/config`);
    expect(third.headers.get("ETag")).toBe(second);
    await updateExperiment("etag-org", exp.id, { status: "paused" });
    const paused = (await (await org.get(`${BASE}/config`)).json()) as Config;
    expect(paused.experiments).toEqual([]);
  });

  it("needs the assign scope", async () => {
    const reader = await as("acme", "read");
    await expectProblem(await reader.get(`${BASE}/config`), 403);
  });
});

describe("OpenAPI", () => {
  it("documents the three routes with their scope, errors and the 304", async () => {
    const doc = (await (await api("/api/v1/openapi.json")).json()) as {
      paths: Record<string, Record<string, { description?: string; responses: Record<string, unknown> }>>;
    };
    const one = doc.paths["/api/v1/ab-testing/experiments/{id}/assign"]?.post;
    expect(one?.description).toContain("Scope: `assign`");
    expect(Object.keys(one?.responses ?? {})).toEqual(
      expect.arrayContaining(["200", "400", "401", "403", "404", "409"]),
    );
    expect(doc.paths["/api/v1/ab-testing/assign"]?.post?.responses["200"]).toMatchObject({
      content: { "application/json": { schema: { $ref: "#/components/schemas/Assignments" } } },
    });
    expect(Object.keys(doc.paths["/api/v1/ab-testing/config"]?.get?.responses ?? {})).toEqual(
      expect.arrayContaining(["200", "304"]),
    );
  });
});
