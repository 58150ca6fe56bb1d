/**
 * Bodies the streaming tests share. A minimal valid threshold rule: what a test needs when the
 * rule's own fields do not matter (lists, strictness, refusals). Tests that assert on a rule's
 * behaviour write their fields out, so the test shows what it checks.
 */
export const MINIMAL_RULE = {
  name: "r",
  metric_name: "m",
  aggregation: "avg",
  window_seconds: 60,
  operator: "gt",
  threshold: 1,
  severity: "warning",
} as const;
