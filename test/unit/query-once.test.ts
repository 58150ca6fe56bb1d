// Text and enum query parameters given once (src/http/params.ts): a repeated parameter reaches zod
// as an array (Hono's validator), which a plain z.string() or z.enum() refused in zod's own words
// ("Invalid input: expected string, received array"). Each is now one message saying what it takes.
import { z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { KEY_RULE } from "../../src/experiments/model";
import { enumQuery, givenOnce, pageQueryFields, textQuery } from "../../src/http/params";
import { TIME_FORMS, TimeIn } from "../../src/http/time";
import { MetricKeyQuery } from "../../src/metrics/schemas";

const messages = (schema: z.ZodType, input: unknown) => schema.safeParse(input).error?.issues.map((i) => i.message);

describe("textQuery", () => {
  const name = textQuery({ min: 1, max: 5 });
  const NAME = "must be 1 to 5 characters, given once";
  const search = textQuery({ max: 3 });
  const SEARCH = "must be at most 3 characters, given once";
  const cursor = pageQueryFields.cursor;
  const CURSOR = "must be the next_cursor of the list's previous page, given once";

  it.each<[string, z.ZodType, unknown, unknown]>([
    ["one character", name, "a", "a"],
    ["the longest", name, "abcde", "abcde"],
    ["spaces kept", name, " a b ", " a b "],
    ["empty, without a minimum", search, "", ""],
    ["a cursor", cursor, "eyJ4Ijox", "eyJ4Ijox"],
    ["no cursor", cursor, undefined, undefined],
    ["a 400-character cursor", cursor, "a".repeat(400), "a".repeat(400)],
  ])("%s is accepted as given", (_name, schema, input, value) => {
    expect(schema.parse(input)).toEqual(value);
  });

  it.each<[string, z.ZodType, unknown, string]>([
    ["repeated", name, ["a", "b"], NAME],
    ["repeated, the same value", name, ["a", "a"], NAME],
    ["empty", name, "", NAME],
    ["too long", name, "abcdef", NAME],
    ["repeated, no minimum", search, ["", ""], SEARCH],
    ["too long, no minimum", search, "abcd", SEARCH],
    ["a repeated cursor", cursor, ["a", "b"], CURSOR],
    ["a 401-character cursor", cursor, "a".repeat(401), CURSOR],
  ])("%s: one message", (_name, schema, input, message) => {
    expect(messages(schema, input)).toEqual([message]);
  });
});

describe("enumQuery", () => {
  const status = enumQuery(["open", "acknowledged", "resolved"]);
  const STATUS = "must be one of open, acknowledged, resolved, given once";

  it.each(["open", "acknowledged", "resolved"])("%s is accepted", (v) => {
    expect(status.parse(v)).toBe(v);
  });

  it.each<[unknown]>([[["open", "resolved"]], [["open", "open"]], ["closed"], ["Open"], [""], [" open"]])(
    "%j: one message naming the values",
    (input) => {
      expect(messages(status, input)).toEqual([STATUS]);
    },
  );

  it("keeps its default and its transform", () => {
    const aggregation = enumQuery(["avg", "max"]).default("avg");
    expect(aggregation.parse(undefined)).toBe("avg");
    expect(messages(aggregation, ["avg", "max"])).toEqual(["must be one of avg, max, given once"]);
    const processed = enumQuery(["true", "false"]).transform((v) => v === "true");
    expect(processed.parse("false")).toBe(false);
    expect(messages(processed, ["true", "false"])).toEqual(["must be one of true, false, given once"]);
  });
});

describe("givenOnce", () => {
  // A schema with its own messages keeps them for a value given once: they say more than one
  // message could (a time sent in epoch seconds, a key's characters).
  const since = givenOnce(TimeIn, TIME_FORMS);
  const key = givenOnce(z.string().regex(/^[a-z0-9_-]{1,64}$/, `must be ${KEY_RULE}`), KEY_RULE);

  it.each<[string, z.ZodType, unknown, unknown]>([
    ["an ISO time", since, "2026-12-03T10:00:00Z", Date.UTC(2026, 11, 3, 10)],
    ["epoch milliseconds", since, "1764756000000", 1764756000000],
    ["a key", key, "checkout-button", "checkout-button"],
    ["a metric key, trimmed", MetricKeyQuery, " revenue ", "revenue"],
  ])("%s is read as before", (_name, schema, input, value) => {
    expect(schema.parse(input)).toEqual(value);
  });

  it.each<[string, z.ZodType, unknown, string]>([
    ["a repeated time", since, ["2026-12-03T10:00:00Z", "2026-12-04T10:00:00Z"], `must be ${TIME_FORMS}, given once`],
    ["a repeated key", key, ["a", "b"], `must be ${KEY_RULE}, given once`],
    [
      "a repeated metric key",
      MetricKeyQuery,
      ["revenue", "revenue"],
      "must be 1-128 characters without control characters, given once",
    ],
    ["a time without a zone", since, "2026-12-03T10:00:00", `must be ${TIME_FORMS}`],
    ["a bad key", key, "Checkout", `must be ${KEY_RULE}`],
  ])("%s: one message", (_name, schema, input, message) => {
    expect(messages(schema, input)).toEqual([message]);
  });
});
