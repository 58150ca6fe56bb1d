/**
 * Webhook delivery against a REAL receiver: a node:http server on 127.0.0.1 started by
 * test/receiver/global-setup.ts, whose URL arrives through `inject`. Nothing here mocks fetch.
 * The object's clock is pinned a day ahead so the runtime never fires its alarm on its own; each
 * alarm is run explicitly with runDurableObjectAlarm, with the clock moved to the due time.
 */
import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { MAX_ATTEMPTS, retryDelayMs } from "../../src/streaming/notify/retry";
import type { OrgObject } from "../../src/streaming/org-object";
import { as, expectProblem } from "../helpers";

const P = "/api/v1/streaming-analytics";
const receiver = inject("receiverUrl");
const stub = (org: string) => env.ORG.getByName(org);
const encoder = new TextEncoder();

interface Received {
  headers: Record<string, string>;
  body: string;
  status: number;
}
interface DeliveryOut {
  id: string;
  alert_id: string | null;
  event: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
}

async function pin(org: string, at: number, random = 0.5): Promise<void> {
  await runInDurableObject(stub(org), (instance: OrgObject) => {
    instance.clock = () => at;
    instance.random = () => random;
  });
}

async function script(name: string, statuses: number[]): Promise<void> {
  const res = await fetch(`${receiver}/_script/${name}`, { method: "POST", body: JSON.stringify({ statuses }) });
  expect(res.status).toBe(204);
}

async function received(name: string): Promise<Received[]> {
  return (await (await fetch(`${receiver}/_log/${name}`)).json()) as Received[];
}

/** The test's own verification (crypto.subtle.verify, not the service's signing code). */
async function verifySignature(secret: string, header: string, body: string): Promise<{ valid: boolean; t: number }> {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return { valid: false, t: Number.NaN };
  const [, t, hex] = match as unknown as [string, string, string];
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "verify",
  ]);
  const mac = new Uint8Array(hex.match(/../g)?.map((h) => Number.parseInt(h, 16)) ?? []);
  return { valid: await crypto.subtle.verify("HMAC", key, mac, encoder.encode(`${t}.${body}`)), t: Number(t) };
}

async function deliveries(c: Awaited<ReturnType<typeof as>>, channelId: string): Promise<DeliveryOut[]> {
  const res = await c.get(`${P}/channels/${channelId}/deliveries`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: DeliveryOut[] }).items;
}

async function createChannel(c: Awaited<ReturnType<typeof as>>, hook: string, extra: Record<string, unknown> = {}) {
  const res = await c.post(`${P}/channels`, { name: hook, type: "webhook", url: `${receiver}/hook/${hook}`, ...extra });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; secret: string; name: string };
}

