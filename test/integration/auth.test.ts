import { env } from "cloudflare:test";
import { base64url } from "jose";
import { describe, expect, it } from "vitest";
import { api, expectProblem, rawToken, tokenFor } from "../helpers";

const now = () => Math.floor(Date.now() / 1000);

describe("auth matrix on GET /api/v1/me (scope read)", () => {
  it("answers the principal for a valid token", async () => {
    const res = await api("/api/v1/me", { token: await tokenFor("acme", "read write") });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: "tester@example.com", org: "acme", scopes: ["read", "write"] });
  });

  const cases: { name: string; header?: () => Promise<string>; status: 401 | 403; detail: RegExp }[] = [
    { name: "no token", status: 401, detail: /^missing bearer token: send Authorization: Bearer <token>$/ },
    // A header that is there but not "Bearer <token>" is told what shape to send, not that it is missing.
    {
      name: "not a bearer scheme",
      header: async () => "Basic dXNlcjpwYXNz",
      status: 401,
      detail: /^the Authorization header must be 'Bearer <token>'/,
    },
    {
      name: "a token sent without the Bearer scheme",
      header: async () => tokenFor("acme", "read"),
      status: 401,
      detail: /^the Authorization header must be 'Bearer <token>'/,
    },
    {
      name: "the Bearer scheme without a token",
      header: async () => "Bearer ",
      status: 401,
      detail: /^the Authorization header must be 'Bearer <token>'/,
    },
    { name: "malformed token", header: async () => "Bearer not.a.jwt", status: 401, detail: /malformed/ },
    {
      name: "wrong signature",
      header: async () =>
        `Bearer ${await rawToken({ sub: "x", org: "acme", scope: "read" }, { secret: "another-secret-of-enough-length", exp: now() + 60 })}`,
      status: 401,
      detail: /signature/,
    },
    {
      name: "expired beyond the clock-skew allowance",
      header: async () => `Bearer ${await rawToken({ sub: "x", org: "acme", scope: "read" }, { exp: now() - 120 })}`,
      status: 401,
      detail: /expired/,
    },
    {
      name: "missing exp",
      header: async () => `Bearer ${await rawToken({ sub: "x", org: "acme", scope: "read" })}`,
      status: 401,
      detail: /exp/,
    },
    {
      name: "org claim with illegal characters",
      header: async () =>
        `Bearer ${await rawToken({ sub: "x", org: "acme corp!", scope: "read" }, { exp: now() + 60 })}`,
      status: 401,
      detail: /org/,
    },
    {
      name: "org claim too long",
      header: async () =>
        `Bearer ${await rawToken({ sub: "x", org: "a".repeat(65), scope: "read" }, { exp: now() + 60 })}`,
      status: 401,
      detail: /org/,
    },
    {
      name: "org claim missing",
      header: async () => `Bearer ${await rawToken({ sub: "x", scope: "read" }, { exp: now() + 60 })}`,
      status: 401,
      detail: /org/,
    },
    {
      name: "alg none",
      header: async () => {
        const enc = (o: object) => base64url.encode(JSON.stringify(o));
        return `Bearer ${enc({ alg: "none", typ: "JWT" })}.${enc({ sub: "x", org: "acme", scope: "read", exp: now() + 60 })}.`;
      },
      status: 401,
      detail: /./,
    },
    {
      name: "valid token without the read scope",
      // Listed in the scopes' own order, whatever the claim's; the token itself is never echoed.
      header: async () => `Bearer ${await tokenFor("acme", "assign ingest")}`,
      status: 403,
      detail:
        /^this route needs the 'read' scope; this token has: ingest assign\. Ask your token issuer for one that also has it\.$/,
    },
    {
      name: "valid token with no known scope",
      header: async () =>
        `Bearer ${await rawToken({ sub: "x", org: "beta-1", scope: "superuser" }, { exp: now() + 60 })}`,
      status: 403,
      detail: /^this route needs the 'read' scope; this token has none\. Ask your token issuer for one that has it\.$/,
    },
  ];

  it.each(cases)("$name -> $status", async ({ header, status, detail }) => {
    const res = await api("/api/v1/me", { headers: header ? { Authorization: await header() } : {} });
    const problem = await expectProblem(res, status);
    expect(problem.detail).toMatch(detail);
    if (status === 401) expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
  });

  it("accepts a token expired within the clock-skew allowance", async () => {
    const token = await rawToken({ sub: "x", org: "acme", scope: "read" }, { exp: now() - 5 });
    expect((await api("/api/v1/me", { token })).status).toBe(200);
  });

  it("checks issuer and audience when they are configured", async () => {
    const { default: app } = await import("../../src/app");
    const strict = { ...env, JWT_ISSUER: "https://issuer.test", JWT_AUDIENCE: "edge-api" };
    const call = (token: string) =>
      app.request("/api/v1/me", { headers: { Authorization: `Bearer ${token}` } }, strict);
    const good = await rawToken(
      { sub: "x", org: "acme", scope: "read", iss: "https://issuer.test", aud: "edge-api" },
      { exp: now() + 60 },
    );
    const wrongIss = await rawToken(
      { sub: "x", org: "acme", scope: "read", iss: "https://evil.test", aud: "edge-api" },
      { exp: now() + 60 },
    );
    const wrongAud = await rawToken(
      { sub: "x", org: "acme", scope: "read", iss: "https://issuer.test", aud: "other" },
      { exp: now() + 60 },
    );
    expect((await call(good)).status).toBe(200);
    expect((await expectProblem(await call(wrongIss), 401)).detail).toMatch(/iss/);
    expect((await expectProblem(await call(wrongAud), 401)).detail).toMatch(/aud/);
  });
});

