// Property-based abuse of every write route: generated malformed bodies, wrong types, huge strings,
// deep nesting, unknown fields, invalid UTF-8 and wrong content types. The invariant for each request:
// never a 5xx; every 4xx is problem+json and leaves storage (D1 and the organization's object) as it was.
import { env, runInDurableObject, SELF } from "cloudflare:test";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { as } from "../helpers";
import { MINIMAL_RULE } from "./streaming-fixtures";

const ORG = "adversary";
const RUNS = 30;
const BASE = "https://edge.test";

type Client = Awaited<ReturnType<typeof as>>;
interface Target {
  name: string;
  method: "POST" | "PATCH";
  path: () => string;
  valid: () => Record<string, unknown>;
  /** Fields that accept any JSON (where deep nesting can hide). */
  freeform?: string[];
}

let client: Client;
const ids = { draft: "", running: "", variant: "", source: "", alert: "" };

async function json<T>(res: Response): Promise<T> {
  const text = await res.text();
  if (res.status >= 300) throw new Error(`setup call failed: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

const variantsBody = () => [
  { key: "control", variant_name: "Control", variant_type: "control", traffic_percentage: 50 },
  { key: "treat", variant_name: "Treatment", variant_type: "treatment", traffic_percentage: 50 },
];

const targets: Target[] = [
  {
    name: "create experiment",
    method: "POST",
    path: () => "/api/v1/ab-testing/experiments",
    valid: () => ({ key: `k${crypto.randomUUID().slice(0, 8)}`, experiment_name: "E", variants: variantsBody() }),
  },
  {
    name: "patch experiment",
    method: "PATCH",
    path: () => `/api/v1/ab-testing/experiments/${ids.draft}`,
    valid: () => ({ description: "d" }),
  },
  {
    name: "add variant",
    method: "POST",
    path: () => `/api/v1/ab-testing/experiments/${ids.draft}/variants`,
    valid: () => ({
      key: `v${crypto.randomUUID().slice(0, 6)}`,
      variant_name: "V",
      variant_type: "treatment",
      traffic_percentage: 0,
      config: {},
    }),
    freeform: ["config"],
  },
  {
    name: "complete",
    method: "POST",
    path: () => `/api/v1/ab-testing/experiments/${ids.draft}/complete`,
    valid: () => ({ winner_variant_id: "nope" }),
  },
  {
    name: "assign one",
    method: "POST",
    path: () => `/api/v1/ab-testing/experiments/${ids.running}/assign`,
    valid: () => ({ user_id: "u1" }),
  },
  {
    name: "assign all",
    method: "POST",
    path: () => "/api/v1/ab-testing/assign",
    valid: () => ({ user_id: "u1", experiments: ["x"] }),
  },
  {
    name: "record results",
    method: "POST",
    path: () => `/api/v1/ab-testing/experiments/${ids.running}/results`,
    valid: () => ({ results: [{ metric_name: "m", metric_value: 1, variant_id: ids.variant }] }),
  },
  {
    name: "create source",
    method: "POST",
    path: () => "/api/v1/streaming-analytics/sources",
    valid: () => ({ name: "s", source_type: "http", config: {} }),
    freeform: ["config"],
  },
  {
    name: "patch source",
    method: "PATCH",
    path: () => `/api/v1/streaming-analytics/sources/${ids.source}`,
    valid: () => ({ description: "x" }),
  },
  {
    name: "ingest events",
    method: "POST",
    path: () => "/api/v1/streaming-analytics/events",
    valid: () => ({ events: [{ event_type: "click", payload: {} }] }),
    freeform: ["payload"],
  },
  {
    name: "process events",
    method: "POST",
    path: () => "/api/v1/streaming-analytics/events/process",
    valid: () => ({ event_ids: ["e1"] }),
  },
  {
    name: "predictions",
    method: "POST",
    path: () => "/api/v1/streaming-analytics/predictions",
    valid: () => ({ model_name: "m", prediction: 1, confidence: 0.5, features: {} }),
    freeform: ["features", "prediction"],
  },
  {
    name: "create alert",
    method: "POST",
    path: () => "/api/v1/streaming-analytics/alerts",
    valid: () => ({ severity: "info", title: "t" }),
  },
  {
    name: "acknowledge",
    method: "POST",
    path: () => `/api/v1/streaming-analytics/alerts/${ids.alert}/acknowledge`,
    valid: () => ({ note: "n" }),
  },
  {
    name: "alert rule",
    method: "POST",
    path: () => "/api/v1/streaming-analytics/alert-rules",
    valid: () => ({ ...MINIMAL_RULE }),
  },
  {
    name: "metrics",
    method: "POST",
    path: () => "/api/v1/streaming-analytics/metrics",
    valid: () => ({ name: "m", value: 1, tags: {} }),
    freeform: ["tags"],
  },
];

/** Everything the organization has stored, D1 and Durable Object alike, as one comparable string. */
async function snapshot(): Promise<string> {
  const d1: Record<string, unknown[]> = {};
  for (const table of ["experiments", "variants", "exposures", "results"]) {
    d1[table] = (
      await env.DB.prepare(`SELECT * FROM ${table} WHERE org_id = ? ORDER BY rowid`).bind(ORG).all()
    ).results;
  }
  const stub = env.ORG.getByName(ORG);
  const dobj = await runInDurableObject(stub, (_instance, state) => {
    const out: Record<string, unknown[]> = {};
    const tables = state.storage.sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
      )
      .toArray();
    for (const { name } of tables) out[name] = state.storage.sql.exec(`SELECT * FROM "${name}"`).toArray();
    return out;
  });
  return JSON.stringify({ d1, dobj });
}

async function send(target: Target, body: BodyInit, contentType: string | null): Promise<Response> {
  const headers = new Headers({ Authorization: `Bearer ${client.token}` });
  if (contentType) headers.set("Content-Type", contentType);
  return SELF.fetch(BASE + target.path(), { method: target.method, headers, body });
}

/** The invariant. Returns the status so callers can tally outcomes. */
async function expectSafe(
  target: Target,
  body: BodyInit,
  contentType: string | null = "application/json",
): Promise<number> {
  const before = await snapshot();
  const res = await send(target, body, contentType);
  const text = await res.text();
  expect(res.status, `${target.name}: ${text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.headers.get("Content-Type"), `${target.name} ${res.status}`).toMatch(/^application\/problem\+json/);
    const problem = JSON.parse(text) as { status: number; type: string; title: string };
    expect(problem.status).toBe(res.status);
    expect(await snapshot(), `${target.name}: storage changed on a ${res.status}`).toBe(before);
  }
  return res.status;
}