describe("webhook delivery to a real receiver", () => {
  it("a firing rule delivers one correctly signed webhook; the delivery was recorded before the attempt", async () => {
    const org = "notify-signed";
    const c = await as(org);
    const T = Date.now() + 86_400_000;
    await pin(org, T);
    const channel = await createChannel(c, "signed");
    expect(channel.secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    // The secret is shown once.
    expect(JSON.stringify(await (await c.get(`${P}/channels`)).json())).not.toContain(channel.secret);
    expect(JSON.stringify(await (await c.get(`${P}/channels/${channel.id}`)).json())).not.toContain(channel.secret);

    const rule = (await (
      await c.post(`${P}/alert-rules`, {
        name: "slow",
        metric_name: "lat",
        aggregation: "max",
        window_seconds: 60,
        operator: "gt",
        threshold: 100,
        severity: "error",
      })
    ).json()) as { id: string };
    expect((await c.post(`${P}/metrics`, { name: "lat", value: 500, timestamp: T })).status).toBe(202);

    // Stored with the alert, not yet attempted; nothing has reached the receiver.
    const [pending] = await deliveries(c, channel.id);
    expect(pending).toMatchObject({ event: "opened", status: "pending", attempts: 0, last_status_code: null });
    expect(await received("signed")).toEqual([]);

    expect(await runDurableObjectAlarm(stub(org))).toBe(true);
    const log = await received("signed");
    expect(log).toHaveLength(1);
    const request = log[0] as Received;
    expect(request.headers["x-delivery-id"]).toBe(pending?.id);
    expect(request.headers["content-type"]).toBe("application/json");
    const check = await verifySignature(channel.secret, request.headers["x-signature"] ?? "", request.body);
    expect(check).toEqual({ valid: true, t: Math.floor(T / 1000) });
    // A wrong secret or a changed body does not verify.
    expect(
      (await verifySignature(`${channel.secret}x`, request.headers["x-signature"] ?? "", request.body)).valid,
    ).toBe(false);
    expect(
      (await verifySignature(channel.secret, request.headers["x-signature"] ?? "", `${request.body} `)).valid,
    ).toBe(false);
    const payload = JSON.parse(request.body) as {
      id: string;
      event: string;
      at: string;
      alert: Record<string, unknown>;
    };
    expect(payload).toMatchObject({
      id: pending?.id,
      event: "opened",
      at: new Date(T).toISOString(),
      alert: { fingerprint: `rule:${rule.id}`, status: "open", severity: "error", silenced: false },
    });

    const [delivered] = await deliveries(c, channel.id);
    expect(delivered).toMatchObject({ id: pending?.id, status: "delivered", attempts: 1, last_status_code: 200 });
    const alert = (await (await c.get(`${P}/alerts/${payload.alert.id}`)).json()) as {
      history: { action: string; by?: string }[];
    };
    expect(alert.history.map((h) => [h.action, h.by])).toEqual([
      ["opened", `rule:${rule.id}`],
      ["notified", "channel:signed"],
    ]);
  });

  it("retries with backoff while the receiver answers 500 five times, across an eviction, then delivers exactly once", async () => {
    const org = "notify-retry";
    const c = await as(org);
    let now = Date.now() + 86_400_000;
    await pin(org, now);
    const channel = await createChannel(c, "retry");
    await script("retry", [500, 500, 500, 500, 500]);
    const alert = (await (await c.post(`${P}/alerts`, { severity: "critical", title: "checkout down" })).json()) as {
      id: string;
    };

    const [first] = await deliveries(c, channel.id);
    const id = first?.id as string;
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect(await runDurableObjectAlarm(stub(org))).toBe(true);
      const [d] = await deliveries(c, channel.id);
      // random is pinned at 0.5, so each wait is exactly three quarters of its backoff step.
      const wait = retryDelayMs(attempt, () => 0.5);
      expect(d).toMatchObject({
        id,
        status: "pending",
        attempts: attempt,
        last_status_code: 500,
        last_error: "HTTP 500: scripted failure",
        next_attempt_at: new Date(now + wait).toISOString(),
      });
      expect(await received("retry")).toHaveLength(attempt);
      // Just before it is due, an alarm sends nothing (the alarm ran to completion: no waiting involved).
      await pin(org, now + wait - 1);
      await runDurableObjectAlarm(stub(org));
      expect(await received("retry")).toHaveLength(attempt);
      if (attempt === 3) {
        // Evicted between attempts: the pinned clock goes with the instance, the delivery must not.
        await evictDurableObject(stub(org));
      }
      now += wait;
      await pin(org, now);
    }
    expect(await runDurableObjectAlarm(stub(org))).toBe(true);
    const [done] = await deliveries(c, channel.id);
    expect(done).toMatchObject({ id, status: "delivered", attempts: 6, last_status_code: 200, next_attempt_at: null });

    // Hours later, more alarms: nothing is sent again.
    await pin(org, now + 7_200_000);
    await runDurableObjectAlarm(stub(org));
    const log = await received("retry");
    expect(log.map((r) => r.status)).toEqual([500, 500, 500, 500, 500, 200]);
    expect(new Set(log.map((r) => r.headers["x-delivery-id"]))).toEqual(new Set([id]));
    expect(new Set(log.map((r) => r.body)).size).toBe(1);
    // The signed times show the backoff growing between attempts.
    const times = await Promise.all(
      log.map(async (r) => (await verifySignature(channel.secret, r.headers["x-signature"] ?? "", r.body)).t),
    );
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    // Signed times are whole seconds, so each gap is the delay give or take the second it straddles.
    const delays = [1, 2, 3, 4, 5].map((a) => retryDelayMs(a, () => 0.5) / 1000);
    for (const [i, gap] of gaps.entries()) expect(Math.abs(gap - (delays[i] as number))).toBeLessThan(1);
    const history = ((await (await c.get(`${P}/alerts/${alert.id}`)).json()) as { history: { action: string }[] })
      .history;
    expect(history.map((h) => h.action)).toEqual(["opened", "notified"]);
  });

  it("a dead receiver holds one slot for its timeout: every live channel's delivery goes out and is recorded beside it", async () => {
    const org = "notify-dead-slot";
    const c = await as(org);
    const T = Date.now() + 86_400_000;
    await pin(org, T);
    // The dead endpoint accepts the connection and never answers (10 s timeout per attempt).
    const dead = await createChannel(c, "dead-slot", { url: `${receiver}/hang/dead-slot`, min_severity: "critical" });
    const live = await createChannel(c, "live-slot");
    expect((await c.post(`${P}/alerts`, { severity: "critical", title: "down" })).status).toBe(201);
    // Ten more deliveries to the live channel: with the dead one, more than the 8 attempts in flight.
    for (let i = 0; i < 9; i++) {
      expect((await c.post(`${P}/alerts`, { severity: "warning", title: `slow ${i}` })).status).toBe(201);
    }
    expect(await deliveries(c, live.id)).toHaveLength(10);

    // The alarm runs until the dead attempt times out; meanwhile the live deliveries must complete.
    const alarm = runDurableObjectAlarm(stub(org));
    // Sentinel: the receiver answers once it has answered all ten (no timer). The object records each
    // outcome as its answer arrives, so the reads below see them within a few requests.
    expect(await (await fetch(`${receiver}/_wait/live-slot?n=10`)).json()).toHaveLength(10);
    let items = await deliveries(c, live.id);
    for (let reads = 0; reads < 100 && !items.every((d) => d.status === "delivered"); reads++) {
      items = await deliveries(c, live.id);
    }
    expect(items.map((d) => d.status)).toEqual(Array(10).fill("delivered"));
    // Every live delivery went out and was recorded while the dead attempt was still waiting.
    const [deadNow] = await deliveries(c, dead.id);
    expect(deadNow).toMatchObject({ status: "pending", attempts: 1, last_error: null });
    expect(await received("live-slot")).toHaveLength(10);

    expect(await alarm).toBe(true);
    const [deadAfter] = await deliveries(c, dead.id);
    expect(deadAfter).toMatchObject({ status: "pending", attempts: 1, last_error: "no answer within 10 s" });
  }, 60_000);

  it("a delivery that keeps failing ends as failed after MAX_ATTEMPTS", async () => {
    const org = "notify-give-up";
    const c = await as(org);
    let now = Date.now() + 86_400_000;
    await pin(org, now, 0);
    const channel = await createChannel(c, "give-up");
    await script(
      "give-up",
      Array.from({ length: MAX_ATTEMPTS }, () => 503),
    );
    await c.post(`${P}/alerts`, { severity: "error", title: "x" });
    const started = now;
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      expect(await runDurableObjectAlarm(stub(org))).toBe(true);
      const [d] = await deliveries(c, channel.id);
      if (d?.next_attempt_at) {
        now = Date.parse(d.next_attempt_at);
        await pin(org, now, 0);
      }
    }
    const [d] = await deliveries(c, channel.id);
    expect(d).toMatchObject({ status: "failed", attempts: MAX_ATTEMPTS, last_status_code: 503, next_attempt_at: null });
    // Even with the smallest jitter, the retries spanned more than an hour.
    expect(now - started).toBeGreaterThan(3_600_000);
    expect(await received("give-up")).toHaveLength(MAX_ATTEMPTS);
  });

  it("a silenced alert is stored (silenced: true) and not delivered; an unsilenced one on the same channel is", async () => {
    const org = "notify-silence";
    const c = await as(org);
    const T = Date.now() + 86_400_000;
    await pin(org, T);
    const channel = await createChannel(c, "silence");
    const silence = await c.post(`${P}/silences`, {
      matchers: { fingerprint: "disk:1" },
      ends_at: T + 3_600_000,
      comment: "maintenance",
    });
    expect(silence.status).toBe(201);
    expect(await silence.json()).toMatchObject({
      matchers: { fingerprint: "disk:1" },
      starts_at: new Date(T).toISOString(),
      created_by: "tester@example.com",
      active: true,
    });

    const quiet = await c.post(`${P}/alerts`, { severity: "critical", title: "disk", fingerprint: "disk:1" });
    expect(quiet.status).toBe(201);
    const quietAlert = (await quiet.json()) as { id: string; silenced: boolean };
    expect(quietAlert.silenced).toBe(true);
    const loud = (await (
      await c.post(`${P}/alerts`, { severity: "critical", title: "cpu", fingerprint: "cpu:1" })
    ).json()) as {
      id: string;
      silenced: boolean;
    };
    expect(loud.silenced).toBe(false);

    expect(await runDurableObjectAlarm(stub(org))).toBe(true);
    // The sentinel: the unsilenced alert's delivery arrived, so the alarm did send.
    const log = await received("silence");
    expect(log.map((r) => (JSON.parse(r.body) as { alert: { id: string } }).alert.id)).toEqual([loud.id]);
    const items = await deliveries(c, channel.id);
    expect(items.map((d) => d.alert_id)).toEqual([loud.id]);
    const stored = (await (await c.get(`${P}/alerts/${quietAlert.id}`)).json()) as {
      silenced: boolean;
      history: { action: string }[];
    };
    expect(stored).toMatchObject({ silenced: true, history: [{ action: "opened" }] });
    const listed = (await (await c.get(`${P}/alerts?status=open`)).json()) as { items: { id: string }[] };
    expect(listed.items.map((a) => a.id)).toContain(quietAlert.id);
  });

  it("min_severity and notify_on filter; acknowledge and resolve are notified with actor and note in history", async () => {
    const org = "notify-filter";
    const c = await as(org);
    const T = Date.now() + 86_400_000;
    await pin(org, T);
    const picky = await createChannel(c, "picky", { min_severity: "critical", notify_on: ["resolved"] });
    const all = await createChannel(c, "all");
    const alert = (await (await c.post(`${P}/alerts`, { severity: "error", title: "e" })).json()) as { id: string };
    await c.post(`${P}/alerts/${alert.id}/acknowledge`, { note: "on it" });
    await c.post(`${P}/alerts/${alert.id}/resolve`, { note: "fixed" });
    const crit = (await (await c.post(`${P}/alerts`, { severity: "critical", title: "c" })).json()) as { id: string };
    await c.post(`${P}/alerts/${crit.id}/resolve`, {});
    await runDurableObjectAlarm(stub(org));
    expect((await deliveries(c, all.id)).map((d) => d.event).sort()).toEqual(
      ["acknowledged", "opened", "opened", "resolved", "resolved"].sort(),
    );
    expect((await deliveries(c, picky.id)).map((d) => [d.event, d.alert_id])).toEqual([["resolved", crit.id]]);
    const history = (
      (await (await c.get(`${P}/alerts/${alert.id}`)).json()) as {
        history: { action: string; by?: string; note?: string }[];
      }
    ).history;
    expect(history.filter((h) => h.action !== "notified")).toEqual([
      { at: expect.any(String), action: "opened" },
      { at: expect.any(String), action: "acknowledged", by: "tester@example.com", note: "on it" },
      { at: expect.any(String), action: "resolved", by: "tester@example.com", note: "fixed" },
    ]);
    expect(history.filter((h) => h.action === "notified")).toHaveLength(3);
  });
});

