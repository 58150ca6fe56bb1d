/** Alert rules with their evaluation state (rules.ts RuleState, JSON) stored beside each rule. */
import { DEFAULT_BASELINE_WINDOWS, DEFAULT_SENSITIVITY } from "../anomaly";
import type { Aggregation } from "../rollup";
import { type AlertRule, defaultForSeconds, parseRuleState, type RuleState } from "../rules";
import type { AlertRuleInT } from "../schemas";
import { type Page, type PageFilter, pageBySeq, type Row } from "./sql";

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

/** A rule's definition columns with the defaults filled in (everything but id, state and created_at). */
function definition(input: AlertRuleInT): Record<string, string | number | null> {
  const type = input.type ?? "threshold";
  const anomaly = type === "anomaly";
  return {
    name: input.name,
    metric_name: input.metric_name,
    aggregation: input.aggregation,
    window_seconds: input.window_seconds,
    operator: input.operator ?? null,
    threshold: anomaly ? null : (input.threshold ?? null),
    severity: input.severity,
    for_seconds: input.for_seconds ?? defaultForSeconds(type, input.window_seconds),
    type,
    no_data: input.no_data ?? "keep",
    tags: input.tags === undefined || Object.keys(input.tags).length === 0 ? null : JSON.stringify(input.tags),
    sensitivity: anomaly ? (input.sensitivity ?? DEFAULT_SENSITIVITY) : null,
    baseline_windows: anomaly ? (input.baseline_windows ?? DEFAULT_BASELINE_WINDOWS) : null,
  };
}

export function createRule(sql: SqlStorage, input: AlertRuleInT, now: number): StoredRule {
  const id = crypto.randomUUID();
  const columns = definition(input);
  const names = Object.keys(columns);
  sql.exec(
    `INSERT INTO alert_rules (id, ${names.join(", ")}, state, created_at)
     VALUES (?, ${names.map(() => "?").join(", ")}, ?, ?)`,
    id,
    ...Object.values(columns),
    JSON.stringify({ status: "inactive" }),
    now,
  );
  return getRule(sql, id) as StoredRule;
}

/** Rewrites a rule's definition in place (its id, state and creation time stay). */
export function updateRuleDefinition(sql: SqlStorage, id: string, input: AlertRuleInT): StoredRule | null {
  const columns = definition(input);
  sql.exec(
    `UPDATE alert_rules SET ${Object.keys(columns)
      .map((c) => `${c} = ?`)
      .join(", ")} WHERE id = ?`,
    ...Object.values(columns),
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

/** A page of GET /alert-rules, newest first; null for a cursor we did not issue. */
export function rulePage(sql: SqlStorage, filter: PageFilter): Page<StoredRule> | null {
  const page = pageBySeq<RuleRow>(sql, "alert_rules", filter);
  return page === null ? null : { items: page.items.map(fromRow), next_cursor: page.next_cursor };
}

export function saveRuleState(sql: SqlStorage, id: string, state: RuleState): void {
  sql.exec("UPDATE alert_rules SET state = ? WHERE id = ?", JSON.stringify(state), id);
}

export function deleteRule(sql: SqlStorage, id: string): void {
  sql.exec("DELETE FROM alert_rules WHERE id = ?", id);
}
