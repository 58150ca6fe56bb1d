// Finding an experiment, a flag or a metric definition by its key: `GET <list>?key=` answers the
// one item with exactly that key in the caller's organization (or none), and the 404 of an `:id`
// route given a key names that lookup. A GrowthBook or LaunchDarkly user refers to all three by key.
import { describe, expect, it } from "vitest";
import { as, expectProblem } from "../helpers";
import { BASE, twoVariants } from "./experiments-fixtures";

type Client = Awaited<ReturnType<typeof as>>;

interface Resource {
  name: string;
  list: string;
  /** A key that passes the resource's key pattern but names nothing. */
  unknown: string;
  /** A key its pattern refuses (a 400 naming `key`). */
  invalid: string;
  create: (client: Client, key: string) => Promise<{ id: string; key: string }>;
}

async function created(res: Response): Promise<{ id: string; key: string }> {
  const text = await res.text();
  expect(res.status, text).toBe(201);
  return JSON.parse(text) as { id: string; key: string };
}

const resources: Resource[] = [
  {
    name: "experiments",
    list: "/experiments",
    unknown: "no-such-experiment",
    invalid: "has space",
    create: async (c, key) =>
      created(await c.post(`${BASE}/experiments`, { key, experiment_name: key, variants: twoVariants() })),
  },
  {
    name: "flags",
    list: "/flags",
    unknown: "no-such-flag",
    invalid: "has space",
    create: async (c, key) =>
      created(await c.post(`${BASE}/flags`, { key, value_type: "boolean", default_value: false })),
  },
  {
    name: "metrics",
    list: "/metrics",
    unknown: "no_such_metric",
    invalid: "x".repeat(300),
    create: async (c, key) => created(await c.post(`${BASE}/metrics`, { key })),
  },
];

interface Page {
  items: { id: string; key: string }[];
  next_cursor: string | null;
}

const listed = async (client: Client, path: string): Promise<Page> => {
  const res = await client.get(`${BASE}${path}`);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return JSON.parse(text) as Page;
};

describe.each(resources)("GET $list?key=", ({ name, list, unknown, invalid, create }) => {
  it(`answers the one ${name} item with that key, only the caller's organization's`, async () => {
    const acme = await as("acme");
    const globex = await as("globex");
    const suffix = Math.random().toString(36).slice(2, 8);
    const wanted = await create(acme, `wanted-${suffix}`);
    await create(acme, `wanted-${suffix}-too`); // a longer key containing it is not a match
    await create(globex, `wanted-${suffix}`); // the same key in another organization
    const page = await listed(acme, `${list}?key=wanted-${suffix}`);
    expect(page.items.map((i) => i.id)).toEqual([wanted.id]);
    expect(page.next_cursor).toBeNull();
  });

  it("answers an empty page for a key nothing has", async () => {
    expect(await listed(await as("acme"), `${list}?key=${unknown}`)).toEqual({ items: [], next_cursor: null });
  });

  it("refuses a key the pattern does not allow, naming the parameter", async () => {
    const problem = await expectProblem(
      await (await as("acme")).get(`${BASE}${list}?key=${encodeURIComponent(invalid)}`),
      400,
    );
    expect(problem.errors?.map((e) => e.path)).toContain("query.key");
  });

  it("is what the 404 of the :id route given a key points to", async () => {
    const acme = await as("acme");
    const item = await create(acme, `by-key-${Math.random().toString(36).slice(2, 8)}`);
    const problem = await expectProblem(await acme.get(`${BASE}${list}/${item.key}`), 404);
    const hint = /GET (\S+)\?key=<key>/.exec(problem.detail ?? "");
    expect(hint?.[1]).toBe(`${BASE}${list}`);
    const page = await listed(acme, `${list}?key=${item.key}`);
    expect(page.items.map((i) => i.id)).toEqual([item.id]);
  });
});

