import { describe, expect, it } from "vitest";
import { deletionOrder, type TableInfo } from "../../src/ops/deletion-order";

const t = (name: string, parents: string[] = [], hasOrgId = true): TableInfo => ({ name, hasOrgId, parents });

describe("deletionOrder", () => {
  const cases: { name: string; tables: TableInfo[]; want: string[] }[] = [
    { name: "no tables", tables: [], want: [] },
    { name: "independent tables, sorted by name", tables: [t("b"), t("a")], want: ["a", "b"] },
    { name: "a child before its parent", tables: [t("parent"), t("child", ["parent"])], want: ["child", "parent"] },
    {
      name: "the current schema's shape: three children of experiments",
      tables: [
        t("experiments"),
        t("variants", ["experiments"]),
        t("exposures", ["experiments"]),
        t("results", ["experiments"]),
      ],
      want: ["exposures", "results", "variants", "experiments"],
    },
    {
      name: "grandchildren first",
      tables: [t("a"), t("b", ["a"]), t("c", ["b"])],
      want: ["c", "b", "a"],
    },
    {
      name: "a table without org_id is left out, and does not order the others",
      tables: [t("global", [], false), t("tenant", ["global"])],
      want: ["tenant"],
    },
    { name: "a self-reference is not a cycle", tables: [t("tree", ["tree"])], want: ["tree"] },
    {
      name: "a table referencing two parents comes before both",
      tables: [t("x"), t("y"), t("link", ["x", "y"])],
      want: ["link", "x", "y"],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(deletionOrder(c.tables)).toEqual(c.want);
    });
  }

  it("a foreign-key cycle is refused, not silently ordered", () => {
    expect(() => deletionOrder([t("a", ["b"]), t("b", ["a"])])).toThrow("foreign-key cycle");
  });
});
