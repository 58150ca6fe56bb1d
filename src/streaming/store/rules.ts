/** Alert rules with their evaluation state (rules.ts RuleState, JSON) stored beside each rule. */
import { DEFAULT_BASELINE_WINDOWS, DEFAULT_SENSITIVITY } from "../anomaly";
import type { Aggregation } from "../rollup";
import { type AlertRule, defaultForSeconds, parseRuleState, type RuleState } from "../rules";
import type { AlertRuleInT } from "../schemas";
import type { Row } from "./sql";

type RuleRow = {
  seq: number;
  id: string;
  name: string;
  metric_name: string;
  aggregation: string;
  window_seconds: number;
  operator: string | null;
  threshold: number | null;
  severity: string;
  for_seconds: number;
  state: string;
  created_at: number;
  type: string;
  no_data: string;
  tags: string | null;
  sensitivity: number | null;
  baseline_windows: number | null;
} & Row;

export interface StoredRule {
  rule: AlertRule;
  state: RuleState;
  created_at: number;
}

function fromRow(row: RuleRow): StoredRule {
  return {
    rule: {
      id: row.id,
      name: row.name,
      metric_name: row.metric_name,
      aggregation: row.aggregation as Aggregation,
      window_seconds: row.window_seconds,
      operator: row.operator as AlertRule["operator"],
      threshold: row.threshold,
      severity: row.severity as AlertRule["severity"],
      for_seconds: row.for_seconds,
      type: row.type as NonNullable<AlertRule["type"]>,
      no_data: row.no_data as NonNullable<AlertRule["no_data"]>,
      tags: row.tags === null ? null : (JSON.parse(row.tags) as Record<string, string>),
      ...(row.type === "anomaly"
        ? {
            sensitivity: row.sensitivity ?? DEFAULT_SENSITIVITY,
            baseline_windows: row.baseline_windows ?? DEFAULT_BASELINE_WINDOWS,
          }
        : {}),
    },
    state: parseRuleState(row.state),
    created_at: row.created_at,
  };
}

/** The definition columns of a rule, in DEFINITION_COLUMNS order, with the defaults filled in. */
function definition(input: AlertRuleInT): (string | number | null)[] {
  const type = input.type ?? "threshold";
  const anomaly = type === "anomaly";
  return [
    input.name,
    input.metric_name,
    input.aggregation,
    input.window_seconds,
    input.operator ?? null,
    anomaly ? null : (input.threshold ?? null),
    input.severity,
    input.for_seconds ?? defaultForSeconds(type, input.window_seconds),
    type,
    input.no_data ?? "keep",
    input.tags === undefined || Object.keys(input.tags).length === 0 ? null : JSON.stringify(input.tags),
    anomaly ? (input.sensitivity ?? DEFAULT_SENSITIVITY) : null,
    anomaly ? (input.baseline_windows ?? DEFAULT_BASELINE_WINDOWS) : null,
  ];
}
const DEFINITION_COLUMNS = [
  "name",
  "metric_name",
  "aggregation",
  "window_seconds",
  "operator",
  "threshold",
  "severity",
  "for_seconds",
  "type",
  "no_data",
  "tags",
  "sensitivity",
  "baseline_windows",
] as const;

export function createRule(sql: SqlStorage, input: AlertRuleInT, now: number): StoredRule {
  const id = crypto.randomUUID();
  sql.exec(
    `INSERT INTO alert_rules (id, ${DEFINITION_COLUMNS.join(", ")}, state, created_at)
     VALUES (?, ${DEFINITION_COLUMNS.map(() => "?").join(", ")}, ?, ?)`,
    id,
    ...definition(input),
    JSON.stringify({ status: "inactive" }),
    now,
  );
  return getRule(sql, id) as StoredRule;
}

/** Rewrites a rule's definition in place (its id, state and creation time stay). */
export function updateRuleDefinition(sql: SqlStorage, id: string, input: AlertRuleInT): StoredRule | null {
  sql.exec(
    `UPDATE alert_rules SET ${DEFINITION_COLUMNS.map((c) => `${c} = ?`).join(", ")} WHERE id = ?`,
    ...definition(input),
    id,
  );
  return getRule(sql, id);
}

export function getRule(sql: SqlStorage, id: string): StoredRule | null {
  const row = sql.exec<RuleRow>("SELECT * FROM alert_rules WHERE id = ?", id).toArray()[0];
  return row === undefined ? null : fromRow(row);
}

/** Every rule, or those watching one of `metricNames`. */
export function listRules(sql: SqlStorage, metricNames?: readonly string[]): StoredRule[] {
  const rows =
    metricNames === undefined
      ? sql.exec<RuleRow>("SELECT * FROM alert_rules ORDER BY seq DESC")
      : sql.exec<RuleRow>(
          "SELECT * FROM alert_rules WHERE metric_name IN (SELECT value FROM json_each(?)) ORDER BY seq DESC",
          JSON.stringify(metricNames),
        );
  return rows.toArray().map(fromRow);
}

export function saveRuleState(sql: SqlStorage, id: string, state: RuleState): void {
  sql.exec("UPDATE alert_rules SET state = ? WHERE id = ?", JSON.stringify(state), id);
}

export function deleteRule(sql: SqlStorage, id: string): void {
  sql.exec("DELETE FROM alert_rules WHERE id = ?", id);
}
