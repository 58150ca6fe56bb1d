import { Hono } from "hono";
import { describe, expect, it, vi } from "vitest";
import { onError, onNotFound } from "../../src/http/errors";
import type { AppEnv } from "../../src/http/types";
import { api, expectProblem } from "../helpers";

describe("health, documents and the dashboard", () => {
  it("GET /api/v1/health needs no token", async () => {
    const res = await api("/api/v1/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
    expect(res.headers.get("X-Request-Id")).toMatch(/.+/);
  });

  it("echoes a caller's X-Request-Id", async () => {
    const res = await api("/api/v1/health", { headers: { "X-Request-Id": "trace-123" } });
    expect(res.headers.get("X-Request-Id")).toBe("trace-123");
  });

  it("serves an OpenAPI 3.1 document with the security scheme", async () => {
    const res = await api("/api/v1/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.paths["/api/v1/health"]).toBeDefined();
    expect(doc.paths["/api/v1/me"]).toBeDefined();
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("renders the API reference at /api/docs without external scripts", async () => {
    const res = await api("/api/docs");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("/api/v1/health");
    expect(html).not.toMatch(/<script[^>]+src=/);
  });

  it("serves the dashboard at / and at client routes (SPA fallback)", async () => {
    for (const path of ["/", "/experiments/abc"]) {
      const res = await api(path);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<div id="app">');
    }
  });
});

describe("problem+json error shapes", () => {
  it("404 for an unknown API route, with or without a token", async () => {
    const problem = await expectProblem(await api("/api/v1/nowhere"), 404);
    expect(problem.type).toBe("urn:edge-experiments:problem:not-found");
    expect(problem.detail).toContain("/api/v1/nowhere");
  });

  it("404 for the dev sign-in when DEV_SIGN_IN is off", async () => {
    await expectProblem(await api("/api/v1/dev/token", { method: "POST" }), 404);
  });

  it("413 for a body over 1 MiB, before parsing", async () => {
    const res = await api("/api/v1/me", {
      method: "POST",
      rawBody: "x".repeat(1024 * 1024 + 1),
      headers: { "Content-Type": "application/json" },
    });
    await expectProblem(res, 413);
  });

  it("500 reveals nothing but a request id", async () => {
    const app = new Hono<AppEnv>();
    app.use("*", async (c, next) => {
      c.set("requestId", "req-42");
      await next();
    });
    app.get("/boom", () => {
      throw new Error("secret database password is hunter2");
    });
    app.onError(onError);
    app.notFound(onNotFound);
    const res = await app.request("/boom");
    const problem = await expectProblem(res, 500);
    expect(JSON.stringify(problem)).not.toContain("hunter2");
    expect(problem).toMatchObject({ status: 500, request_id: "req-42" });
  });
});

describe("dev sign-in", () => {
  it("issues a working demo token only when DEV_SIGN_IN is true", async () => {
    const { env } = await import("cloudflare:test");
    const { default: app } = await import("../../src/app");
    const devEnv = { ...env, DEV_SIGN_IN: "true" };
    const res = await app.request("/api/v1/dev/token", { method: "POST" }, devEnv);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; org: string };
    expect(body.org).toBe("demo");
    const me = await api("/api/v1/me", { token: body.token });
    expect(await me.json()).toMatchObject({ org: "demo", scopes: ["assign", "ingest", "read", "write"] });
  });
});

describe("transient Durable Object failures", () => {
  it("become a 503 with Retry-After, never a 500", async () => {
    const app = new Hono<AppEnv>();
    app.get("/reset", () => {
      // The shape workerd gives an RPC call cut by an object reset.
      throw Object.assign(new Error("Durable Object reset because its code was updated."), { retryable: true });
    });
    app.get("/overloaded", () => {
      throw Object.assign(new Error("Durable Object is overloaded."), { overloaded: true });
    });
    app.get("/aborted", () => {
      // What a call gets when the object is aborted under it (no `retryable`): see test/realtime/faults.test.ts.
      throw Object.assign(new Error("Application called abortAllDurableObjects()."), { durableObjectReset: true });
    });
    app.get("/plain", () => {
      throw new Error("a bug");
    });
    app.onError(onError);
    for (const path of ["/reset", "/overloaded", "/aborted"]) {
      const res = await app.request(path);
      const problem = await expectProblem(res, 503);
      expect(problem.type).toBe("urn:edge-experiments:problem:unavailable");
      expect(res.headers.get("Retry-After")).toBe("1");
      expect(problem.detail).toMatch(/nothing was stored in part, retry/);
    }
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    await expectProblem(await app.request("/plain"), 500);
    errors.mockRestore();
  });
});

describe("the organization object's errors", () => {
  it("an error thrown by the object's own code carries workerd's `remote` mark (so the Worker keeps it a 500)", async () => {
    const { env } = await import("cloudflare:test");
    const stub = env.ORG.getByName("remote-mark") as unknown as { processEvents(ids: unknown): Promise<unknown> };
    // A call the routes never make (they validate first): the object's SQL refuses the unbindable value.
    await expect(stub.processEvents(undefined)).rejects.toMatchObject({ remote: true });
  });
});

describe("misconfiguration", () => {
  it("no signing secret (neither JWT_SECRET nor JWT_SECRETS) is a 500 that names nothing, not a client error", async () => {
    const { env } = await import("cloudflare:test");
    const { default: app } = await import("../../src/app");
    const token = (await import("../helpers")).tokenFor("acme");
    const res = await app.request(
      "/api/v1/me",
      { headers: { Authorization: `Bearer ${await token}` } },
      { ...env, JWT_SECRET: "", JWT_SECRETS: "" },
    );
    const problem = await expectProblem(res, 500);
    expect(JSON.stringify(problem)).not.toContain("JWT_SECRET");
  });
});
