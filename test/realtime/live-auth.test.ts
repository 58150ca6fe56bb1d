import { env, evictDurableObject } from "cloudflare:test";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { api, expectProblem, tokenFor } from "../helpers";
import { accepted, connectWithTicket, connectWithToken, getTicket, upgrade, WS_PATH } from "./live-client";

const secret = () => new TextEncoder().encode(env.JWT_SECRET);

function ticketLike(claims: Record<string, unknown>, exp: number, key = secret(), typ = "ws-ticket+jwt") {
  return new SignJWT({ purpose: "ws-ticket", ...claims })
    .setProtectedHeader({ alg: "HS256", typ })
    .setJti(crypto.randomUUID())
    .setIssuedAt(exp - 60)
    .setExpirationTime(exp)
    .sign(key);
}

describe("POST /ws-ticket", () => {
  it("gives a read-scoped caller a ticket valid 60 s", async () => {
    const res = await api("/api/v1/streaming-analytics/ws-ticket", { method: "POST", token: await tokenFor("acme") });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ticket: string; expires_in: number };
    expect(body.expires_in).toBe(60);
    expect(body.ticket.split(".")).toHaveLength(3);
  });

  it("needs a token (401) with the read scope (403)", async () => {
    await expectProblem(await api("/api/v1/streaming-analytics/ws-ticket", { method: "POST" }), 401);
    const ingestOnly = await tokenFor("acme", "ingest");
    await expectProblem(await api("/api/v1/streaming-analytics/ws-ticket", { method: "POST", token: ingestOnly }), 403);
  });

  it("is not an API token: as a bearer token it is refused with 401 (issue 10)", async () => {
    const ticket = await getTicket(await tokenFor("acme"));
    const problem = await expectProblem(await api("/api/v1/me", { token: ticket }), 401);
    expect(problem.detail).toContain("not an API token");
  });
});

describe("GET /ws", () => {
  it("upgrades with a ticket and with a bearer token", async () => {
    const token = await tokenFor("acme");
    const a = await connectWithTicket(token);
    const b = await connectWithToken(token);
    expect(a.ws.readyState).toBe(WebSocket.OPEN);
    expect(b.ws.readyState).toBe(WebSocket.OPEN);
    a.close();
    b.close();
  });

  it("refuses a ticket the second time (single use), even after the object was evicted", async () => {
    const ticket = await getTicket(await tokenFor("replay"));
    const first = await accepted(await upgrade(`?ticket=${ticket}`));
    const again = await expectProblem(await upgrade(`?ticket=${ticket}`), 401);
    expect(again.detail).toMatch(/already used/);
    first.close();
    await evictDurableObject(env.ORG.getByName("replay"));
    await expectProblem(await upgrade(`?ticket=${ticket}`), 401);
  });

  it("refuses expired, forged, malformed and wrong-type tickets with 401 before upgrading", async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: "mallory", org: "acme" };
    const expired = await ticketLike(claims, now - 120);
    const forged = await ticketLike(claims, now + 60, new TextEncoder().encode("another-secret-of-enough-length-000"));
    const apiToken = await tokenFor("acme"); // a valid API token is not a ticket
    const wrongPurpose = await ticketLike({ ...claims, purpose: "other" }, now + 60);
    const badOrg = await ticketLike({ ...claims, org: "../other org" }, now + 60);
    for (const bad of [expired, forged, apiToken, wrongPurpose, badOrg, "not-a-jwt", ""]) {
      const res = await upgrade(`?ticket=${encodeURIComponent(bad)}`);
      expect(res.webSocket).toBeNull();
      await expectProblem(res, 401);
    }
    const detail = (await expectProblem(await upgrade(`?ticket=${expired}`), 401)).detail;
    expect(detail).toMatch(/expired/);
  });

  it("accepts a ticket signed with the secret and still fresh (the Worker is the only verifier)", async () => {
    const fresh = await ticketLike({ sub: "svc", org: "acme" }, Math.floor(Date.now() / 1000) + 30);
    (await accepted(await upgrade(`?ticket=${fresh}`))).close();
  });

  it("answers 401 without credentials and 403 without the read scope", async () => {
    await expectProblem(await upgrade(), 401);
    const ingestOnly = await tokenFor("acme", "ingest");
    const problem = await expectProblem(await upgrade("", { Authorization: `Bearer ${ingestOnly}` }), 403);
    expect(problem.detail).toBe(
      "the WebSocket needs the 'read' scope; this token has: ingest. Ask your token issuer for one that also has " +
        "it.",
    );
  });

  it("tells a malformed Authorization header the shape to send, as every other route does", async () => {
    const token = await tokenFor("acme");
    const none = await expectProblem(await upgrade(), 401);
    expect(none.detail).toBe("pass ?ticket= (from POST /ws-ticket) or a bearer token");
    for (const header of [token, "Basic dXNlcjpwYXNz", "Bearer ", `Token ${token}`]) {
      const problem = await expectProblem(await upgrade("", { Authorization: header }), 401);
      expect(problem.detail, header).toBe(
        "the Authorization header must be 'Bearer <token>' (one space, then the JWT)",
      );
    }
  });

  it("gives every 401 its WWW-Authenticate challenge, as every other route does", async () => {
    const token = await tokenFor("challenge");
    const forged = await ticketLike(
      { sub: "m", org: "acme" },
      Math.floor(Date.now() / 1000) + 60,
      new TextEncoder().encode("another-secret-of-enough-length-000"),
    );
    const ticket = await getTicket(token);
    (await accepted(await upgrade(`?ticket=${ticket}`))).close();
    const refusals: [string, Response][] = [
      ["no credentials", await upgrade()],
      ["a malformed header", await upgrade("", { Authorization: "Basic dXNlcjpwYXNz" })],
      ["a forged bearer token", await upgrade("", { Authorization: `Bearer ${token}x` })],
      ["a forged ticket", await upgrade(`?ticket=${forged}`)],
      ["a used ticket (refused by the object)", await upgrade(`?ticket=${ticket}`)],
    ];
    for (const [what, res] of refusals) {
      expect(res.status, what).toBe(401);
      expect(res.headers.get("WWW-Authenticate"), what).toBe('Bearer realm="api"');
      await res.body?.cancel();
    }
  });

  it("ignores a client's own X-Principal header", async () => {
    const res = await upgrade("", { "X-Principal": JSON.stringify({ sub: "root", org: "acme" }) });
    await expectProblem(res, 401);
  });

  it("answers 426 to an authenticated request that is not an upgrade, without using the ticket", async () => {
    const token = await tokenFor("acme");
    const res = await api(WS_PATH, { token });
    const problem = await expectProblem(res, 426);
    expect(problem.type).toMatch(/upgrade-required/);
    const ticket = await getTicket(token);
    await expectProblem(await api(`${WS_PATH}?ticket=${ticket}`), 426);
    (await accepted(await upgrade(`?ticket=${ticket}`))).close();
  });

  it("is documented in the OpenAPI document", async () => {
    const doc = (await (await api("/api/v1/openapi.json")).json()) as {
      paths: Record<string, unknown>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/api/v1/streaming-analytics/ws", "/api/v1/streaming-analytics/ws-ticket"]),
    );
    expect(doc.components.securitySchemes.wsTicket).toMatchObject({ type: "apiKey", in: "query", name: "ticket" });
  });
});
