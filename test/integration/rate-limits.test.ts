import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import app from "../../src/app";
import type { Env } from "../../src/env";
import { assignLimiter } from "../../src/http/rate-limit";
import { api, expectProblem, rawToken, tokenFor } from "../helpers";
import { seedExperiment } from "./assignment-fixtures";

// The real limiter binding runs with the test budget of vitest.config.ts (AUTH_FAILURE_LIMITER 300
// calls per 60 s) and the matching AUTH_FAILURE_LIMIT_PERIOD_SECONDS var ("60").
// The limiter's window is aligned to the wall clock, so a run that straddles a window boundary
// needs up to twice the budget: each loop allows that much before it gives up.
const A = "/api/v1/ab-testing";

/** Sends `batch` requests at a time until one answers 429; returns it, or null after `max`. */
async function until429(send: () => Promise<Response>, max: number, batch: number): Promise<Response | null> {
  for (let sent = 0; sent < max; sent += batch) {
    const answers = await Promise.all(Array.from({ length: batch }, send));
    const limited = answers.find((r) => r.status === 429) ?? null;
    for (const r of answers) if (r !== limited) await r.body?.cancel();
    if (limited) return limited;
  }
  return null;
}

describe("failed-authentication rate limit (AUTH_FAILURE_LIMITER, keyed by client address)", () => {
  it("refused tokens from one address turn into 429 with Retry-After; valid tokens and other addresses are unaffected", async () => {
    const prober = { "CF-Connecting-IP": "203.0.113.7" };
    const forged = await rawToken(
      { sub: "x", org: "victim", scope: "read" },
      { secret: "not-the-real-secret-0123456789", exp: 4_000_000_000 },
    );
    const limited = await until429(() => api("/api/v1/me", { token: forged, headers: prober }), 2 * 300 + 50, 50);
    expect(limited).not.toBeNull();
    const problem = await expectProblem(limited as Response, 429);
    expect(problem.type).toBe("urn:edge-experiments:problem:rate-limited");
    expect(problem.detail).toBe("too many failed authentications from this address");
    expect((limited as Response).headers.get("Retry-After")).toBe("60");
    // Every further forgery from that address is refused the same way, on any route.
    await expectProblem(await api(`${A}/experiments`, { token: forged, headers: prober }), 429);
    // A valid token from the same address (a shared NAT) still works: only failures are counted.
    const ok = await api("/api/v1/me", { token: await tokenFor("victim", "read"), headers: prober });
    expect(ok.status).toBe(200);
    // Another address still gets the plain 401.
    await expectProblem(
      await api("/api/v1/me", { token: forged, headers: { "CF-Connecting-IP": "198.51.100.9" } }),
      401,
    );
    // A missing token costs nothing to refuse and is not counted: still 401, not 429.
    await expectProblem(await api("/api/v1/me", { headers: prober }), 401);
  }, 120_000);
});

describe("failed-authentication rate limit on the WebSocket upgrade", () => {
  it("counts refused bearer tokens and tickets of GET /ws like any route's: 429 once spent", async () => {
    const prober = { "CF-Connecting-IP": "203.0.113.44", Upgrade: "websocket" };
    const forged = await rawToken(
      { sub: "x", org: "victim", scope: "read" },
      { secret: "not-the-real-secret-0123456789", exp: 4_000_000_000 },
    );
    const ws = (query: string, headers: Record<string, string>) =>
      SELF.fetch(`https://edge.test/api/v1/streaming-analytics/ws${query}`, { headers: { ...prober, ...headers } });
    const limited = await until429(() => ws("", { Authorization: `Bearer ${forged}` }), 2 * 300 + 50, 50);
    expect(limited).not.toBeNull();
    expect((await expectProblem(limited as Response, 429)).detail).toBe(
      "too many failed authentications from this address",
    );
    // A forged ticket from that address is refused the same way.
    await expectProblem(await ws(`?ticket=${forged}`, {}), 429);
    // Another address still gets the plain 401.
    await expectProblem(await ws("", { Authorization: `Bearer ${forged}`, "CF-Connecting-IP": "198.51.100.44" }), 401);
  }, 120_000);
});

