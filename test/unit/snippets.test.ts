// The integration panel's snippets (web/src/experiments/snippets.ts).
import { describe, expect, it } from "vitest";
import { snippets } from "../../web/src/experiments/snippets";

const exp = {
  id: "exp_123",
  key: "checkout_button",
  primary_metric: "conversion",
  variants: [
    { key: "control", variant_type: "control" },
    { key: "green", variant_type: "treatment" },
  ],
};

/** The single-quoted JSON body after `-d`, unquoted the way a POSIX shell would. */
const bodyOf = (line: string) => {
  const m = /-d '((?:[^']|'\\'')*)'$/.exec(line);
  return m?.[1] === undefined ? undefined : JSON.parse(m[1].replace(/'\\''/g, "'"));
};

describe("snippets", () => {
  const [assign, results, sdk] = snippets(exp, "http://localhost:8787/");

  it("curl /assign names the key and the route", () => {
    expect(assign?.code).toContain("http://localhost:8787/api/v1/ab-testing/assign -d");
    const line = assign?.code.split("\n").find((l) => l.includes("-d "));
    expect(bodyOf(line ?? "")).toEqual({ user_id: "user-42", experiments: ["checkout_button"] });
  });

  it("curl /results records the primary metric and reads the analysis, by id", () => {
    const lines = results?.code.split("\n") ?? [];
    const post = lines.find((l) => l.includes("-d "));
    expect(post).toContain("/api/v1/ab-testing/experiments/exp_123/results");
    expect(bodyOf(post ?? "")).toEqual({ metric_name: "conversion", metric_value: 1, user_id: "user-42" });
    expect(lines.at(-1)).toBe(
      'curl -s -H "Authorization: Bearer $TOKEN" http://localhost:8787/api/v1/ab-testing/experiments/exp_123/results',
    );
  });

  it("the SDK evaluates locally and reports exposures", () => {
    expect(sdk?.code).toContain('baseUrl: "http://localhost:8787/"');
    expect(sdk?.code).toContain('client.getVariant("checkout_button", userId)');
    expect(sdk?.code).toContain('a?.variant_key === "green"');
    expect(sdk?.code).toContain("reportExposures: true");
    expect(sdk?.code).toContain("flushExposures()");
  });

  it.each([
    ["it's", { metric_name: "it's", metric_value: 1, user_id: "user-42" }],
    [null, { metric_name: "conversion", metric_value: 1, user_id: "user-42" }],
  ])("a metric name with a quote (%j) still gives a body the shell passes intact", (metric, body) => {
    const [, r] = snippets({ ...exp, primary_metric: metric }, "http://x");
    const post = r?.code.split("\n").find((l) => l.includes("-d "));
    expect(bodyOf(post ?? "")).toEqual(body);
  });
});
