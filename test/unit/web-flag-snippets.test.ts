// The flag page's code snippets: each names the route or SDK call with this flag's key, and the
// curl body is the JSON POST /flags/evaluate takes.
import { describe, expect, it } from "vitest";
import { FlagsEvaluateBody } from "../../src/flags/schemas";
import { flagSnippets } from "../../web/src/flags/snippets";

describe("flagSnippets", () => {
  const [curl, ts, py] = flagSnippets({ key: "new-checkout", default_value: false }, "http://localhost:8787/");

  it("curl posts a valid evaluate body naming the flag to the evaluate route", () => {
    const m = /(\S+\/api\/v1\/ab-testing\/flags\/evaluate) -d '([^']+)'/.exec(curl?.code ?? "");
    expect(m?.[1]).toBe("http://localhost:8787/api/v1/ab-testing/flags/evaluate");
    const body = JSON.parse(m?.[2] ?? "null");
    expect(FlagsEvaluateBody.safeParse(body).success).toBe(true);
    expect(body.flags).toEqual(["new-checkout"]);
  });

  it("the SDK snippets ask for the flag by key and fall back to its default", () => {
    expect(ts?.code).toContain('client.getFlag("new-checkout", userId');
    expect(ts?.code).toContain('flag.reason === "not_found" ? false : flag.value');
    expect(py?.code).toContain('client.get_flag("new-checkout", user_id');
    expect(py?.code).toContain('value = False if flag["reason"] == "not_found" else flag["value"]');
  });

  it.each<[unknown, string]>([
    [true, "True"],
    [null, "None"],
    ["on", '"on"'],
    [3.5, "3.5"],
    [{ theme: "dark" }, '{"theme":"dark"}'],
    // A json flag's value: booleans and nulls inside it are Python's too (JSON's true is a NameError).
    [{ enabled: true, limit: null }, '{"enabled":True,"limit":None}'],
    [[false, { a: [null, "true"] }], '[False,{"a":[None,"true"]}]'],
  ])("a default of %j is written %s in Python", (value, literal) => {
    const [, , python] = flagSnippets({ key: "k", default_value: value }, "http://x");
    expect(python?.code).toContain(`value = ${literal} if`);
  });

  it("a key with a quote stays one shell word", () => {
    const [c] = flagSnippets({ key: "it's", default_value: null }, "http://x");
    expect(c?.code).toContain(`-d '{"user_id":"user-42","attributes":{"country":"FR"},"flags":["it'\\''s"]}'`);
  });
});
