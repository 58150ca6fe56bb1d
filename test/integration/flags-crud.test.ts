import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { updateFlag } from "../../src/flags/repository";
import { api, as, expectProblem, tokenFor } from "../helpers";
import { BASE, count, rows } from "./experiments-fixtures";

interface FlagBody {
  id: string;
  key: string;
  value_type: string;
  default_value: unknown;
  enabled: boolean;
  rules: { condition?: Record<string, unknown>; rollout_percentage: number; value: unknown }[];
  updated_at: string;
}

type Client = Awaited<ReturnType<typeof as>>;

async function createFlag(client: Client, body: Record<string, unknown>): Promise<FlagBody> {
  const res = await client.post(`${BASE}/flags`, body);
  if (res.status !== 201) throw new Error(`create flag: ${res.status} ${await res.text()}`);
  return res.json();
}

const history = (id: string) =>
  rows<{ actor: string; action: string; changes: string; org_id: string }>(
    "SELECT actor, action, changes, org_id FROM audit_log WHERE entity_type = 'flag' AND entity_id = ? ORDER BY id",
    id,
  );

describe("POST /flags", () => {
  it("stores a typed flag with ordered rules, and its creation in the history, in one batch", async () => {
    const acme = await as("acme");
    const flag = await createFlag(acme, {
      key: "new-checkout",
      value_type: "string",
      default_value: "old",
      rules: [
        { condition: { country: { $in: ["FR", "DE"] } }, rollout_percentage: 50, value: "new" },
        { value: "beta" },
      ],
    });
    expect(flag).toMatchObject({
      key: "new-checkout",
      value_type: "string",
      default_value: "old",
      enabled: true,
      description: null,
      rules: [
        { condition: { country: { $in: ["FR", "DE"] } }, rollout_percentage: 50, value: "new" },
        { rollout_percentage: 100, value: "beta" },
      ],
    });
    const [stored] = await rows(
      "SELECT org_id, value_type, default_value, enabled, rules FROM flags WHERE id = ?",
      flag.id,
    );
    expect(stored).toMatchObject({ org_id: "acme", value_type: "string", default_value: '"old"', enabled: 1 });
    expect(JSON.parse(String(stored?.rules))).toHaveLength(2);

    const audit = await history(flag.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: "tester@example.com", action: "created", org_id: "acme" });
    expect(JSON.parse(audit[0]?.changes ?? "{}")).toMatchObject({
      key: { from: null, to: "new-checkout" },
      value_type: { from: null, to: "string" },
      default_value: { from: null, to: "old" },
    });
  });

  it("refuses values of another type, naming each path, and stores nothing", async () => {
    const acme = await as("acme");
    const before = await count("flags");
    const res = await acme.post(`${BASE}/flags`, {
      key: "typed",
      value_type: "boolean",
      default_value: "yes",
      rules: [{ value: true }, { value: 1 }],
    });
    const problem = await expectProblem(res, 400);
    expect(problem.errors?.map((e) => e.path)).toEqual(["default_value", "rules.1.value"]);
    expect(await count("flags")).toBe(before);
    expect(await count("audit_log", "entity_type = 'flag'")).toBe(1);
  });

  it("names every bad path in one answer: wrong value types beside a bad rollout", async () => {
    // An outside walk: the rollout's 400 hid the value types, so a client fixed and resent twice.
    const acme = await as("acme");
    const problem = await expectProblem(
      await acme.post(`${BASE}/flags`, {
        key: "all-at-once",
        value_type: "boolean",
        default_value: "no",
        rules: [{ value: 1 }, { value: true, rollout_percentage: 33.333 }],
      }),
      400,
    );
    expect(problem.errors?.map((e) => e.path).sort()).toEqual([
      "default_value",
      "rules.0.value",
      "rules.1.rollout_percentage",
    ]);
    // A missing default is "required" alone, not also a type mismatch.
    const missing = await expectProblem(
      await acme.post(`${BASE}/flags`, { key: "no-default", value_type: "boolean", rules: [{ value: "x" }] }),
      400,
    );
    expect(missing.errors?.map((e) => e.path).sort()).toEqual(["default_value", "rules.0.value"]);
    expect(missing.errors?.find((e) => e.path === "default_value")?.message).toMatch(/^required/);
  });

  it("takes each value type; json takes any JSON value", async () => {
    const acme = await as("acme");
    await createFlag(acme, { key: "n", value_type: "number", default_value: 0, rules: [{ value: 2.5 }] });
    await createFlag(acme, {
      key: "j",
      value_type: "json",
      default_value: { a: 1 },
      rules: [{ value: [1, 2] }, { value: 3 }],
    });
    const res = await acme.post(`${BASE}/flags`, { key: "n2", value_type: "number", default_value: "3" });
    expect((await expectProblem(res, 400)).errors?.[0]?.path).toBe("default_value");
  });

  // Found by an outside probe: a null default went to D1 as SQL NULL and the NOT NULL column made it a 500.
  it("a json flag may default to null: stored as JSON null, read back, evaluated and patched like any value", async () => {
    const acme = await as("json-null");
    const flag = await createFlag(acme, { key: "jn", value_type: "json", default_value: null, rules: [] });
    expect(flag.default_value).toBeNull();
    const [stored] = await rows("SELECT default_value FROM flags WHERE id = ?", flag.id);
    expect(stored?.default_value).toBe("null");
    expect(await (await acme.get(`${BASE}/flags/${flag.id}`)).json()).toMatchObject({ default_value: null });
    const evaluated = await acme.post(`${BASE}/flags/evaluate`, { user_id: "u1", flags: ["jn"] });
    expect(await evaluated.json()).toEqual({ flags: { jn: { value: null, rule_index: null, reason: "default" } } });

    const changed = await acme.patch(`${BASE}/flags/${flag.id}`, { default_value: { on: true } });
    expect(await changed.json()).toMatchObject({ default_value: { on: true } });
    const back = await acme.patch(`${BASE}/flags/${flag.id}`, { default_value: null });
    expect(back.status).toBe(200);
    expect(await back.json()).toMatchObject({ default_value: null });
    expect(JSON.parse((await history(flag.id))[2]?.changes ?? "{}")).toEqual({
      default_value: { from: { on: true }, to: null },
    });
    // Any other type still refuses null.
    const res = await acme.post(`${BASE}/flags`, { key: "sn", value_type: "string", default_value: null });
    expect((await expectProblem(res, 400)).errors?.[0]?.path).toBe("default_value");
  });

  it("refuses a malformed condition, naming its path inside the rule, and stores nothing", async () => {
    const acme = await as("acme");
    const before = await count("flags");
    const cases: [unknown, string][] = [
      [{ country: { $bogus: 1 } }, "rules.1.condition.country.$bogus"],
      [{ $or: "FR" }, "rules.1.condition.$or"],
      [{ name: { $regex: "(a+)+$" } }, "rules.1.condition.name.$regex"],
    ];
    for (const [condition, path] of cases) {
      const res = await acme.post(`${BASE}/flags`, {
        key: "conditional",
        value_type: "boolean",
        default_value: false,
        rules: [{ value: true }, { condition, value: true }],
      });
      const problem = await expectProblem(res, 400);
      expect(problem.errors?.map((e) => e.path)).toContain(path);
    }
    expect(await count("flags")).toBe(before);
  });

  it("is strict: unknown fields, bad keys, rollouts outside 0-100 are 400 naming the field", async () => {
    const acme = await as("acme");
    const cases: [Record<string, unknown>, string][] = [
      [{ key: "a", value_type: "boolean", default_value: false, colour: "red" }, "colour"],
      [{ key: "A B", value_type: "boolean", default_value: false }, "key"],
      [{ key: "a", value_type: "date", default_value: false }, "value_type"],
      [
        { key: "a", value_type: "boolean", default_value: false, rules: [{ value: true, rollout_percentage: 101 }] },
        "rules.0.rollout_percentage",
      ],
      [
        { key: "a", value_type: "boolean", default_value: false, rules: [{ value: true, rollout_percentage: -0.01 }] },
        "rules.0.rollout_percentage",
      ],
      [
        // Hundredths only, as coverage: 33.333 is refused, not rounded to 33.33.
        { key: "a", value_type: "boolean", default_value: false, rules: [{ value: true, rollout_percentage: 33.333 }] },
        "rules.0.rollout_percentage",
      ],
      [{ key: "a", value_type: "boolean", default_value: false, rules: [{ value: true, extra: 1 }] }, "rules.0.extra"],
      [{ key: "a", value_type: "boolean" }, "default_value"],
    ];
    for (const [body, path] of cases) {
      const problem = await expectProblem(await acme.post(`${BASE}/flags`, body), 400);
      expect(problem.errors?.map((e) => e.path)).toContain(path);
    }
    expect(await rows("SELECT key FROM flags WHERE key = 'a'")).toEqual([]);
    const exact = await acme.post(`${BASE}/flags`, {
      key: "two-decimals",
      value_type: "boolean",
      default_value: false,
      rules: [{ value: true, rollout_percentage: 33.33 }],
    });
    expect(exact.status).toBe(201);
    expect(((await exact.json()) as { rules: { rollout_percentage: number }[] }).rules[0]?.rollout_percentage).toBe(
      33.33,
    );
  });

  it("answers 409 for a duplicate key within the org, and allows it in another org", async () => {
    const acme = await as("acme");
    const first = await createFlag(acme, { key: "dup", value_type: "boolean", default_value: false });
    const dup = await expectProblem(
      await acme.post(`${BASE}/flags`, { key: "dup", value_type: "boolean", default_value: true }),
      409,
    );
    expect(dup.type).toBe("urn:edge-experiments:problem:conflict");
    expect(dup.detail).toBe(`a flag with key "dup" already exists: GET ${BASE}/flags?key=dup`);
    const found = await (await acme.get(`${BASE}/flags?key=dup`)).json<{ items: FlagBody[] }>();
    expect(found.items.map((f) => f.id)).toEqual([first.id]);
    // A rename onto a taken key says the same.
    const other = await createFlag(acme, { key: "other", value_type: "boolean", default_value: false });
    const renamed = await expectProblem(await acme.patch(`${BASE}/flags/${other.id}`, { key: "dup" }), 409);
    expect(renamed.detail).toBe(dup.detail);
    await createFlag(await as("globex"), { key: "dup", value_type: "boolean", default_value: false });
  });

  it("needs the write scope", async () => {
    const token = await tokenFor("acme", "read assign");
    const res = await api(`${BASE}/flags`, { token, body: { key: "x", value_type: "boolean", default_value: false } });
    await expectProblem(res, 403);
  });
});

