import { describe, expect, it } from "vitest";
import {
  type AlertRule,
  type RuleState,
  INACTIVE,
  attachAlert,
  conditionChanged,
  conditionHolds,
  evaluateRule,
  formatNumber,
  parseRuleState,
  patchedRuleInput,
  retireRule,
  reviseRule,
} from "../../src/streaming/rules";
import { AlertRuleIn } from "../../src/streaming/schemas";

const rule: AlertRule = {
  id: "r1",
  name: "Slow checkout",
  metric_name: "latency_ms",
  aggregation: "p95",
  window_seconds: 300,
  operator: "gt",
  threshold: 200,
  severity: "critical",
  for_seconds: 60,
};
const T = 1_900_000_000_000;

/** Runs a sequence of (seconds offset, observed value) and returns each step's state and actions. */
function run(r: AlertRule, steps: [number, number | null][], start: RuleState = INACTIVE) {
  let state = start;
  return steps.map(([sec, value]) => {
    const out = evaluateRule(r, state, value, T + sec * 1000);
    state = out.state;
    return { status: out.state.status, actions: out.actions.map((a) => a.type) };
  });
}

describe("conditionHolds", () => {
  it.each([
    ["gt", 201, true],
    ["gt", 200, false],
    ["gte", 200, true],
    ["gte", 199.9, false],
    ["lt", 199, true],
    ["lt", 200, false],
    ["lte", 200, true],
    ["lte", 200.1, false],
  ] as const)("%s: %d vs 200 → %s", (op, value, expected) => {
    expect(conditionHolds(op, value, 200)).toBe(expected);
  });
});

