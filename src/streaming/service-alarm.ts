/**
 * The object's one alarm: retention in bounded chunks, a chunk of the model-rollup backfill while
 * one is pending (service-models.ts), then every rule evaluated (so a firing rule resolves when its
 * data stops arriving, which no ingest call would notice), then re-armed while there is anything
 * left for it to do.
 */
import { backfillModelRollups } from "./service-models";
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

/** What the alarm decision looks at, read after retention and rules ran. */
export interface AlarmState {
  /** Retention, and the model-rollup backfill, have no backlog left. */
  retentionDone: boolean;
  rules: number;
  /** Whether any table retention trims still holds a row. */
  holdsData: boolean;
  sockets: number;
}

/**
 * Milliseconds until the next alarm, or null for none. An organization with no rules, no data and
 * no sockets has nothing to trim or evaluate: an idle object that re-armed forever would be billed
 * a wake-up every hour for nothing. The next write re-arms it (OrgObject.armAlarm).
 */
export function nextAlarmDelay(state: AlarmState): number | null {
  if (!state.retentionDone) return BACKLOG_INTERVAL_MS;
  if (state.rules > 0) return RULE_INTERVAL_MS;
  if (state.holdsData || state.sockets > 0) return RETENTION_INTERVAL_MS;
  return null;
}

/** Tables whose rows retention trims: while any holds a row, the alarm has work left. */
const RETAINED_TABLES = [
  "events",
  "predictions",
  "alerts",
  "metric_rollups",
  "tagged_rollups",
  "model_rollups",
  "event_rate",
  "deliveries",
  "alert_history",
  "silences",
] as const;

function holdsData(sql: OrgContext["sql"]): boolean {
  const any = RETAINED_TABLES.map((t) => `EXISTS (SELECT 1 FROM ${t})`).join(" OR ");
  return sql.exec<{ any: number }>(`SELECT (${any}) AS any`).one().any === 1;
}

export function runAlarm(
  ctx: OrgContext,
  sockets: number,
): { next: number | null; retention: RetentionReport; rules: number } {
  const retention = applyRetention(ctx.sql, ctx.retention, ctx.now);
  const backfilled = backfillModelRollups(ctx);
  const rules = listRules(ctx.sql);
  inTransaction(ctx, (tx) => evaluateRules(tx, rules));
  const delay = nextAlarmDelay({
    retentionDone: retention.done && backfilled,
    rules: rules.length,
    holdsData: holdsData(ctx.sql),
    sockets,
  });
  return { next: delay === null ? null : ctx.now + delay, retention, rules: rules.length };
}