const wrongValue = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, -1, 1e308, -0, "", " ", "\u0000", "💥".repeat(50)),
);

function deepJson(depth: number): string {
  return `${"[".repeat(depth)}1${"]".repeat(depth)}`;
}

beforeAll(async () => {
  client = await as(ORG);
  type Exp = { id: string; variants: { id: string; variant_type: string }[] };
  const draft = await json<Exp>(
    await client.post("/api/v1/ab-testing/experiments", {
      key: "adv_draft",
      experiment_name: "Draft",
      variants: variantsBody(),
    }),
  );
  ids.draft = draft.id;
  const running = await json<Exp>(
    await client.post("/api/v1/ab-testing/experiments", {
      key: "adv_running",
      experiment_name: "Running",
      variants: variantsBody(),
    }),
  );
  ids.running = running.id;
  ids.variant = running.variants.find((v) => v.variant_type === "control")?.id ?? "";
  await json(await client.post(`/api/v1/ab-testing/experiments/${running.id}/start`));
  ids.source = (
    await json<{ id: string }>(
      await client.post("/api/v1/streaming-analytics/sources", { name: "src", source_type: "webhook" }),
    )
  ).id;
  ids.alert = (
    await json<{ id: string }>(
      await client.post("/api/v1/streaming-analytics/alerts", { severity: "warning", title: "a" }),
    )
  ).id;
});

