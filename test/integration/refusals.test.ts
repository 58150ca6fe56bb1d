import { env } from "cloudflare:test";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { signToken } from "../../src/http/tokens";
import { api, expectProblem, tokenFor } from "../helpers";

const P = "/api/v1/streaming-analytics";
const enc = (s: string) => new TextEncoder().encode(s);
/** The secret vitest.config.ts gives each kid of JWT_SECRETS. */
function secretOf(kid: string): Uint8Array {
  for (const pair of (env.JWT_SECRETS ?? "").split(",")) {
    const at = pair.indexOf(":");
    if (pair.slice(0, at) === kid) return enc(pair.slice(at + 1));
  }
  throw new Error(`no test secret for ${kid}`);
}
const claims = { sub: "rotator@example.com", org: "rotation", scope: "read" };

describe("issue 10 exact refusals at the HTTP layer", () => {
  it("a ws-ticket used as a bearer token is 401, not a scope-less token", async () => {
    const ticketRes = await api(`${P}/ws-ticket`, { method: "POST", token: await tokenFor("tickets") });
    const { ticket } = (await ticketRes.json()) as { ticket: string };
    for (const path of ["/api/v1/me", `${P}/dashboard`, "/api/v1/ab-testing/experiments"]) {
      const problem = await expectProblem(await api(path, { token: ticket }), 401);
      expect(problem.type).toBe("urn:edge-experiments:problem:unauthorized");
      expect(problem.detail).toContain("ticket is not an API token");
    }
  });

  it("authenticated answers, successes and refusals, carry Cache-Control: no-store", async () => {
    const token = await tokenFor("nostore");
    const ok = await api("/api/v1/ab-testing/experiments", { token });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("Cache-Control")).toBe("no-store");
    const me = await api("/api/v1/me", { token });
    expect(me.status).toBe(200);
    expect(me.headers.get("Cache-Control")).toBe("no-store");
    const forbidden = await api(`${P}/events`, { method: "POST", token: await tokenFor("nostore", "read"), body: {} });
    await expectProblem(forbidden.clone(), 403);
    expect(forbidden.headers.get("Cache-Control")).toBe("no-store");
    const missing = await api("/api/v1/ab-testing/experiments/nope", { token });
    await expectProblem(missing.clone(), 404);
    expect(missing.headers.get("Cache-Control")).toBe("no-store");
    // The SDK config keeps its own revalidation policy (ETag + If-None-Match), still never shared.
    const config = await api("/api/v1/ab-testing/config", { token });
    expect(config.status).toBe(200);
    expect(config.headers.get("Cache-Control")).toBe("private, no-cache");
  });

  // The body is read (and dropped) before the 413 so that a client still uploading gets to read
  // it: answering mid-upload made wrangler's local proxy answer 500 or reset the connection for
  // 3 to 8 MB bodies (an outside check). Nothing parses it: the event below is never stored.
  it("a declared Content-Length over 1 MiB: the body is read to its end, unparsed, then 413", async () => {
    const token = await tokenFor("big-sent");
    const chunk = enc(`{"events":[{"event_type":"x"}],"pad":"${"x".repeat(64 * 1024)}`);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 32) {
          controller.enqueue(enc('"}'));
          controller.close();
          return;
        }
        sent++;
        controller.enqueue(chunk);
      },
    });
    const length = 32 * chunk.byteLength + 2;
    const res = await api(`${P}/events`, {
      token,
      method: "POST",
      rawBody: body,
      headers: { "Content-Type": "application/json", "Content-Length": String(length) },
    });
    await expectProblem(res, 413);
    expect(sent).toBe(32);
    const dashboard = await (await api(`${P}/dashboard`, { token })).json<{ events: { total: number } }>();
    expect(dashboard.events.total).toBe(0);
  });

  it("a declared Content-Length over 1 MiB is 413 by the drain deadline, though the body never arrives", async () => {
    const token = await tokenFor("big");
    let pulled = 0;
    // A body that sends 31 bytes and then never finishes: the answer must not wait for it.
    const stalled = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(enc('{"events":[{"event_type":"x"}'));
      },
      pull() {
        pulled++;
        return new Promise(() => undefined);
      },
    });
    const res = await api(`${P}/events`, {
      token,
      method: "POST",
      rawBody: stalled,
      headers: { "Content-Type": "application/json", "Content-Length": "2000000" },
    });
    const problem = await expectProblem(res, 413);
    expect(problem.type).toBe("urn:edge-experiments:problem:payload-too-large");
    expect(problem.detail).toContain("1048576");
    expect(pulled).toBeLessThanOrEqual(1);
  });

  // Without a length (chunked) the bytes are counted; past 1 MiB the rest is drained like a declared
  // body's, so the client finishes its upload and reads the 413 (Hono's counting limit answered
  // mid-upload: the reset the drain exists to avoid).
  it("a body without Content-Length (streamed) is counted, read to its end, unparsed, then 413 past 1 MiB", async () => {
    const token = await tokenFor("big-stream");
    let sent = 0;
    let closed = false;
    const chunk = enc(`{"events":[{"event_type":"x"}],"pad":"${"x".repeat(64 * 1024)}`);
    const streamed = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 32) {
          controller.enqueue(enc('"}'));
          controller.close();
          closed = true;
          return;
        }
        sent++;
        controller.enqueue(chunk);
      },
    });
    const res = await api(`${P}/events`, {
      token,
      method: "POST",
      rawBody: streamed,
      headers: { "Content-Type": "application/json" },
    });
    const problem = await expectProblem(res, 413);
    expect(problem.type).toBe("urn:edge-experiments:problem:payload-too-large");
    expect(closed).toBe(true);
    const dashboard = await (await api(`${P}/dashboard`, { token })).json<{ events: { total: number } }>();
    expect(dashboard.events.total).toBe(0);
  });

  it("a streamed body that passes 1 MiB and then stalls is 413 by the drain deadline", async () => {
    const token = await tokenFor("big-stream-stalled");
    const chunk = enc("x".repeat(64 * 1024));
    let sent = 0;
    const stalled = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > 1024 * 1024) return new Promise(() => undefined);
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const res = await api(`${P}/events`, {
      token,
      method: "POST",
      rawBody: stalled,
      headers: { "Content-Type": "application/json" },
    });
    await expectProblem(res, 413);
  });

  it("a streamed body within 1 MiB is read whole and handled as sent", async () => {
    const token = await tokenFor("small-stream");
    const parts = ['{"events":[', '{"event_type":"streamed"}', ',{"event_type":"streamed"}', "]}"].map(enc);
    const streamed = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = parts.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(next);
      },
    });
    const res = await api(`${P}/events`, {
      token,
      method: "POST",
      rawBody: streamed,
      headers: { "Content-Type": "application/json" },
    });
    expect(res.status).toBe(202);
    const dashboard = await (await api(`${P}/dashboard`, { token })).json<{ events: { total: number } }>();
    expect(dashboard.events.total).toBe(2);
  });

  it("/api/docs carries the dashboard's security headers, its inline style allowed by hash", async () => {
    const res = await api("/api/docs");
    expect(res.status).toBe(200);
    const html = await res.text();
    const csp = res.headers.get("Content-Security-Policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? "";
    expect(style.length).toBeGreaterThan(0);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", enc(style)));
    expect(csp).toMatch(
      new RegExp(`style-src 'self' [^;]*'sha256-${escapeRegExp(btoa(String.fromCharCode(...digest)))}'`),
    );
    expect(res.headers.get("X-Frame-Options")).toBe("DENY");
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
    expect(res.headers.get("Cross-Origin-Opener-Policy")).toBe("same-origin");
    expect(res.headers.get("Permissions-Policy")).toBe("camera=(), microphone=(), geolocation=(), payment=()");
  });
});

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