describe("GET /flags", () => {
  it("lists the org's flags newest first with a cursor, and hides other orgs' flags", async () => {
    const initech = await as("initech");
    const ids: string[] = [];
    for (const key of ["f1", "f2", "f3"])
      ids.push((await createFlag(initech, { key, value_type: "boolean", default_value: false })).id);
    const first = await (await initech.get(`${BASE}/flags?limit=2`)).json<{ items: FlagBody[]; next_cursor: string }>();
    expect(first.items.map((f) => f.key)).toEqual(["f3", "f2"]);
    const second = await (await initech.get(`${BASE}/flags?limit=2&cursor=${first.next_cursor}`)).json<{
      items: FlagBody[];
      next_cursor: string | null;
    }>();
    expect(second.items.map((f) => f.key)).toEqual(["f1"]);
    expect(second.next_cursor).toBeNull();
    expect((await initech.get(`${BASE}/flags/${ids[0]}`)).status).toBe(200);
    await expectProblem(await (await as("umbrella")).get(`${BASE}/flags/${ids[0]}`), 404);
  });
});

describe("PATCH /flags/:id", () => {
  it("records the actor and exactly the changed fields, in the same batch", async () => {
    const acme = await as("acme");
    const flag = await createFlag(acme, { key: "patchme", value_type: "number", default_value: 1 });
    const editor = await tokenFor("acme", "write read", "alice@example.com");
    const res = await api(`${BASE}/flags/${flag.id}`, {
      token: editor,
      method: "PATCH",
      body: { default_value: 2, enabled: false, rules: [{ value: 3, rollout_percentage: 10 }], description: null },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      default_value: 2,
      enabled: false,
      rules: [{ value: 3, rollout_percentage: 10 }],
    });
    const audit = await history(flag.id);
    expect(audit.map((a) => [a.actor, a.action])).toEqual([
      ["tester@example.com", "created"],
      ["alice@example.com", "updated"],
    ]);
    expect(JSON.parse(audit[1]?.changes ?? "{}")).toEqual({
      default_value: { from: 1, to: 2 },
      enabled: { from: true, to: false },
      rules: { from: [], to: [{ value: 3, rollout_percentage: 10 }] },
    });

    // The same body again changes nothing and records nothing.
    await api(`${BASE}/flags/${flag.id}`, { token: editor, method: "PATCH", body: { default_value: 2 } });
    expect(await history(flag.id)).toHaveLength(2);
  });

  it("re-checks kept values against a new value_type, and leaves the flag untouched when they do not fit", async () => {
    const acme = await as("acme");
    const flag = await createFlag(acme, {
      key: "retype",
      value_type: "boolean",
      default_value: false,
      rules: [{ value: true }],
    });
    const problem = await expectProblem(await acme.patch(`${BASE}/flags/${flag.id}`, { value_type: "string" }), 400);
    expect(problem.errors?.map((e) => e.path)).toEqual(["default_value", "rules.0.value"]);
    const [stored] = await rows("SELECT value_type FROM flags WHERE id = ?", flag.id);
    expect(stored?.value_type).toBe("boolean");
    expect(await history(flag.id)).toHaveLength(1);

    const ok = await acme.patch(`${BASE}/flags/${flag.id}`, { value_type: "string", default_value: "off", rules: [] });
    expect(ok.status).toBe(200);
  });

  it("a write that loses its guard (stale read) changes nothing and leaves no history row", async () => {
    const acme = await as("acme");
    const flag = await createFlag(acme, { key: "raced", value_type: "boolean", default_value: false });
    const stale = Date.parse(flag.updated_at) - 1;
    const entry = {
      orgId: "acme",
      entityType: "flag" as const,
      entityId: flag.id,
      at: 1,
      actor: "x",
      action: "updated" as const,
      changes: {},
    };
    const applied = await updateFlag(createDb(env.DB), "acme", flag.id, stale, { enabled: false, updatedAt: 2 }, entry);
    expect(applied).toBe(false);
    expect(await history(flag.id)).toHaveLength(1);
    const fresh = Date.parse(flag.updated_at);
    expect(
      await updateFlag(createDb(env.DB), "acme", flag.id, fresh, { enabled: false, updatedAt: fresh + 1 }, entry),
    ).toBe(true);
    expect((await history(flag.id)).map((a) => a.actor)).toEqual(["tester@example.com", "x"]);
  });

  it("refuses unknown fields and another org's flag", async () => {
    const acme = await as("acme");
    const flag = await createFlag(acme, { key: "strict", value_type: "boolean", default_value: false });
    await expectProblem(await acme.patch(`${BASE}/flags/${flag.id}`, { status: "on" }), 400);
    await expectProblem(await (await as("globex")).patch(`${BASE}/flags/${flag.id}`, { enabled: false }), 404);
  });
});