// The app is called directly with an env whose ASSIGN_LIMITER is the real binding with a budget of
// 10 units per 60 s (ASSIGN_LIMITER_SMALL in vitest.config.ts) and ASSIGN_LIMIT_BATCH 5, so the
// budget is 50 calls. Each call waits for its waitUntil work: that is the sentinel telling the
// background consult has answered before the next call, without sleeping.
describe("assignment rate limit (ASSIGN_LIMITER, per organization, consulted once per batch of calls)", () => {
  const BATCH = 5;
  const UNITS = 10;
  const small = {
    ...env,
    ASSIGN_LIMITER: (env as unknown as { ASSIGN_LIMITER_SMALL: RateLimit }).ASSIGN_LIMITER_SMALL,
  };
  const limitedEnv = { ...small, ASSIGN_LIMIT_BATCH: String(BATCH) } as Env;

  let clock = Date.UTC(2026, 5, 1);
  afterEach(() => assignLimiter.useClock(Date.now));

  async function call(org: string, path: string, body: unknown): Promise<Response> {
    const ctx = createExecutionContext();
    const res = await app.request(
      `https://edge.test${A}${path}`,
      {
        method: "POST",
        headers: { Authorization: `Bearer ${await tokenFor(org, "assign")}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      },
      limitedEnv,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(assignLimiter.pending).toBe(0);
    return res;
  }

  it("over budget: 429 problem with Retry-After on every assign route of that org; others unaffected; it lifts after a period", async () => {
    assignLimiter.useClock(() => clock);
    const org = "assign-flood";
    const exp = await seedExperiment({ org, key: "flood" });
    await seedExperiment({ org: "assign-calm", key: "calm" });

    // Under budget every call is answered; the first 429 comes right after a consult the limiter
    // refused, so the calls admitted before it are a whole number of batches, at least the budget.
    // (A run straddling the limiter's wall-clock window gets up to twice the budget.)
    let admitted = 0;
    let limited: Response | null = null;
    for (let i = 0; i < 2 * (UNITS + 1) * BATCH + BATCH && !limited; i++) {
      const res = await call(org, "/assign", { user_id: `u${i}` });
      if (res.status === 429) limited = res;
      else {
        expect(res.status, await res.clone().text()).toBe(200);
        expect(((await res.json()) as { assignments: unknown[] }).assignments).toHaveLength(1);
        admitted += 1;
      }
    }
    expect(limited).not.toBeNull();
    expect(admitted % BATCH).toBe(0);
    expect(admitted).toBeGreaterThanOrEqual(UNITS * BATCH);
    const problem = await expectProblem(limited as Response, 429);
    expect(problem.type).toBe("urn:edge-experiments:problem:rate-limited");
    expect(problem.detail).toBe("assignment rate limit exceeded for this organization");
    expect((limited as Response).headers.get("Retry-After")).toBe("60");

    // Refused at once on the org's other assignment routes, with the time left.
    clock += 20_000;
    const one = await call(org, `/experiments/${exp.id}/assign`, { user_id: "u-one" });
    expect(one.headers.get("Retry-After")).toBe("40");
    expect((await expectProblem(one, 429)).detail).toBe("assignment rate limit exceeded for this organization");
    await expectProblem(await call(org, "/flags/evaluate", { user_id: "u-flags" }), 429);

    // Another organization under its budget is answered.
    const calm = await call("assign-calm", "/assign", { user_id: "u1" });
    expect(calm.status).toBe(200);

    // One period after the refusal the org is admitted again.
    clock += 40_000;
    expect((await call(org, "/assign", { user_id: "u-later" })).status).toBe(200);
  });
});

// A limiter binding that fails (an outage; in the test runtime, abortAllDurableObjects() makes the
// simulated binding throw) admits the request, as the batched assignment limiter already did: before,
// the error reached the app's handler and every ingest and every refused token was a 500.
describe("a failing limiter binding admits, never a 500", () => {
  const down = { limit: () => Promise.reject(new Error("limiter down")) } as unknown as RateLimit;
  const downEnv = { ...env, INGEST_LIMITER: down, AUTH_FAILURE_LIMITER: down } as Env;
  const S = "/api/v1/streaming-analytics";

  async function send(path: string, init: RequestInit): Promise<Response> {
    const ctx = createExecutionContext();
    const res = await app.request(`https://edge.test${path}`, init, downEnv, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  }

  it("ingestion is accepted and stored", async () => {
    const token = await tokenFor("limiter-down", "ingest read");
    const res = await send(`${S}/events`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ events: [{ event_type: "kept" }] }),
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const dashboard = await send(`${S}/dashboard`, { headers: { Authorization: `Bearer ${token}` } });
    expect(((await dashboard.json()) as { events: { total: number } }).events.total).toBe(1);
  });

  it("a refused token is still a 401, not a 500", async () => {
    const res = await send("/api/v1/me", { headers: { Authorization: "Bearer not-a-jwt" } });
    await expectProblem(res, 401);
  });
});