describe("a repeat that raises an alert's severity (POST /alerts, same fingerprint)", () => {
  it("a critical-only channel hears it opened; a warning silence no longer hides it; a channel told before is not told again", async () => {
    const org = "notify-escalate";
    const c = await as(org);
    const T = Date.now() + 86_400_000;
    await pin(org, T);
    const critical = await createChannel(c, "esc-critical", { min_severity: "critical" });
    const all = await createChannel(c, "esc-all", { min_severity: "info" });
    const warningSilence = await c.post(`${P}/silences`, {
      matchers: { severity: "warning" },
      ends_at: T + 3_600_000,
      comment: "warnings are noise tonight",
    });
    expect(warningSilence.status).toBe(201);

    // Opened as a warning: silenced, so no channel hears it.
    const first = await c.post(`${P}/alerts`, { severity: "warning", title: "queue lag", fingerprint: "lag:1" });
    expect(first.status).toBe(201);
    const opened = (await first.json()) as { id: string; silenced: boolean };
    expect(opened.silenced).toBe(true);

    // The same fingerprint again as critical: same alert, raised; no longer silenced.
    const second = await c.post(`${P}/alerts`, { severity: "critical", title: "queue lag", fingerprint: "lag:1" });
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ id: opened.id, severity: "critical", occurrences: 2, silenced: false });

    expect(await runDurableObjectAlarm(stub(org))).toBe(true);
    for (const channel of [critical, all]) {
      expect((await deliveries(c, channel.id)).map((d) => [d.event, d.alert_id, d.status])).toEqual([
        ["opened", opened.id, "delivered"],
      ]);
    }
    const body = JSON.parse((await received("esc-critical"))[0]?.body ?? "{}") as {
      event: string;
      alert: { id: string; severity: string; occurrences: number };
    };
    expect(body).toMatchObject({ event: "opened", alert: { id: opened.id, severity: "critical", occurrences: 2 } });

    // A third critical repeat raises nothing: no channel is told of the opening twice.
    const third = await c.post(`${P}/alerts`, { severity: "critical", title: "queue lag", fingerprint: "lag:1" });
    expect(await third.json()).toMatchObject({ occurrences: 3, silenced: false });
    await c.post(`${P}/alerts/${opened.id}/resolve`, { note: "drained" });
    await runDurableObjectAlarm(stub(org));
    for (const channel of [critical, all]) {
      expect((await deliveries(c, channel.id)).map((d) => d.event)).toEqual(["resolved", "opened"]);
    }
    const history = (
      (await (await c.get(`${P}/alerts/${opened.id}`)).json()) as {
        history: { action: string; note?: string }[];
      }
    ).history.filter((h) => h.action !== "notified");
    expect(history.map((h) => [h.action, h.note])).toEqual([
      ["opened", undefined],
      ["repeated", "severity warning → critical"],
      ["repeated", undefined],
      ["resolved", "drained"],
    ]);
  });

  it("a channel that heard the warning open is not told again; one that takes only critical is", async () => {
    const org = "notify-escalate-told";
    const c = await as(org);
    const T = Date.now() + 86_400_000;
    await pin(org, T);
    const critical = await createChannel(c, "esc2-critical", { min_severity: "critical" });
    const all = await createChannel(c, "esc2-all");
    const a = (await (
      await c.post(`${P}/alerts`, { severity: "warning", title: "disk", fingerprint: "disk:9" })
    ).json()) as { id: string };
    await runDurableObjectAlarm(stub(org));
    expect((await deliveries(c, all.id)).map((d) => d.event)).toEqual(["opened"]);
    expect(await deliveries(c, critical.id)).toEqual([]);

    await c.post(`${P}/alerts`, { severity: "critical", title: "disk", fingerprint: "disk:9" });
    await runDurableObjectAlarm(stub(org));
    expect((await deliveries(c, critical.id)).map((d) => [d.event, d.alert_id])).toEqual([["opened", a.id]]);
    expect((await deliveries(c, all.id)).map((d) => d.event)).toEqual(["opened"]);
  });
});

