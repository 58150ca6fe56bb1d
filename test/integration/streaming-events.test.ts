import { describe, expect, it } from "vitest";
import { as, expectProblem } from "../helpers";

const P = "/api/v1/streaming-analytics";

interface EventOut {
  id: string;
  event_id: string;
  source_id: string | null;
  event_type: string;
  payload: Record<string, unknown> | null;
  timestamp: string;
  processed: boolean;
}
interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

describe("data sources", () => {
  it("create, list, get, patch, delete, with health", async () => {
    const c = await as("src-org");
    const res = await c.post(`${P}/sources`, { name: "kafka-main", source_type: "kafka", config: { topic: "t" } });
    expect(res.status).toBe(201);
    const source = (await res.json()) as { id: string; health: Record<string, unknown>; config: unknown };
    expect(source.health).toEqual({ status: "idle", last_event_at: null, events_last_5m: 0 });
    expect(source.config).toEqual({ topic: "t" });

    await c.post(`${P}/events`, {
      events: [
        { event_type: "a", source_id: source.id },
        { event_type: "b", source_id: source.id },
      ],
    });
    const got = (await (await c.get(`${P}/sources/${source.id}`)).json()) as {
      health: { status: string; events_last_5m: number; last_event_at: string };
    };
    expect(got.health.status).toBe("healthy");
    expect(got.health.events_last_5m).toBe(2);
    expect(Date.parse(got.health.last_event_at)).toBeGreaterThan(Date.now() - 60_000);

    const list = (await (await c.get(`${P}/sources`)).json()) as Page<{ id: string }>;
    expect(list.items.map((s) => s.id)).toEqual([source.id]);

    const patched = await c.patch(`${P}/sources/${source.id}`, { description: "main topic", source_type: "http" });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ description: "main topic", source_type: "http", name: "kafka-main" });

    expect((await c.delete(`${P}/sources/${source.id}`)).status).toBe(204);
    await expectProblem(await c.get(`${P}/sources/${source.id}`), 404);
    await expectProblem(await c.delete(`${P}/sources/${source.id}`), 404);
    await expectProblem(await c.patch(`${P}/sources/${source.id}`, { name: "x" }), 404);
  });

  it("an error or critical alert about a source turns its health to error", async () => {
    const c = await as("src-org-err");
    const src = (await (await c.post(`${P}/sources`, { name: "hook", source_type: "webhook" })).json()) as {
      id: string;
    };
    await c.post(`${P}/events`, { events: [{ event_type: "a", source_id: src.id }] });
    await c.post(`${P}/alerts`, { severity: "warning", title: "slow", source_id: src.id });
    const health = async () =>
      ((await (await c.get(`${P}/sources/${src.id}`)).json()) as { health: { status: string } }).health;
    expect((await health()).status).toBe("healthy");
    await c.post(`${P}/alerts`, { severity: "error", title: "deliveries failing", source_id: src.id });
    expect((await health()).status).toBe("error");
  });

  it("400 on an unknown source_type, naming the field", async () => {
    const c = await as("src-org-2");
    const problem = await expectProblem(await c.post(`${P}/sources`, { name: "x", source_type: "ftp" }), 400);
    expect(problem.errors?.map((e) => e.path)).toEqual(["source_type"]);
  });
});

