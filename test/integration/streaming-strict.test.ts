import { describe, expect, it } from "vitest";
import { as, expectProblem } from "../helpers";
import { pinClock } from "../org-object";
import { MINIMAL_RULE } from "./streaming-fixtures";

const P = "/api/v1/streaming-analytics";
const UNKNOWN = "is read-only or unknown: not accepted in this request";

// Found by an outside probe: these routes ignored unknown and read-only fields (POST /alerts with
// "status": "resolved" answered 201 with an open alert; a misspelt "for_second" fell back to the
// default), while every A/B route refused them. Now each is a 400 naming the field, and nothing is stored.
describe("streaming write routes refuse unknown and read-only fields, naming each", () => {
  const rule = MINIMAL_RULE;
  it.each([
    ["POST /sources", "POST", "/sources", { name: "s", source_type: "http", id: "mine" }, ["id"]],
    ["POST /events (top level)", "POST", "/events", { events: [{ event_type: "a" }], dry_run: true }, ["dry_run"]],
    [
      "POST /events (an event)",
      "POST",
      "/events",
      { events: [{ event_type: "a" }, { event_type: "b", processed: true }] },
      ["events.1.processed"],
    ],
    ["POST /events/process", "POST", "/events/process", { event_ids: ["x"], all: true }, ["all"]],
    [
      "POST /predictions (one)",
      "POST",
      "/predictions",
      { model_name: "m", prediction: 1, confidence: 0.5, id: "p" },
      ["id"],
    ],
    [
      "POST /predictions (batch)",
      "POST",
      "/predictions",
      { predictions: [{ model_name: "m", prediction: 1, confidence: 0.5, modelname: "x" }] },
      ["predictions.0.modelname"],
    ],
    ["POST /metrics (one)", "POST", "/metrics", { name: "m", value: 1, unit: "ms" }, ["unit"]],
    [
      "POST /metrics (batch)",
      "POST",
      "/metrics",
      {
        metrics: [
          { name: "m", value: 1 },
          { name: "m", value: 2, tag: { a: "b" } },
        ],
      },
      ["metrics.1.tag"],
    ],
    [
      "POST /alerts",
      "POST",
      "/alerts",
      { severity: "info", title: "x", status: "resolved", occurrences: 9 },
      ["status", "occurrences"],
    ],
    ["POST /alert-rules", "POST", "/alert-rules", { ...rule, for_second: 60 }, ["for_second"]],
  ] as const)("%s", async (name, method, path, body, paths) => {
    const c = await as(`strict-${name.replace(/[^A-Za-z0-9]+/g, "-")}`.slice(0, 64));
    const res = method === "POST" ? await c.post(`${P}${path}`, body) : await c.patch(`${P}${path}`, body);
    const problem = await expectProblem(res, 400);
    expect(problem.errors).toEqual(paths.map((p) => ({ path: p, message: UNKNOWN })));
    // Nothing stored: the organization's dashboard is still empty.
    const summary = (await (await c.get(`${P}/dashboard`)).json()) as {
      events: { total: number };
      predictions: { total: number };
      alerts: { by_status: Record<string, number> };
      sources: unknown[];
      metrics: unknown[];
    };
    expect(summary.events.total).toBe(0);
    expect(summary.predictions.total).toBe(0);
    expect(Object.values(summary.alerts.by_status).reduce((a, b) => a + b, 0)).toBe(0);
    expect(summary.sources).toEqual([]);
    expect(summary.metrics).toEqual([]);
    expect(((await (await c.get(`${P}/alert-rules`)).json()) as { items: unknown[] }).items).toEqual([]);
  });

  // Found by an outside probe (D4): these two took a misspelt "min_severty" (a channel at the default
  // severity) and "created_by"/"active" on a silence without a word, while PATCH /channels refused them.
  it.each([
    [
      "POST /channels",
      "/channels",
      { name: "oncall", type: "webhook", url: "https://hooks.example.com/a", min_severty: "critical", secret: "mine" },
      ["min_severty", "secret"],
    ],
    [
      "POST /silences",
      "/silences",
      {
        matchers: { severity: "warning" },
        ends_at: "2099-01-01T00:00:00Z",
        bogus: 1,
        created_by: "mallory",
        active: false,
      },
      ["bogus", "created_by", "active"],
    ],
  ] as const)("%s too; nothing is stored", async (name, path, body, paths) => {
    const c = await as(`strict-${name.replace(/[^A-Za-z0-9]+/g, "-")}`);
    const problem = await expectProblem(await c.post(`${P}${path}`, body), 400);
    expect(problem.errors).toEqual(paths.map((p) => ({ path: p, message: UNKNOWN })));
    expect(((await (await c.get(`${P}${path}`)).json()) as { items: unknown[] }).items).toEqual([]);
  });

  it("PATCH /sources/:id and alert actions too; the source and the alert are unchanged", async () => {
    const c = await as("strict-patch");
    const source = (await (await c.post(`${P}/sources`, { name: "s", source_type: "http" })).json()) as Record<
      string,
      unknown
    >;
    const patch = await c.patch(`${P}/sources/${source.id}`, {
      name: "t",
      created_at: "2000-01-01T00:00:00Z",
      health: {},
    });
    expect((await expectProblem(patch, 400)).errors).toEqual([
      { path: "created_at", message: UNKNOWN },
      { path: "health", message: UNKNOWN },
    ]);
    expect(await (await c.get(`${P}/sources/${source.id}`)).json()).toMatchObject({
      name: "s",
      updated_at: source.updated_at,
    });
    // An empty PATCH is a no-op: 200 with the source as it was, updated_at included.
    await pinClock("strict-patch", Date.now() + 60_000);
    const empty = await c.patch(`${P}/sources/${source.id}`, {});
    expect(empty.status).toBe(200);
    expect(await empty.json()).toMatchObject({ name: "s", updated_at: source.updated_at });

    const alert = (await (await c.post(`${P}/alerts`, { severity: "info", title: "x" })).json()) as { id: string };
    const ack = await c.post(`${P}/alerts/${alert.id}/acknowledge`, { note: "n", by: "someone-else" });
    expect((await expectProblem(ack, 400)).errors).toEqual([{ path: "by", message: UNKNOWN }]);
    expect(await (await c.get(`${P}/alerts/${alert.id}`)).json()).toMatchObject({ status: "open", notes: [] });
  });
});

// Found by an outside probe: a NUL in an event_type was stored and echoed, and then tools reading
// GET /events refused the answer; an empty primary_metric was also told it held control characters.
describe("names without control characters, each problem reported once", () => {
  it("an event_type or a source name with a control character is 400 naming it", async () => {
    const c = await as("strict-control");
    const events = await c.post(`${P}/events`, { events: [{ event_type: "ok" }, { event_type: "a\u0000b" }] });
    expect((await expectProblem(events, 400)).errors).toEqual([
      { path: "events.1.event_type", message: "must not contain control characters" },
    ]);
    const source = await c.post(`${P}/sources`, { name: "line\nbreak", source_type: "http" });
    expect((await expectProblem(source, 400)).errors).toEqual([
      { path: "name", message: "must not contain control characters" },
    ]);
    expect(await c.post(`${P}/events`, { events: [{ event_type: "checkout · ✓ é" }] })).toHaveProperty("status", 202);
  });

  it("an empty metric name is one error (its length), not also a control-character one", async () => {
    const c = await as("strict-empty-metric");
    const res = await c.post("/api/v1/ab-testing/experiments", { key: "e", experiment_name: "E", primary_metric: "" });
    expect((await expectProblem(res, 400)).errors?.map((e) => e.path)).toEqual(["primary_metric"]);
  });
});
