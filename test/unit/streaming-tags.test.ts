import { describe, expect, it } from "vitest";
import { groupTagSets, matchesFilter, newTagSets, tagSetKey } from "../../src/streaming/tags";

describe("tag sets", () => {
  it.each([
    [{ b: "2", a: "1" }, { a: "1", b: "2" }, true],
    [{ a: "1" }, { a: "2" }, false],
    [{ a: "1" }, { a: "1", b: "" }, false],
    [{ "a,b": "c" }, { a: "b,c" }, false],
  ])("%j and %j are the same set: %s", (x, y, same) => {
    expect(tagSetKey(x) === tagSetKey(y)).toBe(same);
  });

  it.each([
    [{ region: "eu", model: "m1" }, { region: "eu" }, true],
    [{ region: "eu" }, { region: "us" }, false],
    [{ region: "eu" }, { model: "m1" }, false],
    [{ region: "eu" }, {}, true],
  ])("%j matches filter %j: %s", (tags, filter, expected) => {
    expect(matchesFilter(tags, filter)).toBe(expected);
  });

  it("groups by one key, sorted by value, leaving out sets without it", () => {
    const sets: { tag_set: number; tags: Record<string, string> }[] = [
      { tag_set: 1, tags: { region: "us", model: "a" } },
      { tag_set: 2, tags: { region: "eu", model: "a" } },
      { tag_set: 3, tags: { model: "b" } },
      { tag_set: 4, tags: { region: "eu", model: "b" } },
    ];
    expect(groupTagSets(sets, "region").map((g) => [g.value, g.sets.map((s) => s.tag_set)])).toEqual([
      ["eu", [2, 4]],
      ["us", [1]],
    ]);
    expect(groupTagSets(sets, "zone")).toEqual([]);
  });

  it("counts new sets per metric against the bound; untagged points add none", () => {
    const known = new Map([["lat", new Set([tagSetKey({ r: "a" }), tagSetKey({ r: "b" })])]]);
    const points: { name: string; tags: Record<string, string> }[] = [
      { name: "lat", tags: { r: "a" } },
      { name: "lat", tags: { r: "c" } },
      { name: "lat", tags: { r: "c" } },
      { name: "lat", tags: {} },
      { name: "err", tags: { r: "a" } },
    ];
    const within = newTagSets(points, known, 3);
    expect([...(within.added.get("lat")?.keys() ?? [])]).toEqual([tagSetKey({ r: "c" })]);
    expect(within.over).toEqual([]);
    const beyond = newTagSets([...points, { name: "lat", tags: { r: "d" } }], known, 3);
    expect(beyond.over).toEqual([{ name: "lat", total: 4 }]);
  });
});