describe("GET /flags/:id with a key", () => {
  it("is a 404 that says the route takes the id", async () => {
    const acme = await as("acme");
    await createFlag(acme, { key: "by-key", value_type: "boolean", default_value: true });
    const problem = await expectProblem(await acme.get(`${BASE}/flags/by-key`), 404);
    expect(problem.detail).toBe(
      "flag not found (this route takes the flag's id, not its key; GET /api/v1/ab-testing/flags?key=<key> finds it by key)",
    );
  });
});

describe("DELETE /flags/:id and GET /flags/:id/history", () => {
  it("deletes with a history row, and the history stays readable to the org only", async () => {
    const acme = await as("acme");
    const flag = await createFlag(acme, { key: "doomed", value_type: "boolean", default_value: true });
    await acme.patch(`${BASE}/flags/${flag.id}`, { enabled: false });
    expect((await acme.delete(`${BASE}/flags/${flag.id}`)).status).toBe(204);
    expect(await count("flags", "id = ?", flag.id)).toBe(0);
    await expectProblem(await acme.delete(`${BASE}/flags/${flag.id}`), 404);

    const res = await acme.get(`${BASE}/flags/${flag.id}/history?limit=2`);
    expect(res.status).toBe(200);
    const page = await res.json<{
      items: { at: string; actor: string; action: string; changes: Record<string, unknown> }[];
      next_cursor: string;
    }>();
    expect(page.items.map((i) => i.action)).toEqual(["deleted", "updated"]);
    expect(page.items[0]?.changes).toMatchObject({ key: { from: "doomed", to: null } });
    expect(page.items[1]?.changes).toEqual({ enabled: { from: true, to: false } });
    const rest = await (await acme.get(`${BASE}/flags/${flag.id}/history?cursor=${page.next_cursor}`)).json<{
      items: { action: string }[];
      next_cursor: string | null;
    }>();
    expect(rest.items.map((i) => i.action)).toEqual(["created"]);
    expect(rest.next_cursor).toBeNull();

    await expectProblem(await (await as("globex")).get(`${BASE}/flags/${flag.id}/history`), 404);
    await expectProblem(await acme.get(`${BASE}/flags/flg_nope/history`), 404);
    await expectProblem(await acme.get(`${BASE}/flags/${flag.id}/history?cursor=bogus`), 400);
  });
});