describe("signing keys with kid (issue 17 rotation)", () => {
  it("tokens signed with any current key verify: kid 'next', kid 'current', and no kid (JWT_SECRET)", async () => {
    for (const token of [
      await signToken(secretOf("next"), claims, 600, "next"),
      await signToken(secretOf("current"), claims, 600, "current"),
      await signToken(enc(env.JWT_SECRET ?? ""), claims, 600),
    ]) {
      const res = await api("/api/v1/me", { token });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ sub: claims.sub, org: "rotation", scopes: ["read"] });
    }
  });

  it("an unknown kid is 401, even when the token is signed with a current secret", async () => {
    const unknown = await signToken(secretOf("current"), claims, 600, "retired");
    const problem = await expectProblem(await api("/api/v1/me", { token: unknown }), 401);
    expect(problem.detail).toBe("token 'kid' is not a current key");
  });

  it("a kid names exactly one key: a token claiming 'next' but signed with 'current' is 401", async () => {
    const crossed = await signToken(secretOf("current"), claims, 600, "next");
    const problem = await expectProblem(await api("/api/v1/me", { token: crossed }), 401);
    expect(problem.detail).toBe("token signature is invalid");
  });

  it("tickets are signed with the newest key and still open nothing but the socket", async () => {
    const res = await api(`${P}/ws-ticket`, { method: "POST", token: await tokenFor("rotation") });
    const { ticket } = (await res.json()) as { ticket: string };
    const header = JSON.parse(atob((ticket.split(".")[0] ?? "").replace(/-/g, "+").replace(/_/g, "/")));
    expect(header).toMatchObject({ alg: "HS256", kid: "next", typ: "ws-ticket+jwt" });
    // A hand-made ticket-typed token with every scope is still refused as a bearer token.
    const forged = await new SignJWT({ org: "rotation", scope: "read write" })
      .setProtectedHeader({ alg: "HS256", typ: "ws-ticket+jwt", kid: "next" })
      .setSubject("x")
      .setExpirationTime("5m")
      .sign(secretOf("next"));
    await expectProblem(await api("/api/v1/me", { token: forged }), 401);
  });
});