// A cursor names its list: another list's cursor was read as a position in this one (a 200 with a
// page that made no sense), while the streaming lists already refused theirs.
describe("list cursors belong to their list", () => {
  it("a cursor of one list is a 400 on another, pages on its own, and garbage is a 400", async () => {
    const c = await as(`cursor-lists-${Math.random().toString(36).slice(2, 8)}`);
    const cursors = new Map<string, string>();
    for (const r of resources) {
      await r.create(c, "first-one");
      await r.create(c, "second-one");
      const page = await listed(c, `${r.list}?limit=1`);
      expect(page.next_cursor, r.name).not.toBeNull();
      cursors.set(r.list, page.next_cursor as string);
    }
    for (const r of resources) {
      // Newest first: the second page holds the first one created.
      const own = await listed(c, `${r.list}?limit=1&cursor=${cursors.get(r.list)}`);
      expect(own.items.map((i) => i.key)).toEqual(["first-one"]);
      for (const other of resources.filter((o) => o !== r)) {
        const p = await expectProblem(await c.get(`${BASE}${r.list}?cursor=${cursors.get(other.list)}`), 400);
        expect(p.detail).toBe("cursor is not valid for this list");
        expect(p.errors?.[0]).toMatchObject({ path: "query.cursor" });
      }
      const garbage = await expectProblem(await c.get(`${BASE}${r.list}?cursor=garbage`), 400);
      expect(garbage.detail).toBe("invalid cursor");
    }
  });

  it("a cursor handed out before cursors named their list still pages", async () => {
    const c = await as(`cursor-legacy-${Math.random().toString(36).slice(2, 8)}`);
    await resources[1]?.create(c, "first-one");
    const second = await resources[1]?.create(c, "second-one");
    const page = await listed(c, "/flags?limit=1");
    const [createdAt, id] = JSON.parse(atob((page.next_cursor as string).replace(/-/g, "+").replace(/_/g, "/"))) as [
      number,
      string,
    ];
    expect(id).toBe(second?.id); // newest first
    const legacy = btoa(JSON.stringify([createdAt, id]))
      .replace(/=+$/, "")
      .replace(/\+/g, "-")
      .replace(/\//g, "_");
    expect((await listed(c, `/flags?limit=1&cursor=${legacy}`)).items.map((i) => i.key)).toEqual(["first-one"]);
  });
});

// A history's cursor names its history (entity type and id): GET /flags/:a/history read a cursor of
// /flags/:b/history, or of an experiment's or a metric's, as a position in its own (audit ids are
// one sequence across them).
describe("history cursors belong to their history", () => {
  it("another history's cursor is a 400, its own pages, and one from before still pages", async () => {
    const c = await as(`cursor-history-${Math.random().toString(36).slice(2, 8)}`);
    const histories: string[] = [];
    for (const [r, patch] of [
      [resources[0], { description: "edited" }],
      [resources[1], { enabled: false }],
      [resources[1], { enabled: false }],
      [resources[2], { name: "edited" }],
    ] as const) {
      const item = await (r as Resource).create(c, `history-${histories.length}`);
      const edited = await c.patch(`${BASE}${r?.list}/${item.id}`, patch);
      expect(edited.status, await edited.text()).toBe(200);
      histories.push(`${r?.list}/${item.id}/history`);
    }
    const cursors = new Map<string, string>();
    for (const h of histories) {
      const first = await listed(c, `${h}?limit=1`);
      cursors.set(h, first.next_cursor as string);
      expect((await listed(c, `${h}?cursor=${first.next_cursor}`)).items, h).toHaveLength(1);
    }
    const taken: string[] = [];
    for (const h of histories) {
      for (const [from, cursor] of cursors) {
        if (from === h) continue;
        const res = await c.get(`${BASE}${h}?cursor=${cursor}`);
        if (res.status !== 400) taken.push(`${h} took a cursor of ${from}`);
        else expect((await expectProblem(res, 400)).errors?.map((e) => e.path)).toEqual(["query.cursor"]);
      }
    }
    expect(taken).toEqual([]);
    // A cursor of the old format ("a" and the row id, base64) is read as this history's.
    const flag = histories[1] as string;
    const [, , id] = JSON.parse(atob((cursors.get(flag) as string).replace(/-/g, "+").replace(/_/g, "/"))) as [
      string,
      string,
      number,
    ];
    const legacy = btoa(`a${id}`).replace(/=+$/, "");
    expect((await listed(c, `${flag}?cursor=${legacy}`)).items).toHaveLength(1);
  });
});

// The 404 of an unknown (or another organization's) entity does not depend on the cursor: with one
// (forged, or of the old format), the empty page of no history was a 200.
describe("the history of nothing is a 404, with or without a cursor", () => {
  it.each(resources.map((r) => [r.name, r] as const))("%s", async (_, r) => {
    const tag = Math.random().toString(36).slice(2, 8);
    const owner = await as(`history-404-owner-${tag}`);
    const other = await as(`history-404-other-${tag}`);
    const theirs = await r.create(owner, "theirs");
    const type = { experiments: "experiment", flags: "flag", metrics: "metric" }[r.name] as string;
    for (const id of ["no-such-id", theirs.id]) {
      const named = btoa(JSON.stringify([type, id, 5]))
        .replace(/=+$/, "")
        .replace(/\+/g, "-")
        .replace(/\//g, "_");
      for (const cursor of [undefined, named, btoa("a5")]) {
        const res = await other.get(`${BASE}${r.list}/${id}/history${cursor === undefined ? "" : `?cursor=${cursor}`}`);
        expect(res.status, `${r.list}/${id}/history cursor ${cursor}`).toBe(404);
      }
    }
  });
});
