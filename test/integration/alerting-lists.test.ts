/**
 * GET /channels, /silences, /alert-rules and /sources page like every other list (API.md, Conventions):
 * `limit` (default 50, 1-500) and `cursor`, newest first, keyset on creation order. Found by an
 * outside probe (D6): all three ignored both (limit=0, -5, abc, 501 and cursor=garbage gave 200
 * with everything, next_cursor always null). GET /metrics had the same gap; it pages by name.
 * And a cursor names its list: one list's cursor was read by another as a position in it.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { OrgObject } from "../../src/streaming/org-object";
import { as, expectProblem } from "../helpers";
import { recordStatements } from "../org-object";
import { MINIMAL_RULE } from "./streaming-fixtures";

const P = "/api/v1/streaming-analytics";
type Client = Awaited<ReturnType<typeof as>>;
type Page = { items: { id: string }[]; next_cursor: string | null };

const LISTS: [string, (c: Client, i: number) => Promise<Response>][] = [
  [
    "channels",
    (c, i) => c.post(`${P}/channels`, { name: `c${i}`, type: "webhook", url: `https://hooks.example.com/${i}` }),
  ],
  [
    "silences",
    (c, i) => c.post(`${P}/silences`, { matchers: { fingerprint: `f${i}` }, ends_at: "2099-01-01T00:00:00Z" }),
  ],
  // Not alerting, but the same gap (GET /sources ignored limit and cursor too) and the same paging.
  ["sources", (c, i) => c.post(`${P}/sources`, { name: `s${i}`, source_type: "http" })],
  ["alert-rules", (c, i) => c.post(`${P}/alert-rules`, { ...MINIMAL_RULE, name: `r${i}` })],
];

async function create(c: Client, list: string, n: number, from = 0): Promise<string[]> {
  const make = LISTS.find(([name]) => name === list)?.[1] as (c: Client, i: number) => Promise<Response>;
  const ids: string[] = [];
  for (let i = from; i < from + n; i++) {
    const res = await make(c, i);
    expect(res.status).toBe(201);
    ids.push(((await res.json()) as { id: string }).id);
  }
  return ids;
}

const page = async (c: Client, path: string): Promise<Page> => {
  const res = await c.get(path);
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
};

describe.each([...LISTS.map(([name]) => name), "metrics"])("GET /%s refuses a bad page query", (list) => {
  it.each([
    ["limit=0", "query.limit"],
    ["limit=-5", "query.limit"],
    ["limit=abc", "query.limit"],
    ["limit=501", "query.limit"],
    ["limit=1.5", "query.limit"],
    ["cursor=garbage", "query.cursor"],
    [`cursor=${btoa(JSON.stringify(["x"]))}`, "query.cursor"],
    [`cursor=${"a".repeat(201)}`, "query.cursor"],
    [`cursor=${"a".repeat(401)}`, "query.cursor"],
  ])("%s is a 400 naming %s", async (query, path) => {
    const c = await as(`lists-bad-${list}`);
    const problem = await expectProblem(await c.get(`${P}/${list}?${query}`), 400);
    expect(problem.errors?.map((e) => e.path)).toEqual([path]);
  });
});

describe.each(LISTS.map(([name]) => name))("GET /%s", (list) => {
  it("pages newest first by creation, every item once, while items come and go between pages", async () => {
    const c = await as(`lists-page-${list}`);
    const ids = await create(c, list, 5);
    const newestFirst = [...ids].reverse();
    const first = await page(c, `${P}/${list}?limit=2`);
    expect(first.items.map((x) => x.id)).toEqual(newestFirst.slice(0, 2));
    expect(first.next_cursor).toEqual(expect.any(String));
    // A newer item arriving between pages is not in the later pages, and deleting (or, for a
    // silence, ending) one already read shifts nothing: keyset, not offset.
    const [late] = await create(c, list, 1, 5);
    expect((await c.delete(`${P}/${list}/${first.items[0]?.id}`)).status).toBe(204);
    const second = await page(c, `${P}/${list}?limit=2&cursor=${first.next_cursor}`);
    expect(second.items.map((x) => x.id)).toEqual(newestFirst.slice(2, 4));
    const last = await page(c, `${P}/${list}?limit=2&cursor=${second.next_cursor}`);
    expect(last.items.map((x) => x.id)).toEqual(newestFirst.slice(4));
    expect(last.next_cursor).toBeNull();
    // A page that ends exactly at the last item says so (no empty page after it).
    const kept = list === "silences" ? newestFirst : newestFirst.slice(1);
    const all = await page(c, `${P}/${list}?limit=${kept.length + 1}`);
    expect(all.items.map((x) => x.id)).toEqual([late, ...kept]);
    expect(all.next_cursor).toBeNull();
  });
});

it("the default page is 50, and the next one has the rest", async () => {
  const c = await as("lists-default");
  const ids = await create(c, "channels", 51);
  const first = await page(c, `${P}/channels`);
  expect(first.items).toHaveLength(50);
  expect(first.items[0]?.id).toBe(ids[50]);
  const rest = await page(c, `${P}/channels?cursor=${first.next_cursor}`);
  expect(rest.items.map((x) => x.id)).toEqual([ids[0]]);
  expect(rest.next_cursor).toBeNull();
});

describe("GET /metrics", () => {
  const names = (p: Page) => (p.items as unknown as { name: string }[]).map((m) => m.name);
  const ingest = async (c: Client, list: string[]) =>
    expect((await c.post(`${P}/metrics`, { metrics: list.map((name) => ({ name, value: 1 })) })).status).toBe(202);

  it("pages by name, every metric once, a new name seen only when it sorts after the cursor", async () => {
    const c = await as("lists-metrics-page");
    // Sent out of order: the list is by name (byte order, so upper case first), not by arrival.
    await ingest(c, ["m.c", "b", "m.a", "Z", "m.b"]);
    const first = await page(c, `${P}/metrics?limit=2`);
    expect(names(first)).toEqual(["Z", "b"]);
    expect(first.items[0]).toMatchObject({ latest: 1, trend: expect.any(String) });
    // Keyset on the name: a name before the cursor is not in the later pages, one after it is.
    await ingest(c, ["a", "m.bb"]);
    const second = await page(c, `${P}/metrics?limit=2&cursor=${first.next_cursor}`);
    expect(names(second)).toEqual(["m.a", "m.b"]);
    const third = await page(c, `${P}/metrics?limit=2&cursor=${second.next_cursor}`);
    expect(names(third)).toEqual(["m.bb", "m.c"]);
    // A page that ends exactly at the last name says so (no empty page after it).
    expect(third.next_cursor).toBeNull();
    const all = await page(c, `${P}/metrics?limit=500`);
    expect(names(all)).toEqual(["Z", "a", "b", "m.a", "m.b", "m.bb", "m.c"]);
    expect(all.next_cursor).toBeNull();
  });

  it("the default page is 50, every metric is seen once over the pages, and /dashboard still has them all", async () => {
    const c = await as("lists-metrics-default");
    // 200 characters (the longest name): its cursor still fits the cursor parameter's bound.
    const sent = [...Array.from({ length: 120 }, (_, i) => `m${String(i).padStart(3, "0")}`), "z".repeat(200)];
    await ingest(c, sent);
    const first = await page(c, `${P}/metrics`);
    expect(first.items).toHaveLength(50);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const p = await page(c, `${P}/metrics?limit=30${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...names(p));
      cursor = p.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toEqual(sent);
    const dashboard = (await (await c.get(`${P}/dashboard`)).json()) as { metrics: { name: string }[] };
    expect(dashboard.metrics.map((m) => m.name)).toEqual(sent);
  });
  it("reads the trend of the page's metrics only, each through the rollups' key", async () => {
    const org = "lists-metrics-reads";
    const c = await as(org);
    await ingest(c, ["a", "b", "c", "d", "e"]);
    const recorded = await recordStatements(
      org,
      async () => {
        await page(c, `${P}/metrics?limit=2`);
      },
      (query) => query.includes("metric_rollups"),
    );
    expect(recorded.map((r) => r.params[0])).toEqual([JSON.stringify(["a", "b"])]);
    const plan = await runInDurableObject(env.ORG.getByName(org), (_o: OrgObject, state) =>
      recorded.flatMap(({ query, params }) =>
        state.storage.sql
          .exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${query}`, ...(params as SqlStorageValue[]))
          .toArray()
          .map((r) => r.detail),
      ),
    );
    // One key lookup per name: not the (resolution_ms, bucket) index over every metric's buckets.
    expect(plan.filter((line) => / r /.test(line))).toEqual([
      "SEARCH r USING PRIMARY KEY (name=? AND resolution_ms=? AND bucket>?)",
    ]);
  });
});

describe("a cursor belongs to its list", () => {
  it("another list's cursor is a 400 naming query.cursor, on every streaming list", async () => {
    const c = await as("lists-cursor-owner");
    // A day ahead, so the runtime never fires the alarm that would send the deliveries below.
    const ahead = Date.now() + 86_400_000;
    await runInDurableObject(env.ORG.getByName("lists-cursor-owner"), (o: OrgObject) => {
      o.clock = () => ahead;
    });
    const [channel, other] = await create(c, "channels", 2);
    for (const [list] of LISTS.filter(([name]) => name !== "channels")) await create(c, list, 2);
    await c.post(`${P}/metrics`, {
      metrics: [
        { name: "a", value: 1 },
        { name: "b", value: 1 },
      ],
    });
    await c.post(`${P}/events`, { events: [{ event_type: "x" }, { event_type: "y" }] });
    await c.post(`${P}/predictions`, {
      predictions: [0.1, 0.2].map((confidence) => ({ model_name: "m", prediction: 1, confidence })),
    });
    // Each alert is a delivery to each channel: a log of two.
    for (const title of ["a", "b"]) await c.post(`${P}/alerts`, { severity: "warning", title });
    const lists = [
      ...LISTS.map(([name]) => name),
      "metrics",
      "events",
      "predictions",
      "alerts",
      `channels/${channel}/deliveries`,
      // Another channel's log is another list: seq numbers every channel's deliveries.
      `channels/${other}/deliveries`,
    ];
    // Every miss is collected, so a failure lists all the pairs a list took.
    const wrong: string[] = [];
    const cursors = new Map<string, string>();
    for (const list of lists) {
      const first = await page(c, `${P}/${list}?limit=1`);
      if (first.next_cursor === null) {
        wrong.push(`${list} gave no cursor`);
        continue;
      }
      cursors.set(list, first.next_cursor);
      // Its own list takes it.
      expect((await page(c, `${P}/${list}?limit=1&cursor=${first.next_cursor}`)).items, list).toHaveLength(1);
    }
    for (const list of lists) {
      for (const [from, cursor] of cursors) {
        if (from === list) continue;
        const res = await c.get(`${P}/${list}?cursor=${cursor}`);
        if (res.status !== 400) wrong.push(`${list} took a cursor of ${from}`);
        else expect((await expectProblem(res, 400)).errors?.map((e) => e.path)).toEqual(["query.cursor"]);
      }
    }
    expect(wrong).toEqual([]);
  });
});