describe("clock tolerance (as docs/operations.md states it)", () => {
  // Times are handed to verifyToken, not read from the clock. T is any whole second.
  const T = 1_900_000_000;
  const cases: { name: string; claims: Record<string, number>; atMs: number; refused?: string }[] = [
    { name: "exp: accepted in the 30 s after it", claims: { exp: T }, atMs: (T + 30) * 1000 - 1 },
    { name: "exp: refused from 30 s after it", claims: { exp: T }, atMs: (T + 30) * 1000, refused: "token expired" },
    { name: "nbf: accepted from 30 s before it", claims: { exp: T + 600, nbf: T }, atMs: (T - 30) * 1000 },
    {
      name: "nbf: refused earlier",
      claims: { exp: T + 600, nbf: T },
      atMs: (T - 30) * 1000 - 1,
      refused: "token claim 'nbf' is invalid",
    },
    { name: "iat: not checked, even an hour ahead", claims: { exp: T + 600, iat: T + 3600 }, atMs: T * 1000 },
  ];
  it.each(cases)("$name", async ({ name, claims, atMs, refused }) => {
    const { verifyToken } = await import("../../src/http/auth");
    const { getConfig } = await import("../../src/config");
    // A sub of its own per case: the verified-token cache never serves one case's token to another.
    const token = await rawToken({ sub: name, org: "acme", scope: "read", ...claims });
    const verifying = verifyToken(token, getConfig(env), atMs);
    if (refused) await expect(verifying).rejects.toMatchObject({ status: 401, message: refused });
    else expect((await verifying).principal.sub).toBe(name);
  });
});

describe("verified-token cache", () => {
  it("answers a cached token until its exp, then refuses it as expired", async () => {
    const { verifyToken } = await import("../../src/http/auth");
    const { getConfig } = await import("../../src/config");
    const config = getConfig(env);
    const exp = now() + 120;
    const token = await rawToken({ sub: "x", org: "acme", scope: "read" }, { exp });
    const first = await verifyToken(token, config);
    expect(first.principal.org).toBe("acme");
    // Within the lifetime: served (from the cache) with the same principal.
    expect((await verifyToken(token, config, (exp - 1) * 1000)).principal).toEqual(first.principal);
    // Past exp and the clock tolerance: verified again, and refused.
    await expect(verifyToken(token, config, (exp + 31) * 1000)).rejects.toMatchObject({
      status: 401,
      message: "token expired",
    });
  });

  it("never remembers a failure: a forged token stays refused however often it is sent", async () => {
    const forged = await rawToken(
      { sub: "x", org: "acme", scope: "read" },
      { secret: "another-secret-of-enough-length", exp: now() + 60 },
    );
    for (let i = 0; i < 3; i++) await expectProblem(await api("/api/v1/me", { token: forged }), 401);
  });
});