describe("evaluateRule lifecycle", () => {
  it("inactive → pending → firing → resolved (condition cleared), with the alert id carried", () => {
    let state: RuleState = INACTIVE;
    let out = evaluateRule(rule, state, 250, T);
    expect(out).toEqual({ state: { status: "pending", since: T }, actions: [] });
    state = out.state;
    out = evaluateRule(rule, state, 260, T + 30_000);
    expect(out).toEqual({ state, actions: [] });
    out = evaluateRule(rule, state, 270, T + 60_000);
    expect(out.state).toEqual({ status: "firing", since: T + 60_000 });
    expect(out.actions).toEqual([
      {
        type: "open_alert",
        rule_id: "r1",
        fingerprint: "rule:r1",
        severity: "critical",
        title: "Slow checkout: p95(latency_ms) = 270 > 200",
        message:
          'Rule "Slow checkout": p95 of latency_ms over the last 300 s is 270, > threshold 200 for at least 60 s.',
        value: 270,
      },
    ]);
    state = attachAlert(out.state, "alert-9");
    expect(state).toEqual({ status: "firing", since: T + 60_000, alert_id: "alert-9" });
    expect(evaluateRule(rule, state, 300, T + 70_000)).toEqual({ state, actions: [] });
    out = evaluateRule(rule, state, 120, T + 80_000);
    expect(out).toEqual({
      state: INACTIVE,
      actions: [
        {
          type: "resolve_alert",
          rule_id: "r1",
          fingerprint: "rule:r1",
          alert_id: "alert-9",
          note: "condition cleared: p95 = 120 ≤ 200",
        },
      ],
    });
  });

  it.each([
    ["for_seconds 0 fires on the first evaluation", 0, [[0, 250]], ["firing"]],
    [
      "fires exactly when for_seconds has elapsed",
      60,
      [
        [0, 250],
        [59.999, 250],
        [60, 250],
      ],
      ["pending", "pending", "firing"],
    ],
    [
      "a dip while pending restarts the clock",
      60,
      [
        [0, 250],
        [30, 100],
        [40, 250],
        [90, 250],
        [100, 250],
      ],
      ["pending", "inactive", "pending", "pending", "firing"],
    ],
    [
      "no data while pending keeps waiting (no_data keep, the default)",
      60,
      [
        [0, 250],
        [30, null],
        [60, 250],
      ],
      ["pending", "pending", "firing"],
    ],
    [
      "a late evaluation (hibernated object) fires at once if still true",
      60,
      [
        [0, 250],
        [3600, 250],
      ],
      ["pending", "firing"],
    ],
    ["threshold equal under gt does not hold", 0, [[0, 200]], ["inactive"]],
  ] as const)("%s", (_label, forSeconds, steps, statuses) => {
    const result = run(
      { ...rule, for_seconds: forSeconds },
      steps.map(([s, v]) => [s, v]),
    );
    expect(result.map((r) => r.status)).toEqual(statuses);
  });

  it("opens exactly one alert per firing episode and resolves it once", () => {
    const result = run({ ...rule, for_seconds: 0 }, [
      [0, 250],
      [10, 260],
      [20, 100],
      [30, 100],
      [40, 250],
    ]);
    expect(result.map((r) => r.actions)).toEqual([["open_alert"], [], ["resolve_alert"], [], ["open_alert"]]);
  });

  it("no data while pending returns to inactive under no_data resolve", () => {
    const steps: [number, number | null][] = [
      [0, 250],
      [30, null],
      [60, 250],
    ];
    expect(run({ ...rule, no_data: "resolve" }, steps).map((r) => r.status)).toEqual([
      "pending",
      "inactive",
      "pending",
    ]);
  });

  it("a firing rule whose data stops keeps firing under no_data keep (the default), however long", () => {
    const firing: RuleState = { status: "firing", since: T, alert_id: "a" };
    for (const r of [rule, { ...rule, no_data: "keep" as const }]) {
      expect(evaluateRule(r, firing, null, T + 10_000)).toEqual({ state: firing, actions: [] });
      expect(evaluateRule(r, firing, null, T + 86_400_000)).toEqual({ state: firing, actions: [] });
    }
    // When data returns below the threshold, it resolves as usual.
    expect(evaluateRule(rule, firing, 100, T + 90_000).actions.map((a) => a.type)).toEqual(["resolve_alert"]);
  });

  it("no_data alert: silence holds like the condition, with its own title, after for_seconds", () => {
    const r = { ...rule, no_data: "alert" as const };
    const steps: [number, number | null][] = [
      [0, null],
      [30, null],
      [60, null],
      [70, 100],
    ];
    const result = run(r, steps);
    expect(result.map((x) => x.status)).toEqual(["pending", "pending", "firing", "inactive"]);
    expect(result.map((x) => x.actions)).toEqual([[], [], ["open_alert"], ["resolve_alert"]]);
    const opened = evaluateRule(r, { status: "pending", since: T }, null, T + 60_000).actions[0];
    expect(opened).toMatchObject({
      type: "open_alert",
      title: "Slow checkout: no data",
      message: 'Rule "Slow checkout": no data: no latency_ms points in the last 300 s for at least 60 s.',
      value: null,
    });
  });

  it("a firing rule whose data stops resolves with a no-data note under no_data resolve", () => {
    const out = evaluateRule({ ...rule, no_data: "resolve" }, { status: "firing", since: T }, null, T + 10_000);
    expect(out.state).toEqual(INACTIVE);
    expect(out.actions).toEqual([
      {
        type: "resolve_alert",
        rule_id: "r1",
        fingerprint: "rule:r1",
        note: "no data: no latency_ms points in the last 300 s",
      },
    ]);
  });

  it.each(["keep", "resolve"] as const)("no data on an inactive rule does nothing (%s)", (noData) => {
    expect(evaluateRule({ ...rule, no_data: noData }, INACTIVE, null, T)).toEqual({ state: INACTIVE, actions: [] });
  });

  it.each([
    ["lt", 5, "≥"],
    ["lte", 6, ">"],
    ["gte", 4, "<"],
  ] as const)("cleared note negates %s", (operator, value, symbol) => {
    const r = { ...rule, operator, threshold: 5, aggregation: "count" as const };
    const out = evaluateRule(r, { status: "firing", since: T }, value, T);
    expect(out.actions[0]).toMatchObject({ note: `condition cleared: count = ${value} ${symbol} 5` });
  });

  it("a 'count < 1' rule fires on silence, since an empty window counts 0", () => {
    const deadMan = { ...rule, aggregation: "count" as const, operator: "lt" as const, threshold: 1, for_seconds: 0 };
    expect(evaluateRule(deadMan, INACTIVE, 0, T).actions.map((a) => a.type)).toEqual(["open_alert"]);
  });

  it("state survives JSON (as stored in SQLite) and bad stored state restarts inactive", () => {
    const firing: RuleState = { status: "firing", since: T, alert_id: "a" };
    expect(parseRuleState(JSON.stringify(firing))).toEqual(firing);
    expect(parseRuleState({ status: "pending", since: T })).toEqual({ status: "pending", since: T });
    expect(parseRuleState({ status: "firing", since: T })).toEqual({ status: "firing", since: T });
    expect(parseRuleState("garbage")).toEqual(INACTIVE);
    expect(parseRuleState({ status: "pending" })).toEqual(INACTIVE);
  });

  it("retireRule resolves a firing rule's alert only", () => {
    expect(retireRule(rule, { status: "firing", since: T, alert_id: "a" })).toEqual([
      { type: "resolve_alert", rule_id: "r1", fingerprint: "rule:r1", alert_id: "a", note: "rule deleted" },
    ]);
    expect(retireRule(rule, { status: "pending", since: T })).toEqual([]);
  });

  it.each([
    [0.1 + 0.2, "0.3"],
    [1234567.891, "1234570"],
    [120, "120"],
    [-0.000123456789, "-0.000123457"],
  ])("formatNumber(%d) = %s", (v, s) => {
    expect(formatNumber(v)).toBe(s);
  });
});

