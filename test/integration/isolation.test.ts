// A token of organization B can neither read, change nor detect organization A's resources: for every
// route taking an id, B's answer for A's real id is the same as for an id that exists nowhere.
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { as } from "../helpers";

type Client = Awaited<ReturnType<typeof as>>;
let a: Client;
let b: Client;
const A: Record<string, string> = {};
const MISSING = "does-not-exist-0000";

async function body<T>(res: Response): Promise<T> {
  const text = await res.text();
  if (res.status >= 300) throw new Error(`setup failed ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

beforeAll(async () => {
  a = await as("org-a");
  b = await as("org-b");
  const exp = await body<{ id: string; variants: { id: string }[] }>(
    await a.post("/api/v1/ab-testing/experiments", {
      key: "secret_test",
      experiment_name: "Secret",
      variants: [
        { key: "c", variant_name: "C", variant_type: "control", traffic_percentage: 50 },
        { key: "t", variant_name: "T", variant_type: "treatment", traffic_percentage: 50 },
      ],
    }),
  );
  A.experiment = exp.id;
  A.variant = exp.variants[0]?.id ?? "";
  const draft = await body<{ id: string }>(
    await a.post("/api/v1/ab-testing/experiments", { key: "secret_draft", experiment_name: "D" }),
  );
  A.draft = draft.id;
  await body(await a.post(`/api/v1/ab-testing/experiments/${A.experiment}/start`));
  A.source = (
    await body<{ id: string }>(await a.post("/api/v1/streaming-analytics/sources", { name: "s", source_type: "http" }))
  ).id;
  A.alert = (
    await body<{ id: string }>(
      await a.post("/api/v1/streaming-analytics/alerts", { severity: "error", title: "t", fingerprint: "fp-a" }),
    )
  ).id;
  A.rule = (
    await body<{ id: string }>(
      await a.post("/api/v1/streaming-analytics/alert-rules", {
        name: "r",
        metric_name: "latency",
        aggregation: "avg",
        window_seconds: 60,
        operator: "gt",
        threshold: 1000,
        severity: "warning",
      }),
    )
  ).id;
  await body(
    await a.post("/api/v1/streaming-analytics/events", {
      events: [{ event_id: "evt-a-1", event_type: "secret", source_id: A.source }],
    }),
  );
  await body(await a.post("/api/v1/streaming-analytics/metrics", { name: "secret_metric", value: 42 }));
});

/** Compares B's answer for A's id with B's answer for a missing id, masking the id itself. */
async function sameAsMissing(call: (id: string) => Promise<Response>, id: string): Promise<void> {
  const mask = (text: string, value: string) =>
    text
      .split(value)
      .join("<id>")
      .replace(/"request_id":"[^"]+"/, "");
  const real = await call(id);
  const missing = await call(MISSING);
  expect(real.status, `status for ${id}`).toBe(missing.status);
  expect(mask(await real.text(), id)).toBe(mask(await missing.text(), MISSING));
}

const ab = "/api/v1/ab-testing";
const st = "/api/v1/streaming-analytics";

describe("organization B cannot detect organization A's experiments", () => {
  const cases: [string, (id: string) => Promise<Response>][] = [
    ["GET experiment", (id) => b.get(`${ab}/experiments/${id}`)],
    ["PATCH experiment", (id) => b.patch(`${ab}/experiments/${id}`, { description: "pwned" })],
    ["DELETE experiment", (id) => b.delete(`${ab}/experiments/${id}`)],
    ["start", (id) => b.post(`${ab}/experiments/${id}/start`)],
    ["pause", (id) => b.post(`${ab}/experiments/${id}/pause`)],
    ["complete", (id) => b.post(`${ab}/experiments/${id}/complete`, {})],
    ["GET variants", (id) => b.get(`${ab}/experiments/${id}/variants`)],
    [
      "POST variant",
      (id) =>
        b.post(`${ab}/experiments/${id}/variants`, {
          key: "x",
          variant_name: "X",
          variant_type: "treatment",
          traffic_percentage: 0,
        }),
    ],
    ["assign", (id) => b.post(`${ab}/experiments/${id}/assign`, { user_id: "u1" })],
    [
      "POST results",
      (id) => b.post(`${ab}/experiments/${id}/results`, { metric_name: "m", metric_value: 1, user_id: "u1" }),
    ],
    ["GET results", (id) => b.get(`${ab}/experiments/${id}/results`)],
  ];
  it.each(cases)("%s answers as for a missing id", async (_name, call) => {
    await sameAsMissing(call, A.experiment as string);
    await sameAsMissing(call, A.draft as string);
  });

  it("lists, the config and bulk assignment show none of A's experiments", async () => {
    const list = await body<{ items: unknown[] }>(await b.get(`${ab}/experiments`));
    expect(list.items).toEqual([]);
    const config = await body<{ experiments: unknown[] }>(await b.get(`${ab}/config`));
    expect(config.experiments).toEqual([]);
    const assign = await body<{ assignments: unknown[] }>(await b.post(`${ab}/assign`, { user_id: "u1" }));
    expect(assign.assignments).toEqual([]);
  });

  it("left A's experiments untouched", async () => {
    const row = await env.DB.prepare("SELECT status, description FROM experiments WHERE id = ?")
      .bind(A.experiment)
      .first();
    expect(row).toMatchObject({ status: "running", description: null });
    const variants = await env.DB.prepare("SELECT COUNT(*) AS n FROM variants WHERE experiment_id = ?")
      .bind(A.experiment)
      .first<{ n: number }>();
    expect(variants?.n).toBe(2);
    const results = await env.DB.prepare("SELECT COUNT(*) AS n FROM results WHERE org_id = 'org-b'").first<{
      n: number;
    }>();
    expect(results?.n).toBe(0);
  });
});

describe("organization B cannot detect organization A's streaming resources", () => {
  const cases: [string, string, (id: string) => Promise<Response>][] = [
    ["GET source", "source", (id) => b.get(`${st}/sources/${id}`)],
    ["PATCH source", "source", (id) => b.patch(`${st}/sources/${id}`, { description: "pwned" })],
    ["DELETE source", "source", (id) => b.delete(`${st}/sources/${id}`)],
    [
      "events with A's source",
      "source",
      (id) => b.post(`${st}/events`, { events: [{ event_type: "x", source_id: id }] }),
    ],
    ["GET alert", "alert", (id) => b.get(`${st}/alerts/${id}`)],
    ["acknowledge", "alert", (id) => b.post(`${st}/alerts/${id}/acknowledge`, { note: "pwned" })],
    ["resolve", "alert", (id) => b.post(`${st}/alerts/${id}/resolve`, { note: "pwned" })],
    ["DELETE rule", "rule", (id) => b.delete(`${st}/alert-rules/${id}`)],
  ];
  it.each(cases)("%s answers as for a missing id", async (_name, kind, call) => {
    await sameAsMissing(call, A[kind] as string);
  });

  it("lists and the dashboard show none of A's data", async () => {
    for (const path of ["sources", "events", "predictions", "alerts", "alert-rules", "metrics"]) {
      const list = await body<{ items: unknown[] }>(await b.get(`${st}/${path}`));
      expect(list.items, path).toEqual([]);
    }
    await sameAsMissing((name) => b.get(`${st}/metrics/${name}?window=3600&aggregation=max`), "secret_metric");
    const dashboard = JSON.stringify(await body(await b.get(`${st}/dashboard`)));
    expect(dashboard).not.toContain("secret");
  });

  it("processing A's event ids from B changes nothing", async () => {
    const res = await body<{ processed: number }>(await b.post(`${st}/events/process`, { event_ids: ["evt-a-1"] }));
    expect(res.processed).toBe(0);
    const events = await body<{ items: { event_id: string; processed: boolean }[] }>(await a.get(`${st}/events`));
    expect(events.items.find((e) => e.event_id === "evt-a-1")?.processed).toBe(false);
  });

  it("left A's alert and rule untouched", async () => {
    const alert = await body<{ status: string; notes: unknown[] }>(await a.get(`${st}/alerts/${A.alert}`));
    expect(alert).toMatchObject({ status: "open", notes: [] });
    const rules = await body<{ items: { id: string }[] }>(await a.get(`${st}/alert-rules`));
    expect(rules.items.map((r) => r.id)).toContain(A.rule);
    const source = await body<{ id: string }>(await a.get(`${st}/sources/${A.source}`));
    expect(source.id).toBe(A.source);
  });
});
