// The rule and silence forms of the alerting pages: text fields to request bodies, and back.
import { describe, expect, it } from "vitest";
import {
  bodyToPatch,
  formatTagFilter,
  describeRule,
  formToBody,
  newRuleForm,
  parseNumber,
  parseTagFilter,
  previewQuery,
  readPreview,
  type RuleForm,
  type RuleLike,
  ruleToForm,
} from "../../web/src/alerting/rule-form";
import { newSilenceForm, type SilenceForm, silenceBody } from "../../web/src/alerting/silence-form";

const form = (over: Partial<RuleForm>): RuleForm => ({
  ...newRuleForm("checkout.latency_ms"),
  name: "Slow checkout",
  threshold: "500",
  ...over,
});

describe("bodyToPatch (an edit)", () => {
  it.each<[string, Partial<RuleForm>, string | null]>([
    ["a threshold rule keeps its operator", {}, "gt"],
    ["an anomaly rule on one side keeps it", { type: "anomaly", operator: "lt", threshold: "" }, "lt"],
    ["an anomaly rule on both sides unsets it", { type: "anomaly", operator: "gte", threshold: "" }, null],
  ])("%s", (_name, over, operator) => {
    const parsed = formToBody(form(over));
    if (!("body" in parsed)) throw new Error("invalid form");
    expect(bodyToPatch(parsed.body)).toEqual({ ...parsed.body, operator, tags: null });
  });
});

describe("formToBody", () => {
  it.each<[string, Partial<RuleForm>, ReturnType<typeof formToBody>]>([
    [
      "a threshold rule",
      { for_seconds: "30" },
      {
        body: {
          name: "Slow checkout",
          type: "threshold",
          metric_name: "checkout.latency_ms",
          aggregation: "avg",
          window_seconds: 60,
          operator: "gt",
          threshold: 500,
          severity: "warning",
          for_seconds: 30,
          no_data: "keep",
        },
      },
    ],
    [
      "an anomaly rule drops the threshold and keeps a one-sided operator",
      { type: "anomaly", operator: "lt", sensitivity: "4", baseline_windows: "" },
      {
        body: {
          name: "Slow checkout",
          type: "anomaly",
          metric_name: "checkout.latency_ms",
          aggregation: "avg",
          window_seconds: 60,
          operator: "lt",
          sensitivity: 4,
          severity: "warning",
          for_seconds: 0,
          no_data: "keep",
        },
      },
    ],
    [
      "an anomaly rule with gte watches both sides",
      { type: "anomaly", operator: "gte", sensitivity: "", baseline_windows: "" },
      {
        body: {
          name: "Slow checkout",
          type: "anomaly",
          metric_name: "checkout.latency_ms",
          aggregation: "avg",
          window_seconds: 60,
          severity: "warning",
          for_seconds: 0,
          no_data: "keep",
        },
      },
    ],
    ["a missing threshold", { threshold: " " }, { errors: { threshold: "Enter a number." } }],
    [
      "words where numbers belong",
      { window_seconds: "a minute", for_seconds: "soon" },
      { errors: { window_seconds: "Enter a number.", for_seconds: "Enter a number." } },
    ],
    [
      "no name and no metric",
      { name: " ", metric_name: "" },
      { errors: { name: "Give the rule a name.", metric_name: "Pick the metric to watch." } },
    ],
  ])("%s", (_name, over, expected) => {
    expect(formToBody(form(over))).toEqual(expected);
  });
});

describe("rules on model statistics", () => {
  it.each<[string, Partial<RuleForm>, Record<string, string> | undefined]>([
    ["a metric rule without a tag filter sends no tags", { model: "churn", version: "v2" }, undefined],
    ["a metric rule sends its tag filter", { tag_filter: " region = eu ,env=prod, " }, { region: "eu", env: "prod" }],
    ["a model rule ignores the metric tag filter", { metric_name: "@models/confidence", tag_filter: "a=b" }, {}],
    [
      "a model statistic sends model and version",
      { metric_name: "@models/latency_ms", model: " churn ", version: "v2" },
      { model: "churn", version: "v2" },
    ],
    ["blank fields: every model and version", { metric_name: "@models/confidence", model: " ", version: "" }, {}],
    [
      "a model without a version: all its versions",
      { metric_name: "@models/confidence", model: "churn" },
      { model: "churn" },
    ],
  ])("%s", (_name, over, tags) => {
    const parsed = formToBody(form(over));
    if (!("body" in parsed)) throw new Error("invalid form");
    expect(parsed.body.tags).toEqual(tags);
    expect("tags" in parsed.body).toBe(tags !== undefined);
  });

  it.each<[string, Partial<RuleForm>, Record<string, string> | null]>([
    ["a metric with a blank filter clears a stored one (and a model's)", { model: "churn" }, null],
    ["a metric with a filter sends it", { tag_filter: "region=eu" }, { region: "eu" }],
    ["a model statistic sends its own tags", { metric_name: "@models/confidence", model: "churn" }, { model: "churn" }],
  ])("an edit: %s", (_name, over, tags) => {
    const parsed = formToBody(form(over));
    if (!("body" in parsed)) throw new Error("invalid form");
    expect(bodyToPatch(parsed.body).tags).toEqual(tags);
  });

  it("a model rule round-trips through the form", () => {
    const rule: RuleLike = {
      name: "churn v2 slow",
      type: "threshold",
      metric_name: "@models/latency_ms",
      tags: { model: "churn", version: "v2" },
      aggregation: "p95",
      window_seconds: 60,
      operator: "gt",
      threshold: 100,
      severity: "critical",
      for_seconds: 0,
      no_data: "keep",
      sensitivity: null,
      baseline_windows: null,
    };
    const f = ruleToForm(rule);
    expect([f.model, f.version]).toEqual(["churn", "v2"]);
    const back = formToBody(f);
    expect("body" in back && back.body.tags).toEqual({ model: "churn", version: "v2" });
  });
});

