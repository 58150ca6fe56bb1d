/**
 * The object's one alarm: retention in bounded chunks, then every rule evaluated (so a firing
 * rule resolves when its data stops arriving, which no ingest call would notice), then re-armed.
 */
import { evaluateRules } from "./service-rules";
import { inTransaction, type OrgContext } from "./service-types";
import { listRules } from "./store/rules";
import { applyRetention, type RetentionReport } from "./store/retention";

/** Rules are re-evaluated this often while any exist (Prometheus' default evaluation interval is 15 s too). */
export const RULE_INTERVAL_MS = 15_000;
/** Without rules, the alarm only runs retention. */
export const RETENTION_INTERVAL_MS = 3_600_000;
/** A retention backlog (more than one run's chunks) continues after a short pause. */
export const BACKLOG_INTERVAL_MS = 1_000;

export function runAlarm(ctx: OrgContext): { next: number; retention: RetentionReport; rules: number } {
  const retention = applyRetention(ctx.sql, ctx.retention, ctx.now);
  const rules = listRules(ctx.sql);
  inTransaction(ctx, (tx) => evaluateRules(tx, rules));
  const interval = !retention.done ? BACKLOG_INTERVAL_MS : rules.length > 0 ? RULE_INTERVAL_MS : RETENTION_INTERVAL_MS;
  return { next: ctx.now + interval, retention, rules: rules.length };
}
