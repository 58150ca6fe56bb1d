import { env, evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { as } from "../helpers";
import { connectWithTicket, connectWithToken, type LiveClient } from "./live-client";

// Every message type, caused by the public API as a client would cause it, and read back through
// the shared protocol module (a frame it cannot parse fails LiveClient.invalid).

const BASE = "/api/v1/streaming-analytics";
const eventIds = (c: LiveClient) => c.of("events").flatMap((m) => m.data.map((e) => e.event_id));

async function session(org: string) {
  const client = await as(org);
  const socket = await connectWithTicket(client.token);
  await socket.next("snapshot");
  return { client, socket };
}

describe("live messages from the API", () => {
  it("opens with the dashboard summary as snapshot", async () => {
    const client = await as("snap");
    const res = await client.post(`${BASE}/events`, {
      events: [
        { event_id: "s1", event_type: "view" },
        { event_id: "s2", event_type: "view" },
      ],
    });
    expect(res.status).toBe(202);
    const socket = await connectWithToken(client.token);
    const snapshot = await socket.next("snapshot");
    expect(socket.messages[0]?.type).toBe("snapshot");
    expect(snapshot.data.events.total).toBe(2);
    expect(snapshot.data.recent_events.map((e) => e.event_id).sort()).toEqual(["s1", "s2"]);
    expect(Date.parse(snapshot.at)).not.toBeNaN();
    socket.close();
  });

  it("pushes events after POST /events", async () => {
    const { client, socket } = await session("ev");
    const res = await client.post(`${BASE}/events`, {
      events: [
        { event_id: "a", event_type: "click", payload: { x: 1 } },
        { event_id: "b", event_type: "click" },
      ],
    });
    expect(res.status).toBe(202);
    const msg = await socket.next("events");
    expect(msg.data.map((e) => e.event_id)).toEqual(["a", "b"]);
    expect(msg.data[0]?.payload).toEqual({ x: 1 });
    // A re-sent batch stores nothing, so nothing is pushed.
    await client.post(`${BASE}/events`, { events: [{ event_id: "a", event_type: "click" }] });
    await client.post(`${BASE}/events`, { events: [{ event_id: "c", event_type: "click" }] });
    await socket.until((s) => eventIds(s).includes("c"));
    expect(eventIds(socket)).toEqual(["a", "b", "c"]);
    expect(socket.invalid).toEqual([]);
    socket.close();
  });

  it("events and predictions frames carry the org's running totals, as GET /dashboard counts them, whatever the socket's filter", async () => {
    const { client, socket } = await session("totals");
    socket.send({ type: "subscribe", event_types: ["buy"] });
    socket.send({ type: "ping" }); // through the object: the pong comes after the filter applies
    await socket.next("pong");
    expect(
      (await client.post(`${BASE}/events`, { events: [{ event_type: "view" }, { event_type: "buy" }] })).status,
    ).toBe(202);
    const first = await socket.next("events");
    // The filter shows one event; the total counts both.
    expect(first.data.map((e) => e.event_type)).toEqual(["buy"]);
    expect(first.total).toBe(2);
    await client.post(`${BASE}/events`, {
      events: [{ event_type: "buy" }, { event_type: "buy" }, { event_type: "x" }],
    });
    expect((await socket.next("events", 2)).total).toBe(5);

    await client.post(`${BASE}/predictions`, {
      predictions: [
        { model_name: "m", prediction: 1, confidence: 0.5 },
        { model_name: "m", prediction: 2, confidence: 0.9 },
      ],
    });
    const predictions = await socket.next("predictions");
    const dashboard = (await (await client.get(`${BASE}/dashboard`)).json()) as {
      events: { total: number };
      predictions: { total: number; mean_confidence: number };
    };
    expect(predictions.total).toBe(dashboard.predictions.total);
    expect(predictions.total).toBe(2);
    expect(predictions.mean_confidence).toBeCloseTo(dashboard.predictions.mean_confidence, 12);
    expect(predictions.mean_confidence).toBeCloseTo(0.7, 12);
    expect(dashboard.events.total).toBe(5);
    expect(socket.invalid).toEqual([]);
    socket.close();
  });

  it("pushes predictions as one `predictions` array per flush, never one frame per prediction", async () => {
    const { client, socket } = await session("pred");
    const res = await client.post(`${BASE}/predictions`, {
      model_name: "churn",
      prediction: { label: "stay" },
      confidence: 0.9,
    });
    expect(res.status).toBe(201);
    const msg = await socket.next("predictions");
    expect(msg.data).toEqual([
      expect.objectContaining({ model_name: "churn", confidence: 0.9, prediction: { label: "stay" } }),
    ]);

    const batch = Array.from({ length: 1000 }, (_, i) => ({ model_name: "churn", prediction: i, confidence: 0.5 }));
    expect((await client.post(`${BASE}/predictions`, { predictions: batch })).status).toBe(201);
    const count = () => socket.of("predictions").reduce((n, m) => n + (m.data as unknown[]).length, 0);
    await socket.until(() => count() === 1001);
    // The batch arrived whole in one frame (the first prediction had its own flush).
    expect(socket.of("predictions")).toHaveLength(2);
    expect(socket.of("prediction")).toEqual([]);
    socket.close();
  });

  it("pushes alert on open and alert_updated on repeat, acknowledge and resolve", async () => {
    const { client, socket } = await session("alrt");
    const created = await client.post(`${BASE}/alerts`, { severity: "critical", title: "db down", fingerprint: "db" });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const opened = await socket.next("alert");
    expect(opened.data).toMatchObject({ id, status: "open", severity: "critical", occurrences: 1 });

    expect(
      (await client.post(`${BASE}/alerts`, { severity: "critical", title: "db down", fingerprint: "db" })).status,
    ).toBe(200);
    expect((await socket.next("alert_updated", 1)).data).toMatchObject({ id, occurrences: 2 });

    expect((await client.post(`${BASE}/alerts/${id}/acknowledge`, { note: "on it" })).status).toBe(200);
    expect((await socket.next("alert_updated", 2)).data).toMatchObject({ id, status: "acknowledged" });

    expect((await client.post(`${BASE}/alerts/${id}/resolve`, {})).status).toBe(200);
    expect((await socket.next("alert_updated", 3)).data).toMatchObject({ id, status: "resolved" });
    expect(socket.of("alert")).toHaveLength(1);
    socket.close();
  });

  it("pushes the alert an alert rule opens when a metric crosses it, after the metric that caused it", async () => {
    const { client, socket } = await session("rule");
    const rule = await client.post(`${BASE}/alert-rules`, {
      name: "hot",
      metric_name: "cpu",
      aggregation: "max",
      window_seconds: 60,
      operator: "gt",
      threshold: 90,
      severity: "critical",
    });
    expect(rule.status).toBe(201);
    const { id } = (await rule.json()) as { id: string };
    expect((await client.post(`${BASE}/metrics`, { name: "cpu", value: 97 })).status).toBe(202);
    const opened = await socket.next("alert");
    expect(opened.data).toMatchObject({ fingerprint: `rule:${id}`, severity: "critical", status: "open" });
    // The point that crossed the threshold is on the socket before the alert it caused.
    await socket.until((c) => c.of("metric").some((m) => m.data.name === "cpu"), "the cpu metric");
    const order = socket.messages.map((m) => (m.type === "metric" ? `metric:${m.data.name}` : m.type));
    expect(order.indexOf("metric:cpu")).toBeLessThan(order.indexOf("alert"));
    socket.close();
  });

  it("a back-dated point is stored but not pushed as the metric's current value", async () => {
    const { client, socket } = await session("backdated");
    expect((await client.post(`${BASE}/metrics`, { name: "lt", value: 1 })).status).toBe(202);
    await socket.until((c) => c.of("metric").some((m) => m.data.value === 1), "the first point");
    const dayAgo = Date.now() - 30 * 3_600_000;
    expect((await client.post(`${BASE}/metrics`, { name: "lt", value: 3, timestamp: dayAgo })).status).toBe(202);
    // The sentinel is another metric, so a frame for lt could not be replaced by a newer lt in its slot.
    expect((await client.post(`${BASE}/metrics`, { name: "sentinel", value: 0 })).status).toBe(202);
    await socket.until((c) => c.of("metric").some((m) => m.data.name === "sentinel"), "the sentinel point");
    expect(socket.of("metric").map((m) => [m.data.name, m.data.value])).toEqual([
      ["lt", 1],
      ["sentinel", 0],
    ]);
    const summary = (await (await client.get(`${BASE}/metrics`)).json()) as {
      items: { name: string; latest: number }[];
    };
    expect(summary.items.find((m) => m.name === "lt")).toMatchObject({ latest: 1 });
    socket.close();
  });

  it("pushes a metric after POST /metrics", async () => {
    const { client, socket } = await session("metr");
    const res = await client.post(`${BASE}/metrics`, { name: "latency_ms", value: 42, tags: { region: "eu" } });
    expect(res.status).toBe(202);
    const msg = await socket.next("metric");
    expect(msg.data).toMatchObject({ name: "latency_ms", value: 42, tags: { region: "eu" } });
    socket.close();
  });

  it("coalesces 50 concurrent ingest batches: few messages, every event exactly once", async () => {
    const { client, socket } = await session("flood");
    const started = Date.now();
    const all: string[] = [];
    const posts = Array.from({ length: 50 }, (_, i) => {
      const events = [0, 1].map((j) => ({ event_id: `f${i}-${j}`, event_type: "tick" }));
      all.push(...events.map((e) => e.event_id));
      return client.post(`${BASE}/events`, { events });
    });
    for (const res of await Promise.all(posts)) expect(res.status).toBe(202);
    await socket.until((s) => eventIds(s).length >= all.length, "every event");
    const elapsed = Date.now() - started;
    const ids = eventIds(socket);
    expect(ids.length).toBe(all.length);
    expect(new Set(ids)).toEqual(new Set(all));
    expect(socket.of("events").length).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 1);
    socket.close();
  });

  it("reaches sockets that outlived an eviction of the object", async () => {
    const { client, socket } = await session("hib");
    await evictDurableObject(env.ORG.getByName("hib"));
    await client.post(`${BASE}/events`, { events: [{ event_id: "after", event_type: "wake" }] });
    expect((await socket.next("events")).data.map((e) => e.event_id)).toEqual(["after"]);
    socket.close();
  });

  it("keeps organizations apart", async () => {
    const a = await session("iso-a");
    const b = await session("iso-b");
    const before = b.socket.raw.length;
    await a.client.post(`${BASE}/events`, { events: [{ event_type: "secret" }] });
    await a.client.post(`${BASE}/alerts`, { severity: "info", title: "only a" });
    await a.socket.next("alert");
    // b's own sentinel, sent after a's writes: it must be the only thing b received.
    await b.client.post(`${BASE}/events`, { events: [{ event_id: "b-sentinel", event_type: "mine" }] });
    await b.socket.next("events");
    expect(b.socket.raw.slice(before).map((r) => (JSON.parse(r) as { type: string }).type)).toEqual(["events"]);
    expect(eventIds(b.socket)).toEqual(["b-sentinel"]);
    a.socket.close();
    b.socket.close();
  });
});