describe("the tag filter as typed", () => {
  it.each<[string, Record<string, string> | string]>([
    ["", {}],
    [" , ", {}],
    ["region=eu", { region: "eu" }],
    ["region = eu, env=prod", { region: "eu", env: "prod" }],
    ["path=/a=b", { path: "/a=b" }],
    ["empty=", { empty: "" }],
    ["region", 'Write each tag as key=value: "region" has no "=".'],
    ["=eu", 'Write each tag as key=value: "=eu" has no key.'],
    ["a=1, a=2", 'The tag "a" is given twice.'],
    [Array.from({ length: 21 }, (_, i) => `k${i}=v`).join(","), "At most 20 tags."],
  ])("%j", (text, expected) => {
    const out = parseTagFilter(text);
    expect("error" in out ? out.error : out.tags).toEqual(expected);
  });

  it("a stored filter is shown in key order and reads back the same", () => {
    const tags = { region: "eu", env: "prod" };
    expect(formatTagFilter(tags)).toBe("env=prod, region=eu");
    expect(parseTagFilter(formatTagFilter(tags))).toEqual({ tags });
    expect(formatTagFilter(null)).toBe("");
  });

  it("a metric rule's filter round-trips through the form; a model rule's tags stay in model and version", () => {
    const base: RuleLike = {
      name: "eu slow",
      type: "threshold",
      metric_name: "checkout.latency_ms",
      tags: { region: "eu" },
      aggregation: "p95",
      window_seconds: 60,
      operator: "gt",
      threshold: 500,
      severity: "error",
      for_seconds: 0,
      no_data: "keep",
      sensitivity: null,
      baseline_windows: null,
    };
    const f = ruleToForm(base);
    expect([f.tag_filter, f.model]).toEqual(["region=eu", ""]);
    const back = formToBody(f);
    expect("body" in back && back.body.tags).toEqual({ region: "eu" });
    const model = ruleToForm({ ...base, metric_name: "@models/latency_ms", tags: { model: "churn" } });
    expect([model.tag_filter, model.model]).toEqual(["", "churn"]);
  });

  it("a bad filter is the tags field's error", () => {
    expect(formToBody(form({ tag_filter: "region" }))).toEqual({
      errors: { tags: 'Write each tag as key=value: "region" has no "=".' },
    });
  });

  it("the preview reads the same points as the rule", () => {
    expect(previewQuery("60", "p95", "region=eu, env=prod")).toEqual({
      window: "1800",
      step: "60",
      aggregation: "p95",
      "tag.region": "eu",
      "tag.env": "prod",
    });
    expect(previewQuery("60", "p95", "region")).toBeNull();
  });
});