describe("re-grading a firing rule (PATCH /alert-rules/:id with a new severity)", () => {
  it("resolves its alert with a note, opens one at the new severity at once, and a channel that takes only that severity hears of it", async () => {
    const org = "notify-regrade";
    const c = await as(org);
    const T = Date.now() + 86_400_000;
    await pin(org, T);
    const critical = await createChannel(c, "regrade-critical", { min_severity: "critical" });
    const everyone = await createChannel(c, "regrade-all");
    await c.post(`${P}/metrics`, { name: "errors", value: 25, timestamp: T });
    const rule = (await (
      await c.post(`${P}/alert-rules`, {
        name: "error rate",
        metric_name: "errors",
        aggregation: "max",
        window_seconds: 60,
        operator: "gt",
        threshold: 10,
        severity: "warning",
        for_seconds: 30,
      })
    ).json()) as { id: string; state: { status: string } };
    // for_seconds 30: pending first, firing once 30 s have passed under the condition.
    expect(rule.state.status).toBe("pending");
    await pin(org, T + 40_000);
    await c.post(`${P}/metrics`, { name: "errors", value: 25, timestamp: T + 40_000 });
    const warned = (await (await c.get(`${P}/alerts`)).json()) as { items: { id: string; severity: string }[] };
    expect(warned.items.map((a) => a.severity)).toEqual(["warning"]);
    const first = warned.items[0]?.id as string;

    await pin(org, T + 50_000);
    const res = await c.patch(`${P}/alert-rules/${rule.id}`, { severity: "critical" });
    expect(res.status).toBe(200);
    const edited = (await res.json()) as { severity: string; state: { status: string; alert_id: string } };
    expect(edited.severity).toBe("critical");
    // Open again at once: no new 30 s wait while the condition holds.
    expect(edited.state.status).toBe("firing");
    expect(edited.state.alert_id).not.toBe(first);

    const alerts = (
      (await (await c.get(`${P}/alerts`)).json()) as {
        items: { id: string; status: string; severity: string; fingerprint: string }[];
      }
    ).items;
    expect(alerts.map((a) => [a.id, a.status, a.severity, a.fingerprint]).sort()).toEqual(
      [
        [first, "resolved", "warning", `rule:${rule.id}`],
        [edited.state.alert_id, "open", "critical", `rule:${rule.id}`],
      ].sort(),
    );
    const history = (
      (await (await c.get(`${P}/alerts/${first}`)).json()) as {
        history: { action: string; by?: string; note?: string }[];
      }
    ).history.filter((h) => h.action !== "notified");
    expect(history.at(-1)).toEqual({
      at: expect.any(String),
      action: "resolved",
      by: `rule:${rule.id}`,
      note: "rule edited: severity warning → critical",
    });
    // The critical-only channel hears of the escalation (and of nothing before it); the other of all three changes.
    expect((await deliveries(c, critical.id)).map((d) => [d.event, d.alert_id])).toEqual([
      ["opened", edited.state.alert_id],
    ]);
    expect((await deliveries(c, everyone.id)).map((d) => [d.event, d.alert_id]).sort()).toEqual(
      [
        ["opened", first],
        ["resolved", first],
        ["opened", edited.state.alert_id],
      ].sort(),
    );

    // A new name only: the open alert stays as raised.
    const renamed = (await (await c.patch(`${P}/alert-rules/${rule.id}`, { name: "errors" })).json()) as {
      state: { alert_id: string };
    };
    expect(renamed.state.alert_id).toBe(edited.state.alert_id);
  });
});

