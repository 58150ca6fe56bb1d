import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { EventOutT } from "../../src/streaming/schemas";
import type { OrgObject } from "../../src/streaming/org-object";
import type { Publishable } from "../../src/streaming/live/protocol";
import { tokenFor } from "../helpers";
import { connectWithTicket, connectWithToken, type LiveClient } from "./live-client";
import { ManualClock } from "./manual-clock";

// These drive the hub directly inside the real object (real sockets, real hibernation), so they
// pin the push machinery independently of the ingestion routes; live-messages.test.ts goes through them.

let seq = 0;
function event(type = "click"): EventOutT {
  seq++;
  const at = new Date().toISOString();
  return {
    id: `e${seq}`,
    event_id: `e${seq}`,
    source_id: null,
    event_type: type,
    payload: { n: seq },
    timestamp: at,
    received_at: at,
    processed: false,
    processed_at: null,
  };
}

const stub = (org: string) => env.ORG.getByName(org);
const publish = (org: string, ...messages: Publishable[]) =>
  runInDurableObject(stub(org), (instance: OrgObject) => {
    for (const m of messages) instance.live.publish(m);
  });
/** Installs a manual clock on the org's hub: from then on its flushes happen only in `step`. */
async function manualClock(org: string): Promise<ManualClock> {
  const clock = new ManualClock();
  await runInDurableObject(stub(org), (instance: OrgObject) => {
    instance.hub.clock = clock;
  });
  return clock;
}
/** Publishes, then moves the org's manual clock by `ms` (inside the object, where its sockets live). */
const step = (org: string, clock: ManualClock, ms: number, ...messages: Publishable[]) =>
  runInDurableObject(stub(org), (instance: OrgObject) => {
    for (const m of messages) instance.live.publish(m);
    clock.advance(ms);
  });
const eventIds = (c: LiveClient) => c.of("events").flatMap((m) => m.data.map((e) => e.event_id));

async function open(org: string): Promise<LiveClient> {
  const c = await connectWithToken(await tokenFor(org));
  // The first frame is always the snapshot (or an error saying it could not be built).
  await c.until((x) => x.raw.length >= 1, "first frame");
  return c;
}