describe("ruleToForm", () => {
  const rule: RuleLike = {
    name: "Errors",
    type: "threshold",
    metric_name: "errors",
    aggregation: "count",
    window_seconds: 300,
    operator: "gte",
    threshold: 10,
    severity: "critical",
    for_seconds: 60,
    no_data: "alert",
    sensitivity: null,
    baseline_windows: null,
  };
  it("round-trips through the form to the same body", () => {
    const back = formToBody(ruleToForm(rule));
    expect(back).toEqual({
      body: {
        name: "Errors",
        type: "threshold",
        metric_name: "errors",
        aggregation: "count",
        window_seconds: 300,
        operator: "gte",
        threshold: 10,
        severity: "critical",
        for_seconds: 60,
        no_data: "alert",
      },
    });
  });

  it.each<[Partial<RuleLike>, string]>([
    [{}, "count of errors over 5 min ≥ 10, for 1 min"],
    [{ operator: "lt", threshold: 0.5, for_seconds: 0, window_seconds: 45 }, "count of errors over 45 s < 0.5"],
    [
      { type: "anomaly", operator: null, threshold: null, sensitivity: 4, baseline_windows: 20, for_seconds: 0 },
      "count of errors over 5 min is an outlier (|z| ≥ 4 vs the previous 20 windows)",
    ],
    [
      { type: "anomaly", operator: "gt", threshold: null, sensitivity: 3, baseline_windows: 30, window_seconds: 7200 },
      "count of errors over 2 h is an outlier (|z| ≥ 3 vs the previous 30 windows, above only), for 1 min",
    ],
    [
      { metric_name: "@models/latency_ms", tags: { version: "v2", model: "churn" }, aggregation: "p95" },
      'p95 of @models/latency_ms{model="churn",version="v2"} over 5 min ≥ 10, for 1 min',
    ],
    [{ tags: {} }, "count of errors over 5 min ≥ 10, for 1 min"],
    [{ tags: null }, "count of errors over 5 min ≥ 10, for 1 min"],
  ])("describeRule %o", (over, text) => {
    expect(describeRule({ ...rule, ...over })).toBe(text);
  });
});

describe("previewQuery and parseNumber", () => {
  it.each([
    ["60", { window: "1800", step: "60", aggregation: "p95" }],
    ["10", { window: "900", step: "10", aggregation: "p95" }],
    ["86400", { window: "604800", step: "86400", aggregation: "p95" }],
    ["5", null],
    ["", null],
    ["abc", null],
  ])("window %s", (w, expected) => {
    expect(previewQuery(w, "p95")).toEqual(expected);
  });

  it.each([
    ["", null],
    [" 12.5 ", 12.5],
    ["-3", -3],
    ["1e3", 1000],
    ["1e999", null],
    ["12abc", null],
  ])("parseNumber(%j)", (text, n) => {
    expect(parseNumber(text)).toBe(n);
  });
});

// A filter over many tag sets at the rule's step can be more than one read may fold: the server
// answers 422, and the preview asks again without the step (the server picks one that fits).
describe("readPreview", () => {
  const query = { "tag.region": "eu", window: "8700", step: "290", aggregation: "avg" };
  const answering = (fails: (q: Record<string, string>) => unknown) => {
    const asked: Record<string, string>[] = [];
    const get = async (q: Record<string, string>) => {
      asked.push(q);
      const err = fails(q);
      if (err !== null) throw err;
      return { step_seconds: Number(q.step ?? 600) };
    };
    return { asked, get };
  };

  it("reads at the rule's step when the server answers", async () => {
    const { asked, get } = answering(() => null);
    expect(await readPreview(get, query)).toEqual({ step_seconds: 290 });
    expect(asked).toEqual([query]);
  });

  it("asks again without the step after a 422, keeping the filter and window", async () => {
    const { asked, get } = answering((q) => (q.step === undefined ? null : { status: 422 }));
    expect(await readPreview(get, query)).toEqual({ step_seconds: 600 });
    expect(asked).toEqual([query, { "tag.region": "eu", window: "8700", aggregation: "avg" }]);
  });

  it.each([[{ status: 404 }], [{ status: 500 }], [new Error("offline")], [null]])(
    "passes any other failure on (%j)",
    async (err) => {
      const { asked, get } = answering(() => err ?? undefined);
      await expect(readPreview(get, query)).rejects.toBe(err ?? undefined);
      expect(asked).toHaveLength(1);
    },
  );
});

describe("silenceBody", () => {
  const NOW = Date.UTC(2026, 11, 2, 12);
  const s = (over: Partial<SilenceForm>): SilenceForm => ({ ...newSilenceForm(), ...over });
  it.each<[Partial<SilenceForm>, ReturnType<typeof silenceBody>]>([
    [
      { rule_id: "r1", comment: " deploy window " },
      { body: { matchers: { rule_id: "r1" }, starts_at: NOW, ends_at: NOW + 3_600_000, comment: "deploy window" } },
    ],
    [
      { severity: "info", source_id: "s1", fingerprint: " fp ", duration: "7d" },
      {
        body: {
          matchers: { severity: "info", source_id: "s1", fingerprint: "fp" },
          starts_at: NOW,
          ends_at: NOW + 7 * 86_400_000,
          comment: "",
        },
      },
    ],
    [
      { fingerprint: "   " },
      { error: "Choose at least one matcher: a silence of everything is too easy to leave on." },
    ],
  ])("%o", (over, expected) => {
    expect(silenceBody(s(over), NOW)).toEqual(expected);
  });
});
