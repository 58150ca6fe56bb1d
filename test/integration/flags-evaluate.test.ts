import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import app from "../../src/app";
import { inRollout } from "../../src/evaluation/bucketing";
import type { Env } from "../../src/env";
import { as, expectProblem, tokenFor } from "../helpers";
import { BASE } from "./experiments-fixtures";

type Client = Awaited<ReturnType<typeof as>>;
interface Evaluated {
  flags: Record<string, { value: unknown; rule_index: number | null; reason: string }>;
}

async function createFlag(client: Client, body: Record<string, unknown>): Promise<{ id: string }> {
  const res = await client.post(`${BASE}/flags`, body);
  if (res.status !== 201) throw new Error(`create flag: ${res.status} ${await res.text()}`);
  return res.json();
}

const evaluate = async (client: Client, body: Record<string, unknown>): Promise<Evaluated> => {
  const res = await client.post(`${BASE}/flags/evaluate`, body);
  if (res.status !== 200) throw new Error(`evaluate: ${res.status} ${await res.text()}`);
  return res.json();
};

/** Users in and out of a flag's rollout, found with the published bucketing (docs/contract.md). */
function usersBy(flagKey: string, pct: number, inside: boolean, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) if (inRollout(flagKey, `user-${i}`, pct) === inside) out.push(`user-${i}`);
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe("POST /flags/evaluate", () => {
  it("gives the first rule that matches and holds the user, else the default, with rule_index and reason", async () => {
    const acme = await as("acme");
    await createFlag(acme, {
      key: "checkout",
      value_type: "string",
      default_value: "old",
      rules: [
        { condition: { country: { $in: ["FR", "DE"] }, plan: "pro" }, value: "pro-eu" },
        { condition: { "device.os": { $regex: "^ios" } }, rollout_percentage: 30, value: "ios-30" },
        { condition: { id: "vip-1" }, value: "vip" },
      ],
    });
    await createFlag(acme, {
      key: "off",
      value_type: "boolean",
      default_value: false,
      enabled: false,
      rules: [{ value: true }],
    });

    const pro = await evaluate(acme, { user_id: "u1", attributes: { country: "FR", plan: "pro" } });
    expect(pro.flags.checkout).toEqual({ value: "pro-eu", rule_index: 0, reason: "rule" });
    expect(pro.flags.off).toEqual({ value: false, rule_index: null, reason: "disabled" });

    const [inside] = usersBy("checkout", 30, true, 1);
    const [outside] = usersBy("checkout", 30, false, 1);
    const ios = { device: { os: "ios17" } };
    expect((await evaluate(acme, { user_id: inside, attributes: ios, flags: ["checkout"] })).flags).toEqual({
      checkout: { value: "ios-30", rule_index: 1, reason: "rule" },
    });
    expect((await evaluate(acme, { user_id: outside, attributes: ios, flags: ["checkout"] })).flags.checkout).toEqual({
      value: "old",
      rule_index: null,
      reason: "default",
    });
    // attributes.id defaults to user_id.
    expect((await evaluate(acme, { user_id: "vip-1", flags: ["checkout"] })).flags.checkout?.value).toBe("vip");
    // Unknown names are answered, not failed.
    expect((await evaluate(acme, { user_id: "u1", flags: ["nope"] })).flags).toEqual({
      nope: { value: null, rule_index: null, reason: "not_found" },
    });
  });

  it("raising a rollout keeps every user who had the value", async () => {
    const acme = await as("acme");
    const flag = await createFlag(acme, {
      key: "rollout",
      value_type: "boolean",
      default_value: false,
      rules: [{ rollout_percentage: 10, value: true }],
    });
    const users = Array.from({ length: 200 }, (_, i) => `r-${i}`);
    const on = async () => {
      const got = new Set<string>();
      for (const user_id of users) {
        if ((await evaluate(acme, { user_id, flags: ["rollout"] })).flags.rollout?.value === true) got.add(user_id);
      }
      return got;
    };
    const at10 = await on();
    expect(at10.size).toBeGreaterThan(10);
    expect(at10.size).toBeLessThan(60);
    // The change lands at once in this isolate (the cache drops the org on write).
    expect(
      (await acme.patch(`${BASE}/flags/${flag.id}`, { rules: [{ rollout_percentage: 50, value: true }] })).status,
    ).toBe(200);
    const at50 = await on();
    for (const user of at10) expect(at50.has(user)).toBe(true);
    expect(at50.size).toBeGreaterThan(at10.size);
  });

  it("is validated: user_id required, attributes an object, flags a list of keys; scope assign", async () => {
    const acme = await as("acme");
    for (const [body, path] of [
      [{}, "user_id"],
      [{ user_id: "u", attributes: [1] }, "attributes"],
      [{ user_id: "u", flags: ["Not A Key"] }, "flags.0"],
      [{ user_id: "u", extra: 1 }, "extra"],
    ] as const) {
      const problem = await expectProblem(await acme.post(`${BASE}/flags/evaluate`, body), 400);
      expect(problem.errors?.map((e) => e.path)).toContain(path);
    }
    const reader = await tokenFor("acme", "read");
    const res = await app.request(
      `https://edge.test${BASE}/flags/evaluate`,
      {
        method: "POST",
        headers: { Authorization: `Bearer ${reader}`, "Content-Type": "application/json" },
        body: '{"user_id":"u"}',
      },
      env,
      createExecutionContext(),
    );
    await expectProblem(res, 403);
  });

  it("a warm isolate evaluates flags and serves them in GET /config without touching D1", async () => {
    const org = "flag-cache";
    const client = await as(org);
    await createFlag(client, {
      key: "cached",
      value_type: "number",
      default_value: 1,
      rules: [{ value: 2, rollout_percentage: 100 }],
    });
    const token = await tokenFor(org);
    const call = async (e: Env, path: string, body?: unknown) => {
      const ctx = createExecutionContext();
      const res = await app.request(
        `https://edge.test${path}`,
        {
          method: body === undefined ? "GET" : "POST",
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        },
        e,
        ctx,
      );
      await waitOnExecutionContext(ctx);
      return res;
    };
    const real = env as Env;
    const warm = await call(real, `${BASE}/config`);
    const etag = warm.headers.get("ETag");
    const config = await warm.json<{ flags: { key: string; rules: unknown[] }[] }>();
    expect(config.flags.map((f) => f.key)).toEqual(["cached"]);

    const attempted: string[] = [];
    const fail = (what: string) => {
      attempted.push(what);
      throw new Error("D1_ERROR: simulated outage");
    };
    const broken = { ...real, DB: { prepare: fail, batch: () => fail("batch"), exec: fail } as unknown as D1Database };
    vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await call(broken, `${BASE}/flags/evaluate`, { user_id: "u", flags: ["cached"] });
    expect(await res.json()).toEqual({ flags: { cached: { value: 2, rule_index: 0, reason: "rule" } } });
    expect((await call(broken, `${BASE}/config`)).headers.get("ETag")).toBe(etag);
    expect(attempted).toEqual([]);

    // A flag change in this isolate changes the config and its ETag at once.
    const id = (await (await client.get(`${BASE}/flags`)).json<{ items: { id: string }[] }>()).items[0]?.id;
    await client.patch(`${BASE}/flags/${id}`, { default_value: 3 });
    const after = await call(real, `${BASE}/config`, undefined);
    expect(after.headers.get("ETag")).not.toBe(etag);
    const revalidated = await call(real, `${BASE}/config`);
    expect(revalidated.headers.get("ETag")).toBe(after.headers.get("ETag"));
  });
});