describe("editing a rule (PATCH /alert-rules/:id)", () => {
  const anomaly: AlertRule = {
    ...rule,
    type: "anomaly",
    operator: null,
    threshold: null,
    sensitivity: 4,
    baseline_windows: 30,
  };
  const pending: RuleState = { status: "pending", since: T };
  const firing: RuleState = { status: "firing", since: T, alert_id: "a1" };

  it.each<[string, Partial<AlertRule>, boolean]>([
    ["name", { name: "Checkout p95" }, false],
    ["severity", { severity: "warning" }, false],
    ["threshold", { threshold: 250 }, true],
    ["operator", { operator: "gte" }, true],
    ["window", { window_seconds: 600 }, true],
    ["for_seconds", { for_seconds: 0 }, true],
    ["aggregation", { aggregation: "p99" }, true],
    ["metric", { metric_name: "latency_ms_v2" }, true],
    ["no_data spelled as its default", { no_data: "keep" }, false],
    ["no_data", { no_data: "resolve" }, true],
    ["tags {} is no filter", { tags: {} }, false],
    ["tags", { tags: { region: "eu" } }, true],
  ])("%s: condition changed = %s", (_name, change, changed) => {
    expect(conditionChanged(rule, { ...rule, ...change })).toBe(changed);
  });

  it("tag order does not count as a change; defaults of anomaly rules compare equal to their values", () => {
    const tagged = { ...rule, tags: { a: "1", b: "2" } };
    expect(conditionChanged(tagged, { ...rule, tags: { b: "2", a: "1" } })).toBe(false);
    const { sensitivity: _s, baseline_windows: _b, ...bare } = anomaly;
    expect(conditionChanged(anomaly, { ...bare, sensitivity: 4 })).toBe(false);
    expect(conditionChanged(anomaly, { ...anomaly, sensitivity: 3 })).toBe(true);
  });

  it.each<[string, RuleState, Partial<AlertRule>, RuleState]>([
    ["inactive stays inactive", INACTIVE, { threshold: 1 }, INACTIVE],
    ["pending, new condition: the wait restarts", pending, { threshold: 150 }, INACTIVE],
    ["pending, new name only: the wait goes on", pending, { name: "x" }, pending],
    ["pending, new severity only: the wait goes on", pending, { severity: "info" }, pending],
    ["firing, new condition: stays firing with its alert", firing, { threshold: 999 }, firing],
    ["firing, new name: unchanged", firing, { name: "x" }, firing],
    ["inactive, new severity: inactive", INACTIVE, { severity: "info" }, INACTIVE],
  ])("%s", (_name, state, change, want) => {
    expect(reviseRule(rule, { ...rule, ...change }, state)).toEqual({ state: want, actions: [] });
  });

  it.each<[string, Partial<AlertRule>, number]>([
    ["severity only", { severity: "warning" }, 60],
    ["severity and a longer for_seconds", { severity: "info", for_seconds: 600 }, 600],
    ["severity and for_seconds 0", { severity: "info", for_seconds: 0 }, 0],
  ])(
    "firing, new severity (%s): its alert is resolved with a note and the next evaluation opens one at the new grade at once",
    (_name, change, forSeconds) => {
      const after = { ...rule, ...change };
      const revision = reviseRule(rule, after, firing);
      expect(revision.actions).toEqual([
        {
          type: "resolve_alert",
          rule_id: "r1",
          fingerprint: "rule:r1",
          alert_id: "a1",
          note: `rule edited: severity critical → ${after.severity}`,
        },
      ]);
      expect(revision.state).toEqual({ status: "pending", since: T - forSeconds * 1000 });
      // A moment later, still breached: no new for_seconds wait.
      const out = evaluateRule(after, revision.state, 500, T + 1000);
      expect(out.state).toEqual({ status: "firing", since: T + 1000 });
      expect(out.actions).toEqual([expect.objectContaining({ type: "open_alert", severity: after.severity })]);
      // No longer breached: nothing more to resolve, the rule is simply inactive.
      expect(evaluateRule(after, revision.state, 100, T + 1000)).toEqual({ state: INACTIVE, actions: [] });
    },
  );

  it("a firing rule whose edit clears the condition resolves its alert in the next evaluation", () => {
    const after = { ...rule, threshold: 1000 };
    const { state, actions } = reviseRule(rule, after, firing);
    expect(actions).toEqual([]);
    const out = evaluateRule(after, state, 500, T + 1000);
    expect(out.state).toEqual(INACTIVE);
    expect(out.actions).toEqual([
      expect.objectContaining({ type: "resolve_alert", alert_id: "a1", note: expect.stringContaining("≤ 1000") }),
    ]);
  });

  it.each<[string, AlertRule, Record<string, unknown>, Record<string, unknown> | string]>([
    ["one field over the rest", rule, { threshold: 250 }, { threshold: 250, operator: "gt", window_seconds: 300 }],
    ["null unsets tags", { ...rule, tags: { a: "1" } }, { tags: null }, { tags: undefined }],
    [
      "threshold → anomaly drops the threshold, keeps the operator",
      rule,
      { type: "anomaly" },
      { type: "anomaly", threshold: undefined, operator: "gt", sensitivity: undefined },
    ],
    [
      "anomaly → threshold drops sensitivity and baseline_windows",
      anomaly,
      { type: "threshold", operator: "lt", threshold: 5 },
      { type: "threshold", threshold: 5, sensitivity: undefined, baseline_windows: undefined },
    ],
    ["anomaly → threshold names what it then lacks", anomaly, { type: "threshold" }, "operator,threshold"],
    ["a threshold rule cannot lose its operator", rule, { operator: null }, "operator"],
    ["an anomaly rule takes no threshold", anomaly, { threshold: 3 }, "threshold"],
  ])("%s", (_name, current, patch, want) => {
    const parsed = AlertRuleIn.safeParse(patchedRuleInput(current, patch));
    if (typeof want === "string") {
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues.map((i) => i.path.join(".")).join(",")).toBe(want);
      return;
    }
    expect(parsed.success).toBe(true);
    for (const [k, v] of Object.entries(want)) expect([k, (parsed.data as Record<string, unknown>)[k]]).toEqual([k, v]);
    expect(parsed.data?.name).toBe(current.name);
  });
});
