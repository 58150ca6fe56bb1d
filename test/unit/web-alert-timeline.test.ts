// The alert history page's timeline and search, over alerts shaped as the API returns them.
import { describe, expect, it } from "vitest";
import { alertMatches, queryTerms, type SearchableAlert } from "../../web/src/alerting/history-search";
import { buildTimeline, fmtDuration, type TimelineInput } from "../../web/src/alerting/timeline";

const T0 = "2026-12-02T10:00:00.000Z";
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();

const alert = (over: Partial<TimelineInput>): TimelineInput => ({
  created_at: T0,
  acknowledged_at: null,
  resolved_at: null,
  notes: [],
  history: [{ at: T0, action: "opened" }],
  ...over,
});

describe("buildTimeline", () => {
  it("orders entries, measures offsets and the time to acknowledge and resolve", () => {
    const t = buildTimeline(
      alert({
        acknowledged_at: at(90),
        resolved_at: at(600),
        notes: [
          { at: at(90), by: "ana", text: "looking" },
          { at: at(600), by: "ana", text: "rolled back" },
        ],
        history: [
          { at: T0, action: "opened" },
          { at: at(5), action: "notified", by: "channel:oncall" },
          { at: at(600), action: "resolved", by: "ana", note: "rolled back" },
          { at: at(90), action: "acknowledged", by: "ana", note: "looking" },
          { at: at(30), action: "repeated" },
        ],
      }),
    );
    expect(t.entries.map((e) => [e.action, e.offsetMs, e.by, e.note])).toEqual([
      ["opened", 0, null, null],
      ["notified", 5000, "channel:oncall", null],
      ["repeated", 30_000, null, null],
      ["acknowledged", 90_000, "ana", "looking"],
      ["resolved", 600_000, "ana", "rolled back"],
    ]);
    expect(t.toAcknowledgeMs).toBe(90_000);
    expect(t.toResolveMs).toBe(600_000);
  });

  it.each<[string, TimelineInput, [string, number][]]>([
    ["an alert without history still shows when it opened", alert({ history: [] }), [["opened", 0]]],
    [
      "a note with no history entry is kept as a note",
      alert({ notes: [{ at: at(20), by: "bo", text: "old note" }] }),
      [
        ["opened", 0],
        ["note", 20_000],
      ],
    ],
    [
      "equal times keep the server's order",
      alert({
        history: [
          { at: T0, action: "opened" },
          { at: at(1), action: "acknowledged" },
          { at: at(1), action: "resolved" },
        ],
      }),
      [
        ["opened", 0],
        ["acknowledged", 1000],
        ["resolved", 1000],
      ],
    ],
    [
      "a clock skew never gives a negative offset",
      alert({ history: [{ at: at(-3), action: "opened" }] }),
      [["opened", 0]],
    ],
  ])("%s", (_name, input, expected) => {
    expect(buildTimeline(input).entries.map((e) => [e.action, e.offsetMs])).toEqual(expected);
  });

  it("an unresolved, unacknowledged alert has no response times", () => {
    const t = buildTimeline(alert({}));
    expect([t.toAcknowledgeMs, t.toResolveMs]).toEqual([null, null]);
  });
});

describe("fmtDuration", () => {
  it.each([
    [null, "—"],
    [-1, "—"],
    [Number.NaN, "—"],
    [0, "0 s"],
    [45_900, "45 s"],
    [60_000, "1 min"],
    [200_000, "3 min 20 s"],
    [3_600_000, "1 h"],
    [7_500_000, "2 h 5 min"],
    [86_400_000, "1 d"],
    [273_600_000, "3 d 4 h"],
  ])("%s ms → %s", (ms, text) => {
    expect(fmtDuration(ms)).toBe(text);
  });
});

describe("alert search", () => {
  const a: SearchableAlert = {
    title: "Checkout latency high",
    message: "p95 above 500 ms",
    severity: "critical",
    fingerprint: "rule:r1",
    source_id: "s1",
    acknowledged_by: "ana@example.com",
    resolved_by: "bo@example.com",
    notes: [{ by: "bo@example.com", text: "Rolled back the deploy" }],
  };
  const names = (id: string) => (id === "s1" ? "checkout-web" : undefined);

  it.each([
    ["", true],
    ["   ", true],
    ["checkout", true],
    ["CHECKOUT latency", true],
    ["latency payments", false],
    ["critical", true],
    ["rule:r1", true],
    ['"rolled back"', true],
    ['"back rolled"', false],
    ["deploy bo@example", true],
    ["ana", true],
    ["checkout-web", true],
    ["p95", true],
    ["warning", false],
  ])("%j matches: %s", (query, expected) => {
    expect(alertMatches(a, queryTerms(query), names)).toBe(expected);
  });

  it.each([
    ["a  b", ["a", "b"]],
    ['"two words" x', ["two words", "x"]],
    ['""', []],
    ["MiXeD", ["mixed"]],
  ])("queryTerms(%j)", (query, terms) => {
    expect(queryTerms(query)).toEqual(terms);
  });
});
