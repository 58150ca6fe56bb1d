import { env } from "cloudflare:test";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { api, expectProblem, tokenFor } from "../helpers";

const b64url = (s: string) => btoa(s).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
const secret = () => new TextEncoder().encode(env.JWT_SECRET);
const exp = () => Math.floor(Date.now() / 1000) + 300;

describe("token forgery is refused", () => {
  it("refuses HS384/HS512 tokens signed with the right secret (only HS256 is accepted)", async () => {
    for (const alg of ["HS384", "HS512"]) {
      const token = await new SignJWT({ sub: "x", org: "acme", scope: "read" })
        .setProtectedHeader({ alg })
        .setExpirationTime(exp())
        .sign(secret());
      const problem = await expectProblem(await api("/api/v1/me", { token }), 401);
      expect(problem.detail).toMatch(/algorithm/);
    }
  });

  it("refuses an RS256-labelled token (algorithm confusion)", async () => {
    const header = b64url(JSON.stringify({ alg: "RS256", typ: "JWT" }));
    const payload = b64url(JSON.stringify({ sub: "x", org: "acme", scope: "read", exp: exp() }));
    await expectProblem(await api("/api/v1/me", { token: `${header}.${payload}.c2lnbmF0dXJl` }), 401);
  });

  it("refuses a token whose payload was tampered with after signing", async () => {
    const token = await tokenFor("acme", "read");
    const [header, , signature] = token.split(".");
    const forged = b64url(JSON.stringify({ sub: "x", org: "victim", scope: "read write ingest assign", exp: exp() }));
    await expectProblem(await api("/api/v1/me", { token: `${header}.${forged}.${signature}` }), 401);
  });

  it("refuses a token with an empty signature", async () => {
    const token = await tokenFor("acme", "read");
    const [header, payload] = token.split(".");
    await expectProblem(await api("/api/v1/me", { token: `${header}.${payload}.` }), 401);
  });
});

describe("CORS is explicit", () => {
  it("sends no CORS headers when no origin is configured", async () => {
    const res = await api("/api/v1/health", { headers: { Origin: "https://evil.example" } });
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("allows only the configured origins", async () => {
    const { default: app } = await import("../../src/app");
    const corsEnv = { ...env, CORS_ORIGINS: "https://app.example,https://admin.example" };
    const preflight = (origin: string) =>
      app.request(
        "/api/v1/me",
        {
          method: "OPTIONS",
          headers: {
            Origin: origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
          },
        },
        corsEnv,
      );
    const allowed = await preflight("https://app.example");
    expect(allowed.headers.get("Access-Control-Allow-Origin")).toBe("https://app.example");
    expect(allowed.headers.get("Access-Control-Allow-Headers")?.toLowerCase()).toContain("authorization");
    const denied = await preflight("https://evil.example");
    expect(denied.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });
});

describe("security headers on API responses", () => {
  it("sets nosniff, frame and referrer protections", async () => {
    const res = await api("/api/v1/health");
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(res.headers.get("X-Frame-Options")).toBe("DENY");
    expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
  });
});
