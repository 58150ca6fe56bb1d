/**
 * JSON's 1e309 (or 309 digits) parses as Infinity, which JSON cannot carry back: the free-form JSON
 * fields stored it as null (a json flag's value, a variant's config, an event's payload, a
 * prediction; an outside fuzz found it first in conditions). Each is now a 400 at the field, and
 * nothing is stored. Bodies are sent as text: a client's JSON.stringify would have written null.
 */
import { describe, expect, it } from "vitest";
import { as, expectProblem } from "../helpers";

const S = "/api/v1/streaming-analytics";
const A = "/api/v1/ab-testing";
const MESSAGE = "numbers must be finite: 1e309 and beyond overflow to Infinity, which JSON cannot carry";
const BIG = `1${"0".repeat(309)}`;

describe("a non-finite number in a free-form JSON field is a 400 at the field; nothing is stored", () => {
  it.each([
    [
      "a json flag's default value",
      `${A}/flags`,
      '{"key":"inf","value_type":"json","default_value":{"a":1e999}}',
      "default_value",
    ],
    [
      "a json flag rule's value",
      `${A}/flags`,
      '{"key":"inf","value_type":"json","default_value":{},"rules":[{"value":[-1e400]}]}',
      "rules.0.value",
    ],
    [
      "a variant's config",
      `${A}/experiments`,
      `{"key":"inf","experiment_name":"I","variants":[{"key":"c","variant_type":"control","traffic_percentage":50,"config":{"n":${BIG}}},{"key":"t","variant_type":"treatment","traffic_percentage":50}]}`,
      "variants.0.config",
    ],
    [
      "an event's payload",
      `${S}/events`,
      '{"events":[{"event_type":"ok"},{"event_type":"x","payload":{"v":[1,2e308]}}]}',
      "events.1.payload",
    ],
    ["a prediction", `${S}/predictions`, '{"model_name":"m","prediction":1e999,"confidence":0.5}', "prediction"],
    ["a source's config", `${S}/sources`, '{"name":"s","source_type":"http","config":{"rate":1e999}}', "config"],
  ] as const)("%s", async (name, path, text, field) => {
    const c = await as(`inf-${name.replace(/[^A-Za-z0-9]+/g, "-")}`.slice(0, 64));
    const problem = await expectProblem(await c.postRaw(path, text), 400);
    expect(problem.errors).toContainEqual({ path: field, message: MESSAGE });
    // Each route lists what it creates at the same path.
    const listed = (await (await c.get(path)).json()) as { items: unknown[] };
    expect(listed.items).toEqual([]);
  });

  // A flag's values are checked twice, as free-form JSON and against value_type: a number flag's
  // 1e999 got both messages at the same path. The type check now leaves a value the JSON check
  // refused to that check's one error; a finite value of the wrong type is still named by it.
  it.each([
    ["a number flag's default", '{"key":"n","value_type":"number","default_value":1e999}', ["default_value", MESSAGE]],
    [
      "a number flag rule's value",
      '{"key":"n","value_type":"number","default_value":1,"rules":[{"value":-1e999}]}',
      ["rules.0.value", MESSAGE],
    ],
    [
      "a string flag's default",
      '{"key":"s","value_type":"string","default_value":[1e999]}',
      ["default_value", MESSAGE],
    ],
    [
      "beside a finite value of the wrong type",
      '{"key":"n","value_type":"number","default_value":"1","rules":[{"value":1e999}]}',
      ["default_value", "must be a number (value_type number)"],
      ["rules.0.value", MESSAGE],
    ],
  ] as const)("%s: one error at its path", async (name, text, ...errors) => {
    const c = await as(`inf-once-${name.replace(/[^A-Za-z0-9]+/g, "-")}`.slice(0, 64));
    const problem = await expectProblem(await c.postRaw(`${A}/flags`, text), 400);
    const byPath = (a: { path: string }, b: { path: string }) => a.path.localeCompare(b.path);
    expect(problem.errors?.toSorted(byPath)).toEqual(errors.map(([path, message]) => ({ path, message })));
    expect(((await (await c.get(`${A}/flags`)).json()) as { items: unknown[] }).items).toEqual([]);
  });

  it("the largest finite numbers are stored as sent", async () => {
    const c = await as("inf-finite");
    const text =
      '{"key":"big","value_type":"json","default_value":{"max":1.7976931348623157e308,"tiny":5e-324,"neg":-1e308}}';
    const res = await c.postRaw(`${A}/flags`, text);
    expect(res.status).toBe(201);
    const flag = (await res.json()) as { default_value: unknown };
    expect(flag.default_value).toEqual({ max: Number.MAX_VALUE, tiny: 5e-324, neg: -1e308 });
  });
});