describe("events", () => {
  it("202 with accepted and duplicates; a re-sent batch is stored once", async () => {
    const c = await as("ev-org");
    const batch = { events: [1, 2, 3].map((i) => ({ event_id: `e${i}`, event_type: "click", payload: { i } })) };
    const first = await c.post(`${P}/events`, batch);
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ accepted: 3, duplicates: 0 });
    const again = await c.post(`${P}/events`, batch);
    expect(await again.json()).toEqual({ accepted: 0, duplicates: 3 });
    const page = (await (await c.get(`${P}/events`)).json()) as Page<EventOut>;
    expect(page.items).toHaveLength(3);
    expect(page.items.find((e) => e.event_id === "e2")?.payload).toEqual({ i: 2 });
  });

  it("counts duplicates inside one batch, and generates ids when absent", async () => {
    const c = await as("ev-org-dups");
    const res = await c.post(`${P}/events`, {
      events: [
        { event_id: "x", event_type: "a" },
        { event_id: "x", event_type: "b" },
        { event_type: "c" },
        { event_type: "c" },
      ],
    });
    expect(await res.json()).toEqual({ accepted: 3, duplicates: 1 });
    const page = (await (await c.get(`${P}/events?limit=10`)).json()) as Page<EventOut>;
    expect(page.items.map((e) => e.event_type).sort()).toEqual(["a", "c", "c"]);
    for (const e of page.items) expect(e.id).toBe(e.event_id);
  });

  it("one bad event: 400 naming each, and nothing stored", async () => {
    const c = await as("ev-org-bad");
    const events = Array.from({ length: 6 }, (_, i) => ({ event_type: `t${i}` })) as Record<string, unknown>[];
    events[3] = { event_type: 42 };
    events[5] = { event_type: "ok", timestamp: "yesterday" };
    const problem = await expectProblem(await c.post(`${P}/events`, { events }), 400);
    expect(problem.errors?.map((e) => e.path)).toEqual(["events.3.event_type", "events.5.timestamp"]);
    const page = (await (await c.get(`${P}/events`)).json()) as Page<EventOut>;
    expect(page.items).toHaveLength(0);
  });

  it("400 for an empty batch, over 1000 events, malformed JSON, a missing body", async () => {
    const c = await as("ev-org-bad2");
    await expectProblem(await c.post(`${P}/events`, { events: [] }), 400);
    const big = { events: Array.from({ length: 1001 }, () => ({ event_type: "a" })) };
    const problem = await expectProblem(await c.post(`${P}/events`, big), 400);
    expect(problem.errors?.[0]?.path).toBe("events");
    const raw = await fetchRaw(c.token, "{nope");
    await expectProblem(raw, 400);
    await expectProblem(await c.post(`${P}/events`, {}), 400);
  });

  it("422 for an unknown source_id, naming the event, nothing stored", async () => {
    const c = await as("ev-org-422");
    const src = (await (await c.post(`${P}/sources`, { name: "s", source_type: "http" })).json()) as { id: string };
    const problem = await expectProblem(
      await c.post(`${P}/events`, {
        events: [
          { event_type: "a", source_id: src.id },
          { event_type: "a", source_id: "nope" },
        ],
      }),
      422,
    );
    expect(problem.errors).toEqual([{ path: "events.1.source_id", message: expect.stringContaining("nope") }]);
    const page = (await (await c.get(`${P}/events`)).json()) as Page<EventOut>;
    expect(page.items).toHaveLength(0);
  });

  it("filters, newest first, and cursor pagination over every event exactly once", async () => {
    const c = await as("ev-org-list");
    const src = (await (await c.post(`${P}/sources`, { name: "s", source_type: "webhook" })).json()) as { id: string };
    const base = Date.parse("2026-11-01T00:00:00Z");
    const events = Array.from({ length: 25 }, (_, i) => ({
      event_id: `n${i}`,
      event_type: i % 2 === 0 ? "even" : "odd",
      timestamp: i % 3 === 0 ? new Date(base + i * 1000).toISOString() : base + i * 1000,
      ...(i < 10 ? { source_id: src.id } : {}),
    }));
    await c.post(`${P}/events`, { events });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const page = (await (await c.get(`${P}/events?limit=7${q}`)).json()) as Page<EventOut>;
      seen.push(...page.items.map((e) => e.event_id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(events.map((e) => e.event_id).reverse());

    const even = (await (await c.get(`${P}/events?event_type=even&limit=500`)).json()) as Page<EventOut>;
    expect(even.items).toHaveLength(13);
    expect(even.next_cursor).toBeNull();
    const bySource = (await (await c.get(`${P}/events?source_id=${src.id}`)).json()) as Page<EventOut>;
    expect(bySource.items).toHaveLength(10);
    const since = new Date(base + 20_000).toISOString();
    const window = (await (await c.get(`${P}/events?since=${since}&until=${base + 22_000}`)).json()) as Page<EventOut>;
    expect(window.items.map((e) => e.event_id)).toEqual(["n22", "n21", "n20"]);
    expect(window.items[0]?.timestamp).toBe(new Date(base + 22_000).toISOString());

    await expectProblem(await c.get(`${P}/events?cursor=garbage`), 400);
    await expectProblem(await c.get(`${P}/events?limit=501`), 400);
    await expectProblem(await c.get(`${P}/events?processed=maybe`), 400);
    await expectProblem(await c.get(`${P}/events?since=tomorrow`), 400);
  });

  it("POST /events/process marks events processed, idempotently", async () => {
    const c = await as("ev-org-proc");
    await c.post(`${P}/events`, {
      events: [
        { event_id: "p1", event_type: "a" },
        { event_id: "p2", event_type: "a" },
        { event_id: "p3", event_type: "a" },
      ],
    });
    const first = await c.post(`${P}/events/process`, { event_ids: ["p1", "p2", "missing"] });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ processed: 2 });
    const again = await c.post(`${P}/events/process`, { event_ids: ["p1", "p2", "missing"] });
    expect(await again.json()).toEqual({ processed: 2 });
    const done = (await (await c.get(`${P}/events?processed=true`)).json()) as Page<EventOut>;
    expect(done.items.map((e) => e.event_id).sort()).toEqual(["p1", "p2"]);
    const open = (await (await c.get(`${P}/events?processed=false`)).json()) as Page<EventOut>;
    expect(open.items.map((e) => e.event_id)).toEqual(["p3"]);
    await expectProblem(await c.post(`${P}/events/process`, { event_ids: [] }), 400);
  });

  it("scopes: ingest needs the ingest scope, reads need read", async () => {
    const reader = await as("ev-org-scope", "read");
    await expectProblem(await reader.post(`${P}/events`, { events: [{ event_type: "a" }] }), 403);
    const ingester = await as("ev-org-scope", "ingest");
    expect((await ingester.post(`${P}/events`, { events: [{ event_type: "a" }] })).status).toBe(202);
    await expectProblem(await ingester.get(`${P}/events`), 403);
    await expectProblem(await ingester.post(`${P}/sources`, { name: "s", source_type: "http" }), 403);
  });
});

async function fetchRaw(token: string, body: string): Promise<Response> {
  const { api } = await import("../helpers");
  return api(`${P}/events`, { token, method: "POST", rawBody: body, headers: { "Content-Type": "application/json" } });
}
