import { describe, expect, it } from "vitest";
import { SEARCH_MAX_LENGTH } from "../../src/experiments/model";
import { ListQuery } from "../../src/experiments/schemas";
import { listApiQuery, listHref, readListFilter, statusOf } from "../../web/src/experiments/list-query";

describe("the experiments list's filter in the URL", () => {
  it.each<[string, ReturnType<typeof readListFilter>, string]>([
    ["", { status: undefined, q: "" }, "/experiments"],
    ["?status=running", { status: "running", q: "" }, "/experiments?status=running"],
    ["?status=archived", { status: undefined, q: "" }, "/experiments"],
    ["?q=checkout", { status: undefined, q: "checkout" }, "/experiments?q=checkout"],
    [
      "?q=Checkout+page&status=paused",
      { status: "paused", q: "Checkout page" },
      "/experiments?status=paused&q=Checkout+page",
    ],
    ["?q=50%25+off", { status: undefined, q: "50% off" }, "/experiments?q=50%25+off"],
    ["?q=+++", { status: undefined, q: "   " }, "/experiments"],
    ["?q=check+", { status: undefined, q: "check " }, "/experiments?q=check+"],
  ])("%j reads as %j and is written back as %j", (search, filter, href) => {
    expect(readListFilter(new URLSearchParams(search))).toEqual(filter);
    expect(listHref(filter)).toBe(href);
    // Round trip: the written address reads as the same filter, blank searches aside.
    const again = readListFilter(new URLSearchParams(href.split("?")[1] ?? ""));
    expect(again).toEqual({ ...filter, q: filter.q.trim() ? filter.q : "" });
  });

  it("cuts a pasted search to what the API takes", () => {
    const q = "x".repeat(SEARCH_MAX_LENGTH + 20);
    expect(readListFilter(new URLSearchParams({ q })).q).toHaveLength(SEARCH_MAX_LENGTH);
  });

  it.each([
    ["draft", "draft"],
    ["completed", "completed"],
    ["", undefined],
    [null, undefined],
    ["Running", undefined],
  ])("statusOf(%j) = %j", (value, want) => {
    expect(statusOf(value)).toBe(want);
  });
});

describe("the API query for a page", () => {
  it.each<[Parameters<typeof listApiQuery>, Record<string, string>]>([
    [[{ status: undefined, q: "" }, 20, undefined], { limit: "20" }],
    [[{ status: "running", q: "  check  " }, 20, "c1"], { limit: "20", status: "running", q: "check", cursor: "c1" }],
    [[{ status: undefined, q: "   " }, 50, undefined], { limit: "50" }],
  ])("%j → %j, which the route's schema accepts", (args, want) => {
    const query = listApiQuery(...args);
    expect(query).toEqual(want);
    expect(ListQuery.safeParse(query).success).toBe(true);
  });
});