describe("LiveHub", () => {
  it("sends the snapshot (or its error) as the very first frame", async () => {
    const c = await connectWithTicket(await tokenFor("first"));
    await c.until((x) => x.raw.length >= 1);
    expect(["snapshot", "error"]).toContain(c.messages[0]?.type);
    expect(c.invalid).toEqual([]);
    c.close();
  });

  it("coalesces a burst of event batches into one message per 100 ms slot, losing none", async () => {
    const c = await open("burst");
    const clock = await manualClock("burst");
    const sent: string[] = [];
    // 50 batches, one every 20 ms of the hub's clock: 1 s of traffic.
    for (let i = 0; i < 50; i++) {
      const batch = [event(), event()];
      sent.push(...batch.map((e) => e.event_id));
      await step("burst", clock, 20, { type: "events", data: batch });
    }
    await c.until((x) => eventIds(x).length >= sent.length, "all events");
    expect(eventIds(c)).toEqual(sent); // every event, once, in order
    // The first batch at once (t = 0), then one message per slot at t = 100, 200, ... 1000.
    expect(c.of("events")).toHaveLength(11);
    expect(c.of("events").map((m) => Date.parse(m.at) - Date.UTC(2026, 10, 1))).toEqual(
      Array.from({ length: 11 }, (_, k) => k * 100),
    );
    expect(c.invalid).toEqual([]);
    c.close();
  });

  it("sends alerts at once, after flushing the events that were waiting", async () => {
    const c = await open("alerts");
    const alert = {
      id: "a1",
      severity: "critical" as const,
      status: "open" as const,
      title: "down",
      message: null,
      source_id: null,
      fingerprint: null,
      occurrences: 1,
      created_at: new Date().toISOString(),
      last_seen_at: new Date().toISOString(),
      acknowledged_at: null,
      acknowledged_by: null,
      resolved_at: null,
      resolved_by: null,
      notes: [],
      silenced: false,
      history: [],
    };
    // The first batch leaves at once; the second waits for the next slot, until the alert pushes it out.
    await publish(
      "alerts",
      { type: "events", data: [event()] },
      { type: "events", data: [event()] },
      { type: "alert", data: alert },
    );
    await c.next("alert");
    const types = c.messages.map((m) => m.type);
    expect(types.slice(-3)).toEqual(["events", "events", "alert"]);
    c.close();
  });

  it("collapses metric points of one window to the latest per name", async () => {
    const c = await open("metrics");
    const point = (name: string, value: number) => ({
      type: "metric" as const,
      data: { name, value, timestamp: new Date().toISOString(), tags: {} },
    });
    const clock = await manualClock("metrics");
    // The warmup takes the immediate slot; the rest wait for the next one, 100 ms later.
    await step(
      "metrics",
      clock,
      0,
      point("warmup", 0),
      point("cpu", 1),
      point("cpu", 2),
      point("cpu", 3),
      point("mem", 9),
    );
    await step("metrics", clock, 250);
    // The sentinel goes out after everything the metrics could have caused; it must come last.
    const sentinel = event("sentinel");
    await step("metrics", clock, 0, { type: "events", data: [sentinel] });
    await c.until((x) => eventIds(x).includes(sentinel.event_id));
    const got = c.of("metric").map((m) => `${m.data.name}=${m.data.value}`);
    expect(got).toEqual(["warmup=0", "cpu=3", "mem=9"]);
    expect(c.messages.map((m) => m.type)).toEqual(["snapshot", "metric", "metric", "metric", "events"]);
    c.close();
  });

  it("answers the exact ping without the object and any other spelling through it", async () => {
    const c = await open("ping");
    c.send('{"type":"ping"}');
    await c.until((x) => x.raw.includes('{"type":"pong"}'));
    c.send('{ "type": "ping" }');
    await c.until((x) => x.raw.filter((r) => r === '{"type":"pong"}').length >= 2);
    expect(c.of("pong")).toHaveLength(2);
    c.close();
  });

  it("answers garbage frames with an error to that socket only, and closes oversized ones with 1009", async () => {
    const bad = await open("garbage");
    const good = await open("garbage");
    bad.send("{not json");
    const e1 = await bad.next("error");
    expect(e1.data.code).toBe("invalid_json");
    bad.send({ type: "launch" });
    expect((await bad.next("error", 2)).data.code).toBe("invalid_message");
    bad.ws.send(new Uint8Array([1, 2, 3]));
    expect((await bad.next("error", 3)).data.code).toBe("binary_not_supported");

    await publish("garbage", { type: "events", data: [event()] });
    await good.next("events");
    await bad.next("events");
    expect(good.of("error")).toHaveLength(0);

    bad.send({ type: "subscribe", event_types: ["x".repeat(5000)] });
    expect((await bad.waitClosed()).code).toBe(1009);
    await publish("garbage", { type: "events", data: [event()] });
    await good.next("events", 2);
    good.close();
  });

  it("filters events by subscription, and keeps the filter in the attachment across eviction", async () => {
    const c = await open("subscribe");
    c.send({ type: "subscribe", event_types: ["buy"] });
    c.send({ type: "ping", after: "subscribe" }); // goes through the object, so it orders after subscribe
    await c.until((x) => x.of("pong").length >= 1);

    await evictDurableObject(stub("subscribe"));
    const buy = event("buy");
    await publish("subscribe", { type: "events", data: [event("view"), buy, event("view")] });
    const msg = await c.next("events");
    expect(msg.data.map((e) => e.event_id)).toEqual([buy.event_id]);

    const attachments = await runInDurableObject(stub("subscribe"), (_i: OrgObject, state) =>
      state.getWebSockets().map((ws) => ws.deserializeAttachment() as Record<string, unknown>),
    );
    expect(attachments).toEqual([
      expect.objectContaining({ v: 1, org: "subscribe", sub: "tester@example.com", event_types: ["buy"] }),
    ]);
    c.close();
  });

  it("one flush, many sockets and filters: each socket gets its filter's frames, in order, byte-identical within a filter", async () => {
    const org = "many";
    const groups: { filter: string[] | null; clients: LiveClient[] }[] = [
      { filter: null, clients: [] },
      { filter: ["buy"], clients: [] },
      { filter: ["view", "buy"], clients: [] },
      { filter: ["none"], clients: [] },
    ];
    for (const g of groups) {
      for (let i = 0; i < 8; i++) {
        const c = await open(org);
        if (g.filter !== null) {
          c.send({ type: "subscribe", event_types: g.filter });
          c.send({ type: "ping", after: "subscribe" });
          await c.until((x) => x.of("pong").length >= 1);
        }
        g.clients.push(c);
      }
    }
    const clock = await manualClock(org);
    const view = event("view");
    const buy = event("buy");
    const metric = { name: "m", value: 1, timestamp: new Date().toISOString(), tags: {} };
    // A first event leaves at once and opens a slot; the events and the metric published inside it
    // wait for its end, then leave in one send pass (events first).
    await step(org, clock, 10, { type: "events", data: [event("warm")] });
    await step(org, clock, 0, { type: "events", data: [view, buy] }, { type: "metric", data: metric });
    await step(org, clock, 100);
    const expected = [
      ["events:warm", "events:view,buy", "metric"],
      ["events:buy", "metric"],
      ["events:view,buy", "metric"],
      ["metric"],
    ];
    for (const [k, g] of groups.entries()) {
      for (const c of g.clients) {
        await c.until((x) => x.of("metric").length >= 1, "the metric");
        const seen = c.messages
          .filter((m) => m.type !== "snapshot" && m.type !== "pong")
          .map((m) => (m.type === "events" ? `events:${m.data.map((e) => e.event_type).join(",")}` : m.type));
        expect(seen).toEqual(expected[k]);
        expect(c.invalid).toEqual([]);
      }
      const frames = g.clients.map((c) => c.raw.filter((r) => !r.includes('"snapshot"') && !r.includes('"pong"')));
      for (const f of frames) expect(f).toEqual(frames[0]);
    }
    for (const g of groups) for (const c of g.clients) c.close();
  });

  it("keeps its broadcast set true after it is built: joins, filter changes and closes between flushes", async () => {
    const org = "regroup";
    const a = await open(org);
    await publish(org, { type: "events", data: [event("view")] }); // builds the hub's socket set
    await a.next("events");

    const b = await open(org); // joins an already built set
    const listening = () => runInDurableObject(stub(org), (i: OrgObject) => i.hub.listening());
    const first = event("view");
    await publish(org, { type: "events", data: [first] });
    expect((await b.next("events")).data.map((e) => e.event_id)).toEqual([first.event_id]);

    a.send({ type: "subscribe", event_types: ["buy"] }); // changes a's group
    a.send({ type: "ping", after: "subscribe" });
    await a.until((x) => x.of("pong").length >= 1);
    const view = event("view");
    const buy = event("buy");
    await publish(org, { type: "events", data: [view, buy] });
    await a.until((x) => x.of("events").some((m) => m.data.some((e) => e.event_id === buy.event_id)));
    const last = a.of("events").at(-1);
    expect(last?.data.map((e) => e.event_id)).toEqual([buy.event_id]);

    b.close();
    expect(await listening()).toBe(true);
    const after = event("buy");
    await publish(org, { type: "events", data: [after] });
    await a.until((x) => x.of("events").some((m) => m.data.some((e) => e.event_id === after.event_id)));
    a.close();
  });

  it("keeps sockets through eviction: they receive later broadcasts", async () => {
    const a = await open("evict");
    const b = await open("evict");
    await evictDurableObject(stub("evict"));
    await publish("evict", { type: "events", data: [event()] });
    await a.next("events");
    await b.next("events");
    expect(a.closed).toBeNull();
    a.close();
    b.close();
  });

  it("closes with 1012 a socket whose attachment is from an unknown version", async () => {
    const c = await open("legacy");
    await runInDurableObject(stub("legacy"), (_i: OrgObject, state) => {
      for (const ws of state.getWebSockets()) ws.serializeAttachment({ v: 99, whatever: true });
    });
    await evictDurableObject(stub("legacy"));
    await publish("legacy", { type: "events", data: [event()] });
    expect((await c.waitClosed()).code).toBe(1012);
    expect(c.of("events")).toHaveLength(0);
  });

  it("never sends one organization's messages to another's sockets", async () => {
    const a = await open("org-a");
    const b = await open("org-b");
    const before = b.raw.length;
    await publish("org-a", { type: "events", data: [event()] });
    await a.next("events");
    // b's own sentinel, published after a's event: it must be the only thing b received.
    const sentinel = event();
    await publish("org-b", { type: "events", data: [sentinel] });
    await b.next("events");
    expect(b.raw.slice(before).map((r) => (JSON.parse(r) as { type: string }).type)).toEqual(["events"]);
    expect(eventIds(b)).toEqual([sentinel.event_id]);
    a.close();
    b.close();
  });
});
