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
