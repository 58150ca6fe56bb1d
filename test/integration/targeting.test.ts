import { describe, expect, it } from "vitest";
import { namespaceBucket } from "../../src/evaluation/bucketing";
import { as, expectProblem } from "../helpers";
import { BASE, count, createExperiment, rows, twoVariants } from "./experiments-fixtures";

type Client = Awaited<ReturnType<typeof as>>;
interface Answer {
  variant_key: string;
  in_experiment: boolean;
  reason: string | null;
}

async function running(client: Client, body: Record<string, unknown>) {
  const e = await createExperiment(client, { experiment_name: String(body.key), variants: twoVariants(), ...body });
  expect((await client.post(`${BASE}/experiments/${e.id}/start`)).status).toBe(200);
  return e;
}

const assign = async (client: Client, id: string, body: Record<string, unknown>): Promise<Answer> =>
  (await client.post(`${BASE}/experiments/${id}/assign`, body)).json();

describe("targeting and namespaces on experiments", () => {
  it("a user failing targeting gets the control with reason targeting and is not exposed", async () => {
    const acme = await as("acme");
    const e = await running(acme, { key: "fr-only", targeting: { country: "FR", "app.version": { $vgte: "2.0.0" } } });
    const out = await assign(acme, e.id, { user_id: "u1", attributes: { country: "DE", app: { version: "3.1.0" } } });
    expect(out).toMatchObject({ variant_key: "control", in_experiment: false, reason: "targeting" });
    const none = await assign(acme, e.id, { user_id: "u1" });
    expect(none.reason).toBe("targeting");
    const inside = await assign(acme, e.id, {
      user_id: "u2",
      attributes: { country: "FR", app: { version: "2.10.1" } },
    });
    expect(inside).toMatchObject({ in_experiment: true, reason: null });
    // attributes.id defaults to user_id.
    const byId = await running(acme, { key: "by-id", targeting: { id: "vip" } });
    expect((await assign(acme, byId.id, { user_id: "vip" })).in_experiment).toBe(true);
    expect((await assign(acme, byId.id, { user_id: "other" })).reason).toBe("targeting");
  });

  it("two experiments in one namespace with disjoint ranges never share a user", async () => {
    const acme = await as("acme");
    const left = await running(acme, { key: "ns-left", namespace: { key: "checkout", start: 0, end: 0.5 } });
    const right = await running(acme, { key: "ns-right", namespace: { key: "checkout", start: 0.5, end: 1 } });
    for (let i = 0; i < 60; i++) {
      const user_id = `ns-${i}`;
      const res = await acme.post(`${BASE}/assign`, { user_id, experiments: ["ns-left", "ns-right"] });
      const { assignments } = await res.json<{ assignments: (Answer & { experiment_key: string })[] }>();
      const inLeft = namespaceBucket(user_id, "checkout") < 0.5;
      expect(assignments.map((a) => [a.experiment_key, a.in_experiment, a.reason])).toEqual([
        ["ns-left", inLeft, inLeft ? null : "namespace"],
        ["ns-right", !inLeft, inLeft ? "namespace" : null],
      ]);
    }
    void left;
    void right;
  });

  it("refuses a malformed condition or namespace when saved, naming the path", async () => {
    const acme = await as("acme");
    const cases: [Record<string, unknown>, string][] = [
      [{ targeting: { country: { $nope: 1 } } }, "targeting.country.$nope"],
      [{ namespace: { key: "x", start: 0.5, end: 0.5 } }, "namespace.end"],
      [{ namespace: { key: "x", start: -0.1, end: 0.5 } }, "namespace.start"],
      [{ scheduled_start_at: 1_900_000_000_000, scheduled_end_at: 1_800_000_000_000 }, "scheduled_end_at"],
    ];
    for (const [extra, path] of cases) {
      const res = await acme.post(`${BASE}/experiments`, { key: "bad", experiment_name: "Bad", ...extra });
      expect((await expectProblem(res, 400)).errors?.map((e) => e.path)).toContain(path);
    }
    expect(await count("experiments", "key = 'bad'")).toBe(0);
  });

  // From an outside hostile-requests check: a z.record copy dropped an own "__proto__" key, so a
  // rule for `plan: pro` was stored as `{}` and gave its value to everyone. JSON.parse makes the
  // bodies below hold "__proto__" as an own key, as a client's JSON does.
  it("refuses a __proto__ key in a condition instead of storing the condition without it", async () => {
    const acme = await as("acme");
    const body = (json: string) => JSON.parse(json) as Record<string, unknown>;
    const flagRes = await acme.post(
      `${BASE}/flags`,
      body(
        '{"key":"proto-rule","value_type":"boolean","default_value":false,"rules":[{"condition":{"__proto__":{"plan":"pro"}},"value":true}]}',
      ),
    );
    expect((await expectProblem(flagRes, 400)).errors?.map((e) => e.path)).toEqual(["rules.0.condition.__proto__"]);
    expect(await count("flags", "key = 'proto-rule'")).toBe(0);

    const expRes = await acme.post(
      `${BASE}/experiments`,
      body('{"key":"proto-exp","experiment_name":"P","targeting":{"__proto__":{"$regex":"("},"country":"FR"}}'),
    );
    expect((await expectProblem(expRes, 400)).errors?.map((e) => e.path)).toEqual(["targeting.__proto__"]);
    expect(await count("experiments", "key = 'proto-exp'")).toBe(0);

    const e = await running(acme, { key: "proto-patch", targeting: { country: "FR" } });
    const patch = await acme.patch(`${BASE}/experiments/${e.id}`, body('{"targeting":{"__proto__":{"$exists":true}}}'));
    expect((await expectProblem(patch, 400)).errors?.map((x) => x.path)).toEqual(["targeting.__proto__"]);
    const [stored] = await rows<{ targeting: string }>("SELECT targeting FROM experiments WHERE id = ?", e.id);
    expect(JSON.parse(String(stored?.targeting))).toEqual({ country: "FR" });
  });

  // From an outside fuzz: JSON's 1e999 parses as Infinity, which the stored JSON says as null, so this
  // rule for `n` above everything was saved as {"n":{"$lt":null}} (never matching) and {"n":1e999}
  // as {"n":null}, a rule for every user without `n`. Sent as text: a client's JSON.stringify would
  // already have written null.
  it("refuses a non-finite number in a condition instead of storing null in its place", async () => {
    const acme = await as("acme");
    const flagRes = await acme.postRaw(
      `${BASE}/flags`,
      '{"key":"inf-rule","value_type":"boolean","default_value":false,"rules":[{"condition":{"n":{"$lt":1e999}},"value":true}]}',
    );
    expect((await expectProblem(flagRes, 400)).errors?.map((e) => e.path)).toEqual(["rules.0.condition.n.$lt"]);
    expect(await count("flags", "key = 'inf-rule'")).toBe(0);
    const expRes = await acme.postRaw(
      `${BASE}/experiments`,
      '{"key":"inf-exp","experiment_name":"I","targeting":{"n":-1e999}}',
    );
    expect((await expectProblem(expRes, 400)).errors?.map((e) => e.path)).toEqual(["targeting.n"]);
    expect(await count("experiments", "key = 'inf-exp'")).toBe(0);
  });

  it("targeting may change while running, recorded in the history; the namespace may not", async () => {
    const acme = await as("acme");
    const e = await running(acme, {
      key: "retarget",
      targeting: { plan: "pro" },
      namespace: { key: "n", start: 0, end: 1 },
    });
    const res = await acme.patch(`${BASE}/experiments/${e.id}`, { targeting: { plan: { $in: ["pro", "team"] } } });
    expect(res.status).toBe(200);
    expect((await assign(acme, e.id, { user_id: "t1", attributes: { plan: "team" } })).in_experiment).toBe(true);
    await expectProblem(
      await acme.patch(`${BASE}/experiments/${e.id}`, { namespace: { key: "n", start: 0, end: 0.5 } }),
      409,
    );
    const history = await rows<{ action: string; changes: string }>(
      "SELECT action, changes FROM audit_log WHERE entity_id = ? ORDER BY id",
      e.id,
    );
    expect(history.map((h) => h.action)).toEqual(["created", "started", "updated"]);
    expect(JSON.parse(history[2]?.changes ?? "{}")).toEqual({
      targeting: { from: { plan: "pro" }, to: { plan: { $in: ["pro", "team"] } } },
    });
  });
});
