import { describe, expect, it } from "vitest";
import { clientFlagSchema } from "../../src/assignment/flag-config-schema";
import { ConditionSchema as conditionSchema, NamespaceSchema as namespaceSchema } from "../../src/targeting/schemas";

describe("conditionSchema", () => {
  it("accepts a valid condition", () => {
    expect(conditionSchema.safeParse({ country: { $in: ["US"] }, "app.version": { $vgte: "2.0.0" } }).success).toBe(
      true,
    );
  });

  it("names the path of each problem, for a 400", () => {
    const r = conditionSchema.safeParse({ $and: [{ country: { $in: "US" } }], email: { $regex: "(a+)+" } });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path)).toEqual([
      ["$and", 0, "country", "$in"],
      ["email", "$regex"],
    ]);
  });
  // JSON.parse makes "__proto__" an own key; a key-by-key copy drops it. A condition that a copy
  // would rewrite (to `{}`, matching everyone) is refused at the key's path instead.
  it.each([
    ['{"__proto__":{"plan":"pro"}}', ["__proto__"]],
    ['{"__proto__":{"$regex":"("},"country":"FR"}', ["__proto__"]],
    ['{"__proto__":{"$exists":true}}', ["__proto__"]],
    ['{"$and":[{"__proto__":1}]}', ["$and", 0, "__proto__"]],
    ['{"$not":{"a.__proto__.b":1}}', ["$not", "a.__proto__.b"]],
    ['{"tags":{"$elemMatch":{"__proto__":"x"}}}', ["tags", "$elemMatch", "__proto__"]],
  ])("refuses %s at %j", (json, path) => {
    const r = conditionSchema.safeParse(JSON.parse(json));
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path)).toEqual([path]);
    expect(r.error?.issues[0]?.message).toMatch(/__proto__/);
  });

  // JSON.parse reads 1e999 as Infinity, which JSON.stringify writes back as null: stored, the
  // condition would compare with null instead ({"n": null} matches every user without n).
  it.each([
    ['{"n":1e999}', ["n"]],
    ['{"n":{"$gt":-1e999}}', ["n", "$gt"]],
    ['{"n":{"$in":[1,1e400]}}', ["n", "$in", 1]],
    ['{"$or":[{"a":{"$eq":{"x":[1e999]}}}]}', ["$or", 0, "a", "$eq", "x", 0]],
    ['{"tags":{"$elemMatch":{"n":{"$ne":-1e309}}}}', ["tags", "$elemMatch", "n", "$ne"]],
  ])("refuses the non-finite number of %s at %j", (json, path) => {
    const r = conditionSchema.safeParse(JSON.parse(json));
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path)).toEqual([path]);
    expect(r.error?.issues[0]?.message).toMatch(/finite/);
  });

  it("keeps a __proto__ key inside a literal compared by equality", () => {
    const condition = JSON.parse('{"a":{"$eq":{"__proto__":1}}}');
    const r = conditionSchema.safeParse(condition);
    expect(r.success).toBe(true);
    expect(JSON.stringify(r.data)).toBe('{"a":{"$eq":{"__proto__":1}}}');
  });
});

describe("namespaceSchema", () => {
  it.each([
    [{ key: "checkout", start: 0, end: 0.5 }, true],
    [{ key: "checkout", start: 0.5, end: 0.5 }, false],
    [{ key: "checkout", start: -0.1, end: 0.5 }, false],
    [{ key: "checkout", start: 0, end: 1.5 }, false],
    [{ key: "Bad Key", start: 0, end: 1 }, false],
    [{ key: "x", start: 0, end: 1, extra: 1 }, false],
  ])("%j valid: %s", (ns, ok) => {
    expect(namespaceSchema.safeParse(ns).success).toBe(ok);
  });
});

describe("clientFlagSchema", () => {
  it("validates the rules' conditions", () => {
    const flag = {
      key: "f",
      value_type: "json",
      default_value: { cols: 1 },
      enabled: true,
      rules: [{ condition: { plan: { $bogus: 1 } }, rollout_percentage: 10, value: { cols: 2 } }],
    };
    const r = clientFlagSchema.safeParse(flag);
    expect(r.error?.issues[0]?.path).toEqual(["rules", 0, "condition", "plan", "$bogus"]);
    expect(clientFlagSchema.safeParse({ ...flag, rules: [{ ...flag.rules[0], condition: null }] }).success).toBe(true);
  });
});
