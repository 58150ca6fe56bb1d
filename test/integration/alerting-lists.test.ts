/**
 * GET /channels, /silences, /alert-rules and /sources page like every other list (API.md, Conventions):
 * `limit` (default 50, 1-500) and `cursor`, newest first, keyset on creation order. Found by an
 * outside probe (D6): all three ignored both (limit=0, -5, abc, 501 and cursor=garbage gave 200
 * with everything, next_cursor always null).
 * And a cursor names its list: one list's cursor was read by another as a position in it.
 */
import { describe, expect, it } from "vitest";
import { as, expectProblem } from "../helpers";

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
  [
    "alert-rules",
    (c, i) =>
      c.post(`${P}/alert-rules`, {
        name: `r${i}`,
        metric_name: "m",
        aggregation: "avg",
        window_seconds: 60,
        operator: "gt",
        threshold: 1,
        severity: "warning",
      }),
  ],
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

describe.each(LISTS.map(([name]) => name))("GET /%s refuses a bad page query", (list) => {
  it.each([
    ["limit=0", "query.limit"],
    ["limit=-5", "query.limit"],
    ["limit=abc", "query.limit"],
    ["limit=501", "query.limit"],
    ["limit=1.5", "query.limit"],
    ["cursor=garbage", "query.cursor"],
    [`cursor=${btoa(JSON.stringify(["x"]))}`, "query.cursor"],
    [`cursor=${"a".repeat(201)}`, "query.cursor"],
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

describe("a cursor belongs to its list", () => {
  it("another list's cursor is a 400 naming query.cursor, on every streaming list", async () => {
    const c = await as("lists-cursor-owner");
    const [channel] = await create(c, "channels", 2);
    for (const [list] of LISTS.filter(([name]) => name !== "channels")) await create(c, list, 2);
    await c.post(`${P}/events`, { events: [{ event_type: "x" }, { event_type: "y" }] });
    await c.post(`${P}/predictions`, {
      predictions: [0.1, 0.2].map((confidence) => ({ model_name: "m", prediction: 1, confidence })),
    });
    // Each alert is a delivery to each channel: a log of two.
    for (const title of ["a", "b"]) await c.post(`${P}/alerts`, { severity: "warning", title });
    const lists = [...LISTS.map(([name]) => name), "events", "predictions", "alerts", `channels/${channel}/deliveries`];
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
