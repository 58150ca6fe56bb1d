// The results CSV: read back with an RFC 4180 reader, every number as the API gave it, the
// control's comparison cells empty, and free-text names that cannot run as spreadsheet formulas.
import { describe, expect, it } from "vitest";
import { DEFAULT_ANALYSIS_SETTINGS } from "../../src/experiments/analysis-settings";
import { CSV_COLUMNS, resultsCsv } from "../../web/src/experiments/results/csv";
import { csvCell, csvFileName, csvText } from "../../web/src/ui/csv";
import type { Analysis } from "../../web/src/experiments/results/types";
import { readCsv } from "./csv-reader";

const comparison = (variant_id: string, over: Record<string, unknown> = {}) => ({
  variant_id,
  control_variant_id: "v-c",
  difference: 0.0123456789012345,
  relative_lift: 0.1,
  lift_ci_low: -0.02,
  lift_ci_high: 0.22,
  ci_low: -0.0024,
  ci_high: 0.027,
  p_value: 0.0001234,
  p_value_adjusted: null,
  chance_to_beat_control: 0.97,
  expected_loss: 0.00042,
  credible_low: -0.001,
  credible_high: 0.025,
  significant: false,
  verdict: "inconclusive",
  reason: null,
  ...over,
});
const arm = (variant_id: string, mean: number | null, users: number) => ({
  variant_id,
  count: users,
  users,
  mean,
  stddev: mean === null ? null : 0.5,
  adjusted_mean: null,
  min: 0,
  max: 1,
  sum: (mean ?? 0) * users,
});
const metric = (metric_name: string, name: string, role: string, comparisons: unknown[]) => ({
  metric_name,
  name,
  defined: true,
  role,
  kind: "conversion",
  direction: "increase",
  format: "percent",
  currency: null,
  capping: null,
  variants: [arm("v-c", 0.1, 1000), arm("v-t", 0.1123456789012345, 1002)],
  cuped: { applied: false, theta: null, variance_reduction: null, reason: "off" },
  comparisons,
});
const analysis = {
  experiment_id: "exp_1",
  status: "running",
  analysis_settings: DEFAULT_ANALYSIS_SETTINGS,
  assignments: [],
  srm: { p_value: 0.5, mismatch: false, reason: null },
  data_quality: { unexposed_results: 0, anonymous_results: 0, pre_exposure_results: 0 },
  power: { planned_users_per_variant: null, progress: null, days_running: 3 },
  metrics: [
    metric("conversion", "Checkout conversion", "primary", [comparison("v-t")]),
    metric("refunds", '=HYPERLINK("x","Refunds, "net"")', "guardrail", [
      comparison("v-t", { difference: -0.5, ci_low: null, ci_high: null, p_value: null, verdict: "insufficient_data" }),
    ]),
  ],
} as unknown as Analysis;
const variants = [
  { id: "v-c", key: "control", variant_name: "Control", variant_type: "control" },
  { id: "v-t", key: "green", variant_name: "Green\nbutton", variant_type: "treatment" },
];

describe("resultsCsv", () => {
  const rows = readCsv(resultsCsv(analysis, variants));
  const header = rows[0] ?? [];
  const col = (row: string[] | undefined, name: (typeof CSV_COLUMNS)[number]) => row?.[header.indexOf(name)];

  it("has the columns, then one row per metric and variant", () => {
    expect(header).toEqual([...CSV_COLUMNS]);
    expect(rows.slice(1).map((r) => [col(r, "metric_name"), col(r, "variant_key"), col(r, "is_control")])).toEqual([
      ["conversion", "control", "true"],
      ["conversion", "green", "false"],
      ["refunds", "control", "true"],
      ["refunds", "green", "false"],
    ]);
    for (const r of rows) expect(r).toHaveLength(CSV_COLUMNS.length);
  });

  it("writes numbers at full precision, and nothing for what cannot be computed", () => {
    const treated = rows[2];
    expect(Number(col(treated, "mean"))).toBe(0.1123456789012345);
    expect(Number(col(treated, "difference"))).toBe(0.0123456789012345);
    expect(Number(col(treated, "p_value"))).toBe(0.0001234);
    expect(col(treated, "p_value_adjusted")).toBe("");
    expect([col(treated, "expected_loss"), col(treated, "credible_low"), col(treated, "credible_high")]).toEqual([
      "0.00042",
      "-0.001",
      "0.025",
    ]);
    expect(col(treated, "confidence_level")).toBe("0.95");
    expect(col(treated, "variant_name")).toBe("Green\nbutton");
    const guard = rows[4];
    expect(col(guard, "difference")).toBe("-0.5");
    expect([col(guard, "ci_low"), col(guard, "ci_high"), col(guard, "p_value")]).toEqual(["", "", ""]);
    expect(col(guard, "verdict")).toBe("insufficient_data");
  });

  it("leaves the control's comparison cells empty", () => {
    const control = rows[1];
    for (const name of [
      "difference",
      "ci_low",
      "relative_lift",
      "p_value",
      "chance_to_beat_control",
      "verdict",
    ] as const)
      expect(col(control, name), name).toBe("");
    expect(col(control, "users")).toBe("1000");
  });

  it("keeps a formula-like name as text, quoted and escaped", () => {
    expect(col(rows[3], "metric")).toBe(`'=HYPERLINK("x","Refunds, "net"")`);
  });
});

describe("csvCell", () => {
  it.each<[Parameters<typeof csvCell>[0], string]>([
    [null, ""],
    [undefined, ""],
    [0, "0"],
    [-1.5e-7, "-1.5e-7"],
    [Number.NaN, ""],
    [true, "true"],
    ["plain", "plain"],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["line\r\nbreak", '"line\r\nbreak"'],
    ["=1+1", "'=1+1"],
    ["+33 6", "'+33 6"],
    ["-x", "'-x"],
    ["@sum", "'@sum"],
    ["\tx", "'\tx"],
  ])("%j → %j", (v, want) => expect(csvCell(v)).toBe(want));
});

describe("csvText and csvFileName", () => {
  it("ends every record with CRLF", () => {
    expect(
      csvText([
        ["a", 1],
        ["b,c", null],
      ]),
    ).toBe('a,1\r\n"b,c",\r\n');
    expect(csvText([])).toBe("");
  });
  it.each([
    ["checkout-results", "checkout-results-2026-12-03.csv"],
    ["checkout.latency_ms-p99", "checkout.latency_ms-p99-2026-12-03.csv"],
    ["a/b c:d", "a_b_c_d-2026-12-03.csv"],
  ])("names %j by the day", (stem, want) => {
    expect(csvFileName(stem, new Date("2026-12-03T23:59:00Z"))).toBe(want);
  });
});
