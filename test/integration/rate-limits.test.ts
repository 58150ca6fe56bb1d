import { describe, expect, it } from "vitest";
import { api, expectProblem, rawToken, tokenFor } from "../helpers";

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
