import { describe, expect, it } from "vitest";
import { matchesWords, withQuery } from "../../web/src/ui/search";

describe("matchesWords: the flags' and metrics' list search", () => {
  const texts = ["revenue_per_user", "Revenue per user", "Net of refunds, in EUR"];
  it.each<[string, boolean]>([
    ["", true],
    ["   ", true],
    ["revenue", true],
    ["REVENUE", true],
    ["per user", true],
    ["refunds eur", true],
    ["eur refunds", true],
    ["revenue usd", false],
    ["_per_", true],
    ["checkout", false],
  ])("%j → %s", (query, want) => expect(matchesWords(texts, query)).toBe(want));

  it("skips missing texts instead of matching their placeholder", () => {
    expect(matchesWords(["dark-mode", null, undefined], "dark")).toBe(true);
    expect(matchesWords(["dark-mode", null, undefined], "null")).toBe(false);
    expect(matchesWords(["dark-mode", null, undefined], "undefined")).toBe(false);
  });

  it("does not match across two texts", () => {
    // "mode revenue" is two words, each in a text: a match; "moderevenue" spans the gap: none.
    expect(matchesWords(["dark-mode", "revenue"], "mode revenue")).toBe(true);
    expect(matchesWords(["dark-mode", "revenue"], "moderevenue")).toBe(false);
  });
});

describe("withQuery: a list's address with its filters", () => {
  it.each<[Record<string, string | undefined>, string]>([
    [{}, "/metrics"],
    [{ q: "" }, "/metrics"],
    [{ q: undefined, stale: undefined }, "/metrics"],
    [{ q: "order value" }, "/metrics?q=order+value"],
    [{ q: "50% & more", stale: "1" }, "/metrics?q=50%25+%26+more&stale=1"],
  ])("%j → %s", (params, want) => expect(withQuery("/metrics", params)).toBe(want));
});
