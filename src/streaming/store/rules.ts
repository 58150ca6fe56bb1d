/** Alert rules with their evaluation state (rules.ts RuleState, JSON) stored beside each rule. */
import type { Aggregation } from "../rollup";
import { type AlertRule, parseRuleState, type RuleState } from "../rules";
import type { AlertRuleInT } from "../schemas";
import type { Row } from "./sql";

type RuleRow = {
  seq: number;
  id: string;
  name: string;
  metric_name: string;
  aggregation: string;
  window_seconds: number;
  operator: string;
  threshold: number;
  severity: string;
  for_seconds: number;
  state: string;
  created_at: number;
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
    },
    state: parseRuleState(row.state),
    created_at: row.created_at,
  };
}

export function createRule(sql: SqlStorage, input: AlertRuleInT, now: number): StoredRule {
  const id = crypto.randomUUID();
  sql.exec(
    `INSERT INTO alert_rules (id, name, metric_name, aggregation, window_seconds, operator, threshold, severity,
       for_seconds, state, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    id,
    input.name,
    input.metric_name,
    input.aggregation,
    input.window_seconds,
    input.operator,
    input.threshold,
    input.severity,
    input.for_seconds ?? 0,
    JSON.stringify({ status: "inactive" }),
    now,
  );
  return getRule(sql, id) as StoredRule;
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

export function ruleCount(sql: SqlStorage): number {
  return sql.exec<{ n: number }>("SELECT count(*) AS n FROM alert_rules").one().n;
}
