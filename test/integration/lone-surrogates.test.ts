/**
 * A string with a lone surrogate ("a\ud800b", legal in JSON's escapes) has no UTF-8 spelling, so
 * SQLite, D1 and the Durable Object's storage alike, stored it as replacement characters while the
 * create answer echoed it as sent (outside probe, D7: a silence comment; flags and experiments did
 * the same). Every JSON body now refuses one with a 400 naming the field, and nothing is stored.
 */
import { describe, expect, it } from "vitest";
import { as, expectProblem } from "../helpers";

const S = "/api/v1/streaming-analytics";
const A = "/api/v1/ab-testing";
const MESSAGE = "must be well-formed Unicode: a lone surrogate (such as \\ud800 without its pair) cannot be stored";
const LONE = "a\ud800b";

describe("a lone surrogate in a JSON body is a 400 naming it; nothing is stored", () => {
  it.each([
    [
      "POST /silences comment",
      `${S}/silences`,
      { matchers: { fingerprint: "lone" }, ends_at: "2099-01-01T00:00:00Z", comment: LONE },
      ["comment"],
      `${S}/silences`,
    ],
    [
      "POST /channels name",
      `${S}/channels`,
      { name: LONE, type: "webhook", url: "https://hooks.example.com/a" },
      ["name"],
      `${S}/channels`,
    ],
    [
      "POST /events payload key and event_type",
      `${S}/events`,
      { events: [{ event_type: "ok", payload: { [`k${LONE}`]: 1 } }, { event_type: LONE }] },
      [`events.0.payload.k${LONE}`, "events.1.event_type"],
      `${S}/events`,
    ],
    [
      "POST /flags description and a rule condition",
      `${A}/flags`,
      {
        key: "lone",
        value_type: "boolean",
        default_value: false,
        description: LONE,
        rules: [{ condition: { plan: LONE }, value: true }],
      },
      ["description", "rules.0.condition.plan"],
      `${A}/flags`,
    ],
    [
      "POST /experiments name",
      `${A}/experiments`,
      { key: "lone", experiment_name: LONE },
      ["experiment_name"],
      `${A}/experiments`,
    ],
  ] as const)("%s", async (name, path, body, paths, list) => {
    const c = await as(`lone-${name.replace(/[^A-Za-z0-9]+/g, "-")}`.slice(0, 64));
    const problem = await expectProblem(await c.post(path, body), 400);
    expect(problem.errors).toEqual(paths.map((p) => ({ path: p, message: MESSAGE })));
    expect(((await (await c.get(list)).json()) as { items: unknown[] }).items).toEqual([]);
  });

  it("PATCH too (the flag keeps its description)", async () => {
    const c = await as("lone-patch");
    const flag = (await (
      await c.post(`${A}/flags`, { key: "f", value_type: "boolean", default_value: false, description: "before" })
    ).json()) as { id: string };
    const problem = await expectProblem(await c.patch(`${A}/flags/${flag.id}`, { description: LONE }), 400);
    expect(problem.errors).toEqual([{ path: "description", message: MESSAGE }]);
    expect(await (await c.get(`${A}/flags/${flag.id}`)).json()).toMatchObject({ description: "before" });
  });

  // JSON must be UTF-8. Bytes that are not were decoded to U+FFFD and stored as if sent (an outside
  // check); now the body is a 400 and nothing is stored. A U+FFFD the client really sent is kept
  // (the next case).
  it.each([
    ["a stray 0xFF", [0xff]],
    ["a truncated sequence", [0xe2, 0x82]],
    ["an overlong '/'", [0xc0, 0xaf]],
    ["an encoded surrogate (CESU-8)", [0xed, 0xa0, 0x80]],
  ])("a body with %s is not UTF-8: 400, nothing stored", async (label, bad) => {
    const c = await as(`utf8-${label.replace(/[^a-z0-9]+/gi, "-")}`.slice(0, 60));
    const enc = new TextEncoder();
    const [head, tail] = ['{"events":[{"event_type":"ok","payload":{"s":"a', 'b"}}]}'].map((t) => enc.encode(t));
    const body = new Uint8Array([...(head as Uint8Array), ...bad, ...(tail as Uint8Array)]);
    const res = await c.postRaw(`${S}/events`, body);
    const problem = await expectProblem(res, 400);
    expect(problem.detail).toBe("request body is not valid UTF-8 (JSON text must be UTF-8)");
    const dashboard = (await (await c.get(`${S}/dashboard`)).json()) as { events: { total: number } };
    expect(dashboard.events.total).toBe(0);
  });

  // The check scans the body's text for a `\uD8..`-`\uDF..` escape before parsing anything; an
  // escaped backslash followed by "ud800" matches that scan but is six plain characters.
  it.each([
    ["a surrogate pair (an emoji)", "lone-pair", "deploy \ud83d\ude80 \u00e9\u6f22 \ufffd"],
    [
      "a backslash followed by 'ud800' (the escape's text, not a surrogate)",
      "lone-lookalike",
      "path C:\\ud800 and \\uDFFF",
    ],
  ])("%s is stored exactly as the answer echoes it", async (_label, org, comment) => {
    const c = await as(org);
    const res = await c.post(`${S}/silences`, {
      matchers: { fingerprint: org },
      ends_at: "2099-01-01T00:00:00Z",
      comment,
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ comment });
    const listed = (await (await c.get(`${S}/silences`)).json()) as { items: { comment: string }[] };
    expect(listed.items.map((s) => s.comment)).toEqual([comment]);
  });
});