describe.each(targets)("adversarial input: $name", (target) => {
  it("arbitrary JSON values", async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (value) => {
        await expectSafe(target, JSON.stringify(value));
      }),
      { numRuns: RUNS },
    );
  });

  it("one field of a valid body replaced by a wrong type", async () => {
    const fields = Object.keys(target.valid());
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...fields), wrongValue, async (field, value) => {
        await expectSafe(target, JSON.stringify({ ...target.valid(), [field]: value }));
      }),
      { numRuns: RUNS },
    );
  });

  it("huge strings in every field", async () => {
    const huge = "x".repeat(300_000);
    for (const field of Object.keys(target.valid())) {
      await expectSafe(target, JSON.stringify({ ...target.valid(), [field]: huge }));
    }
  });

  it("deep nesting", async () => {
    for (const field of [...(target.freeform ?? []), ...Object.keys(target.valid()).slice(0, 1)]) {
      for (const depth of [64, 2_000, 100_000]) {
        const body = JSON.stringify({ ...target.valid(), [field]: "__DEEP__" }).replace('"__DEEP__"', deepJson(depth));
        await expectSafe(target, body);
      }
    }
  });

  it("unknown fields beside a valid body", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
        async (extra) => {
          await expectSafe(target, JSON.stringify({ ...extra, ...target.valid() }));
        },
      ),
      { numRuns: 10 },
    );
  });

  it("invalid UTF-8 and binary bodies", async () => {
    const valid = new TextEncoder().encode(JSON.stringify(target.valid()));
    const bodies = [
      new Uint8Array([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]), // {"\xc3(":1}
      new Uint8Array([0xff, 0xfe, 0xfd]),
      new Uint8Array([...valid.slice(0, -1), 0xed, 0xa0, 0x80, 0x7d]), // lone surrogate, then }
      new Uint8Array(1024).fill(0),
    ];
    for (const body of bodies) await expectSafe(target, body);
  });

  it("wrong or missing content types", async () => {
    const body = JSON.stringify(target.valid());
    for (const type of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/xml",
      null,
    ]) {
      const status = await expectSafe(target, body, type);
      expect(status, `content type ${type}`).toBeGreaterThanOrEqual(400);
    }
  });

  it("an empty body", async () => {
    const status = await expectSafe(target, "");
    expect(status).toBeGreaterThanOrEqual(400);
  });
});

/** Times and values at and beyond the documented input limits (docs/streaming.md, "Input limits"). */
const extremeTime = fc.oneof(
  fc.integer({ min: -1e17, max: 1e17 }),
  fc.constantFrom(946_684_800_000, 946_684_799_999, 253_402_300_799_999, 253_402_300_800_000, 8.64e15, 8.64e15 + 1),
  fc.stringMatching(/^\d{1,17}$/),
  fc.constantFrom("9999999999999999", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "+275760-09-13T00:00:00Z"),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
);
const extremeValue = fc.oneof(
  fc.double({ noNaN: true }),
  fc.constantFrom(1.7976931348623157e308, -1.7976931348623157e308, 1e15, -1e15, 1.0000001e15, 5e-324),
);

const timed: { name: string; path: () => string; body: (time: unknown, value: unknown) => unknown }[] = [
  {
    name: "metrics",
    path: () => "/api/v1/streaming-analytics/metrics",
    body: (t, v) => ({
      metrics: [
        { name: "okm", value: 5 },
        { name: "m1", value: v, timestamp: t },
      ],
    }),
  },
  {
    name: "events",
    path: () => "/api/v1/streaming-analytics/events",
    body: (t) => ({ events: [{ event_type: "ok" }, { event_type: "t", timestamp: t }] }),
  },
  {
    name: "predictions",
    path: () => "/api/v1/streaming-analytics/predictions",
    body: (t) => ({ model_name: "m", prediction: 1, confidence: 0.5, timestamp: t }),
  },
  {
    name: "results",
    path: () => `/api/v1/ab-testing/experiments/${ids.running}/results`,
    body: (t, v) => ({ results: [{ metric_name: "m", metric_value: v, variant_id: ids.variant, recorded_at: t }] }),
  },
];

const READS = ["/metrics", "/dashboard", "/events", "/predictions", "/models?window=604800", "/alerts", "/sources"];

describe.each(timed)("extreme times and values: $name", (target) => {
  it("every write is refused whole or stored presentably: every read stays 2xx", async () => {
    await fc.assert(
      fc.asyncProperty(extremeTime, extremeValue, async (time, value) => {
        const t: Target = { name: target.name, method: "POST", path: target.path, valid: () => ({}) };
        await expectSafe(t, JSON.stringify(target.body(time, value)));
        for (const path of READS) {
          const res = await client.get(`/api/v1/streaming-analytics${path}`);
          expect(res.status, `${path} after ${target.name} at ${String(time)}`).toBe(200);
          await res.text();
        }
      }),
      { numRuns: RUNS },
    );
  });
});