describe("channel routes", () => {
  it("validates, patches, test-sends, lists deliveries and deletes", async () => {
    const org = "notify-routes";
    const c = await as(org);
    const bad = await expectProblem(
      await c.post(`${P}/channels`, { name: "x", type: "webhook", url: "http://example.com/hook" }),
      400,
    );
    expect(bad.errors).toEqual([{ path: "url", message: "must be an https URL" }]);
    await expectProblem(await c.post(`${P}/channels`, { name: "x", type: "pager", url: "https://x.test" }), 400);
    const channel = await createChannel(c, "routes");
    expect(channel).toMatchObject({
      min_severity: "warning",
      notify_on: ["opened", "acknowledged", "resolved"],
      enabled: true,
    });

    const patched = await c.patch(`${P}/channels/${channel.id}`, { min_severity: "error", enabled: false });
    expect(await patched.json()).toMatchObject({ min_severity: "error", enabled: false });
    await expectProblem(await c.patch(`${P}/channels/${channel.id}`, { url: "ftp://x" }), 400);
    await expectProblem(await c.patch(`${P}/channels/${channel.id}`, { type: "slack" }), 400);

    // The channel is disabled now: a test send goes out all the same (docs/alerting.md).
    const test = await c.post(`${P}/channels/${channel.id}/test`, {});
    expect(test.status).toBe(200);
    const testDelivery = (await test.json()) as DeliveryOut;
    expect(testDelivery).toMatchObject({ event: "test", status: "delivered", attempts: 1, alert_id: null });
    const [sent] = await received("routes");
    expect(JSON.parse(sent?.body ?? "{}")).toMatchObject({ event: "test", alert: null });

    await expectProblem(await c.post(`${P}/channels/nope/test`, {}), 404);
    await expectProblem(await c.get(`${P}/channels/nope/deliveries`), 404);
    await expectProblem(await c.get(`${P}/channels/${channel.id}/deliveries?cursor=zz`), 400);
    // The log pages newest first by its cursor (keyset on the row number, store/sql.ts pageBySeq).
    const sends = [testDelivery.id];
    for (let i = 0; i < 2; i++)
      sends.push(((await (await c.post(`${P}/channels/${channel.id}/test`, {})).json()) as DeliveryOut).id);
    type LogPage = { items: DeliveryOut[]; next_cursor: string | null };
    const log = async (q: string) =>
      (await (await c.get(`${P}/channels/${channel.id}/deliveries?${q}`)).json()) as LogPage;
    const first = await log("limit=2");
    const rest = await log(`limit=2&cursor=${first.next_cursor}`);
    expect([...first.items, ...rest.items].map((d) => d.id)).toEqual([...sends].reverse());
    expect(rest.next_cursor).toBeNull();
    const other = await as("notify-routes-other");
    await expectProblem(await other.get(`${P}/channels/${channel.id}`), 404);

    expect((await c.delete(`${P}/channels/${channel.id}`)).status).toBe(204);
    await expectProblem(await c.delete(`${P}/channels/${channel.id}`), 404);
    const remaining = await runInDurableObject(
      stub(org),
      (_i: OrgObject, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM deliveries").one().n,
    );
    expect(remaining).toBe(0);
  });

  it("silences: at least one matcher, an end after the start; list, and DELETE ends one (kept, inactive)", async () => {
    const c = await as("notify-silence-routes");
    await expectProblem(await c.post(`${P}/silences`, { matchers: {}, ends_at: Date.now() + 1000 }), 400);
    const backwards = await expectProblem(
      await c.post(`${P}/silences`, { matchers: { severity: "info" }, starts_at: Date.now(), ends_at: Date.now() - 1 }),
      400,
    );
    expect(backwards.errors?.[0]?.path).toBe("ends_at");
    // One that has already ended (a whole window in the past) silences nothing: a 400, as Alertmanager's.
    const past = await expectProblem(
      await c.post(`${P}/silences`, {
        matchers: { severity: "info" },
        starts_at: Date.now() - 7_200_000,
        ends_at: Date.now() - 3_600_000,
      }),
      400,
    );
    expect(past.errors).toEqual([{ path: "ends_at", message: expect.stringMatching(/^must be in the future/) }]);
    const s = (await (
      await c.post(`${P}/silences`, { matchers: { rule_id: "r1" }, ends_at: Date.now() + 60_000 })
    ).json()) as { id: string };
    expect(
      ((await (await c.get(`${P}/silences`)).json()) as { items: { id: string }[] }).items.map((x) => x.id),
    ).toEqual([s.id]);
    expect((await c.delete(`${P}/silences/${s.id}`)).status).toBe(204);
    // Ended, not erased: still listed, inactive, with its end at the DELETE (as Alertmanager's expire).
    const listed = (
      (await (await c.get(`${P}/silences`)).json()) as {
        items: { id: string; active: boolean; ends_at: string; starts_at: string }[];
      }
    ).items;
    expect(listed.map((x) => [x.id, x.active])).toEqual([[s.id, false]]);
    expect(Date.parse(listed[0]?.ends_at ?? "")).toBeLessThanOrEqual(Date.now());
    const again = await expectProblem(await c.delete(`${P}/silences/${s.id}`), 404);
    expect(again.detail).toBe("silence already ended");
    await expectProblem(await c.delete(`${P}/silences/nope`), 404);
    // One that had not started yet ends unstarted: its start moves to its end.
    const later = (await (
      await c.post(`${P}/silences`, {
        matchers: { rule_id: "r2" },
        starts_at: Date.now() + 3_600_000,
        ends_at: Date.now() + 7_200_000,
      })
    ).json()) as { id: string };
    expect((await c.delete(`${P}/silences/${later.id}`)).status).toBe(204);
    const ended = (
      (await (await c.get(`${P}/silences`)).json()) as {
        items: { id: string; active: boolean; ends_at: string; starts_at: string }[];
      }
    ).items.find((x) => x.id === later.id);
    expect(ended).toMatchObject({ active: false });
    expect(ended?.starts_at).toBe(ended?.ends_at);
  });
});
