import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BOOKMARK_HEADER, isBookmark } from "../../src/db/session";
import { expectProblem, tokenFor } from "../helpers";

const BASE = "https://edge.test/api/v1/ab-testing";

async function call(org: string, path: string, init: { method?: string; body?: unknown; bookmark?: string } = {}) {
  const headers: Record<string, string> = {
    Authorization: `Bearer ${await tokenFor(org)}`,
    "Content-Type": "application/json",
  };
  if (init.bookmark !== undefined) headers[BOOKMARK_HEADER] = init.bookmark;
  return SELF.fetch(`${BASE}${path}`, {
    method: init.method ?? "GET",
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

const experiment = (key: string) => ({
  key,
  experiment_name: key,
  variants: [
    { key: "control", variant_type: "control", traffic_percentage: 50 },
    { key: "b", variant_type: "treatment", traffic_percentage: 50 },
  ],
});

describe("D1 sessions: the x-d1-bookmark header", () => {
  it("a write returns a bookmark; a read sending it back sees the write and returns a bookmark as new", async () => {
    const org = "sess-ryw";
    const created = await call(org, "/experiments", { method: "POST", body: experiment("ryw") });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const afterWrite = created.headers.get(BOOKMARK_HEADER);
    expect(afterWrite).not.toBeNull();
    expect(isBookmark(afterWrite ?? "")).toBe(true);

    const read = await call(org, `/experiments/${id}`, { bookmark: afterWrite ?? "" });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { key: string }).key).toBe("ryw");
    const afterRead = read.headers.get(BOOKMARK_HEADER) ?? "";
    expect(isBookmark(afterRead)).toBe(true);
    // Bookmarks order lexicographically (D1's documented format): a read never goes back in time.
    expect(afterRead >= (afterWrite ?? "")).toBe(true);

    // A later write moves the bookmark forward.
    const started = await call(org, `/experiments/${id}/start`, { method: "POST", bookmark: afterRead });
    expect(started.status).toBe(200);
    expect((started.headers.get(BOOKMARK_HEADER) ?? "") > (afterWrite ?? "")).toBe(true);
  });

  it("every D1-backed read answers with a bookmark, also without one sent", async () => {
    const org = "sess-reads";
    for (const path of ["/experiments", "/metrics", "/flags"]) {
      const res = await call(org, path);
      expect(res.status, path).toBe(200);
      expect(isBookmark(res.headers.get(BOOKMARK_HEADER) ?? ""), path).toBe(true);
    }
  });

  it.each([
    ["not hex", "zzzz-0000"],
    ["one group only", "0000000100000002"],
    ["script", "<script>"],
    ["too long", `${"0".repeat(64)}-${"0".repeat(64)}-${"0".repeat(64)}-${"0".repeat(64)}-${"0".repeat(64)}`],
  ])("a malformed bookmark (%s) is a 400 problem naming the header, and nothing is written", async (_, bookmark) => {
    const org = "sess-bad";
    const res = await call(org, "/experiments", { method: "POST", body: experiment("never"), bookmark });
    const problem = await expectProblem(res, 400);
    expect(problem.errors?.[0]?.path).toBe(`header.${BOOKMARK_HEADER}`);
    const list = await call(org, "/experiments");
    expect(((await list.json()) as { items: unknown[] }).items).toEqual([]);
  });

  it("the assignment hot path opens no session (it reads the isolate's cache, then the primary)", async () => {
    const res = await call("sess-assign", "/assign", { method: "POST", body: { user_id: "u1" } });
    expect(res.status).toBe(200);
    expect(res.headers.get(BOOKMARK_HEADER)).toBeNull();
  });
});
