import { describe, expect, it } from "vitest";
import { withBookmarks } from "../../web/src/api/bookmark";
import { BOOKMARK_HEADER } from "../../src/db/session";

/** A fake server: records what each request carried and answers with the scripted bookmark. */
function server(answers: (string | null)[]) {
  const sent: (string | null)[] = [];
  const inner: typeof fetch = async (_input, init) => {
    sent.push(new Headers(init?.headers).get(BOOKMARK_HEADER));
    const next = answers.shift() ?? null;
    return new Response("{}", { headers: next === null ? {} : { [BOOKMARK_HEADER]: next } });
  };
  return { sent, inner };
}

const B1 = "00000001-00000002-00004f47-aa";
const B2 = "00000001-00000003-00004f50-bb";

describe("dashboard D1 bookmark (read-your-writes across replicas)", () => {
  it.each([
    { case: "first request carries nothing", answers: [B1], expected: [null] },
    {
      case: "the next request carries the bookmark of the last answer",
      answers: [B1, B2, null],
      expected: [null, B1, B2],
    },
    {
      case: "an answer without a bookmark keeps the previous one",
      answers: [B1, null, null],
      expected: [null, B1, B1],
    },
    { case: "an empty header keeps the previous one", answers: [B1, "", null], expected: [null, B1, B1] },
  ])("$case", async ({ answers, expected }) => {
    const { sent, inner } = server([...answers]);
    const client = withBookmarks(inner);
    for (let i = 0; i < expected.length; i++) await client.fetch("https://x/api/v1/ab-testing/experiments");
    expect(sent).toEqual(expected);
  });

  it("keeps the caller's own headers and never overrides an explicit bookmark", async () => {
    const seen: Headers[] = [];
    const client = withBookmarks(async (_i, init) => {
      seen.push(new Headers(init?.headers));
      return new Response("{}", { headers: { [BOOKMARK_HEADER]: B1 } });
    });
    await client.fetch("https://x/a", { headers: { Authorization: "Bearer t" } });
    await client.fetch("https://x/a", { headers: { Authorization: "Bearer t" } });
    await client.fetch("https://x/a", { headers: { [BOOKMARK_HEADER]: B2 } });
    expect(seen[1]?.get("authorization")).toBe("Bearer t");
    expect(seen[1]?.get(BOOKMARK_HEADER)).toBe(B1);
    expect(seen[2]?.get(BOOKMARK_HEADER)).toBe(B2);
    expect(client.current()).toBe(B1);
  });
});
