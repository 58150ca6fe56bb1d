import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import app from "../../src/app";
import { api } from "../helpers";

interface Readiness {
  status: string;
  checks: { name: string; status: string; ms: number }[];
}

describe("GET /api/v1/health/ready", () => {
  it("answers 200 without auth, with each check's status and timing", async () => {
    const res = await api("/api/v1/health/ready");
    expect(res.status).toBe(200);
    const body = (await res.json()) as Readiness;
    expect(body.status).toBe("ok");
    expect(body.checks.map((c) => [c.name, c.status])).toEqual([
      ["configuration", "ok"],
      ["database", "ok"],
      ["objects", "ok"],
    ]);
    for (const c of body.checks) expect(c.ms).toBeGreaterThanOrEqual(0);
  });

  it("answers 503 degraded when D1 fails, naming the check but no internals", async () => {
    const broken = {
      prepare: () => {
        throw new Error("D1_ERROR: no such table: experiments (internal detail)");
      },
    };
    const res = await app.request("/api/v1/health/ready", {}, { ...env, DB: broken });
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(text).not.toContain("D1_ERROR");
    expect(text).not.toContain("experiments");
    const body = JSON.parse(text) as Readiness;
    expect(body.status).toBe("degraded");
    expect(body.checks.find((c) => c.name === "database")?.status).toBe("fail");
    expect(body.checks.find((c) => c.name === "objects")?.status).toBe("ok");
  });

  it("answers 503 when the configuration is broken (no secret), without saying which var", async () => {
    const res = await app.request("/api/v1/health/ready", {}, { ...env, JWT_SECRET: "", JWT_SECRETS: "" });
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(text).not.toContain("JWT");
    expect((JSON.parse(text) as Readiness).checks[0]).toMatchObject({ name: "configuration", status: "fail" });
  });

  it("GET /health stays the cheap liveness check", async () => {
    const res = await api("/api/v1/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });
});
