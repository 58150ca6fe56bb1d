/**
 * Issue 10's acceptance check: the experiment vocabulary (status lists, variant types, the key
 * pattern) is written once, in src/experiments/model.ts, and everything else derives from it. This
 * greps the sources the way a reviewer would and names every restatement it finds.
 */
import { describe, expect, it } from "vitest";
import { AUDIT_ENTITY_TYPES } from "../../src/audit/model";
import { EXPERIMENT_STATUSES, KEY_PATTERN, VARIANT_TYPES } from "../../src/experiments/model";
import { FLAG_REASONS, FLAG_VALUE_TYPES } from "../../src/flags/model";
import { CAPPING_TYPES, FORMATS, METRIC_KINDS } from "../../src/metrics/model";
import {
  AGGREGATIONS,
  ALERT_ACTIONS,
  ALERT_STATUSES,
  NO_DATA_POLICIES,
  OPERATORS,
  RULE_STATES,
  RULE_TYPES,
  SEVERITIES,
  SOURCE_HEALTH_STATUSES,
  SOURCE_TYPES,
} from "../../src/streaming/model";
import { CHANNEL_TYPES, DELIVERY_STATUSES, HISTORY_ACTIONS } from "../../src/streaming/notify/model";
import { NOT_IN_EXPERIMENT_REASONS } from "../../src/targeting/model";
import { isModelModule, sourceFiles } from "./source-tree";

const alternation = (words: readonly string[]) => words.join("|");
const STATUS = `"(?:${alternation(EXPERIMENT_STATUSES)})"`;
const VARIANT_TYPE = `"(?:${alternation(VARIANT_TYPES)})"`;

/**
 * The other features' vocabularies (each feature's zod-free model module): two members side by
 * side in an array, tuple or union outside the model are (part of) a restated list.
 */
const VOCABULARIES: Record<string, readonly string[]> = {
  "alert status list": ALERT_STATUSES,
  "alert action list": ALERT_ACTIONS,
  "severity list": SEVERITIES,
  "operator list": OPERATORS,
  "rule type list": RULE_TYPES,
  "no-data policy list": NO_DATA_POLICIES,
  "rule state list": RULE_STATES,
  "aggregation list": AGGREGATIONS,
  "source type list": SOURCE_TYPES,
  "source health list": SOURCE_HEALTH_STATUSES,
  "metric kind list": METRIC_KINDS,
  "metric format list": FORMATS,
  "capping type list": CAPPING_TYPES,
  "flag value type list": FLAG_VALUE_TYPES,
  "flag reason list": FLAG_REASONS,
  "audit entity list": AUDIT_ENTITY_TYPES,
  "channel type list": CHANNEL_TYPES,
  "delivery status list": DELIVERY_STATUSES,
  "alert history action list": HISTORY_ACTIONS,
  "not-in-experiment reason list": NOT_IN_EXPERIMENT_REASONS,
};
const listOf = (words: readonly string[]) => {
  const one = `"(?:${alternation(words)})"`;
  return new RegExp(`${one}\\s*[,|]\\s*${one}`);
};

/** What counts as a restatement, each with why. */
const RULES: { name: string; pattern: RegExp }[] = [
  ...Object.entries(VOCABULARIES).map(([name, words]) => ({ name, pattern: listOf(words) })),
  // Two statuses side by side in an array, tuple or union are (part of) a status list.
  { name: "status list", pattern: new RegExp(`${STATUS}\\s*[,|]\\s*${STATUS}`) },
  // "paused" has no meaning outside the lifecycle: the model says what it implies (isLive, isStopped).
  { name: "paused status", pattern: /"paused"/ },
  { name: "variant type list", pattern: new RegExp(`${VARIANT_TYPE}\\s*[,|]\\s*${VARIANT_TYPE}`) },
  // The key pattern's character class, however the regex around it is written.
  {
    name: "key pattern",
    pattern: new RegExp(KEY_PATTERN.source.replace(/^\^\[(.*?)\].*$/, "\\[$1\\]").replaceAll("-", "\\-")),
  },
];

function restatements(files: { path: string; text: string }[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    if (isModelModule(file.path)) continue;
    file.text.split("\n").forEach((line, i) => {
      for (const rule of RULES)
        if (rule.pattern.test(line)) found.push(`${file.path}:${i + 1} ${rule.name}: ${line.trim()}`);
    });
  }
  return found;
}

describe("the detector", () => {
  it.each([
    ['export type S = "draft" | "running";', "status list"],
    ['const some = ["draft", "running", "completed"];', "status list"],
    ['if (s === "paused") return;', "paused status"],
    ['z.enum(["control", "treatment"])', "variant type list"],
    ["const K = /^[a-z0-9_-]{1,64}$/;", "key pattern"],
  ])("flags %s", (line, rule) => {
    expect(restatements([{ path: "src/x/y.ts", text: line }])).toEqual([`src/x/y.ts:1 ${rule}: ${line}`]);
  });

  it.each([
    'if (status === "running") return;',
    'variants.find((v) => v.variant_type === "control")',
    "const ORG = /^[A-Za-z0-9_-]{1,64}$/;",
  ])("lets a single value or another pattern pass: %s", (line) => {
    expect(restatements([{ path: "src/x/y.ts", text: line }])).toEqual([]);
  });

  it("ignores model modules", () => {
    expect(restatements([{ path: "src/experiments/model.ts", text: '["draft", "paused"]' }])).toEqual([]);
  });
});

describe("the source tree", () => {
  it("restates no vocabulary list (any feature's model) or key pattern outside model modules", () => {
    const files = sourceFiles("src", "web/src");
    expect(files.length).toBeGreaterThan(50);
    expect(restatements(files)).toEqual([]);
  });
});
