/**
 * Every alert change goes through here, inside the caller's transaction: the silence check, the
 * saved alert, its history row and — unless silenced — the deliveries announcing it. Together, so
 * a change is never stored without its history or its notifications, nor notified without being
 * stored. Returns the alert as the API shows it (the caller publishes it after commit).
 */
import type { Alert, Severity } from "./alert-state";
import type { HistoryAction } from "./notify/model";
import { enqueueDeliveries, enqueueEscalation, isNotifyEvent } from "./notify/enqueue";
import { silencedBy } from "./notify/silence";
import { presentAlert, presentAll } from "./present";
import type { AlertOutT } from "./schemas";
import type { OrgContext } from "./service-types";
import { saveAlert } from "./store/alerts";
import { appendHistory, historyOf } from "./store/history";
import { currentSilences } from "./store/silences";

export interface AlertChange {
  action: Exclude<HistoryAction, "notified">;
  /** Who made the change: a user (`sub`), `rule:<id>`, or null for an API client raising an alert. */
  by: string | null;
  note: string | null;
  /** A repeat that raised the severity: silences and channels are checked again (enqueueEscalation). */
  escalated?: boolean;
}

/** The change a POST /alerts or a rule makes when it finds an alert open or repeats it. */
export function occurrenceChange(
  result: { created: boolean; alert: Pick<Alert, "severity">; raisedFrom: Severity | null },
  by: string | null,
): AlertChange {
  if (result.created) return { action: "opened", by, note: null };
  if (result.raisedFrom === null) return { action: "repeated", by, note: null };
  return { action: "repeated", by, note: `severity ${result.raisedFrom} → ${result.alert.severity}`, escalated: true };
}

/**
 * Null when the alert cannot be presented (an old row written before the input limits, which a
 * rule deduplicated into): it is still saved with its history, but neither published nor notified,
 * and the batch that triggered it goes on (present.ts logs the skip).
 */
export function commitAlertChange(tx: OrgContext, alert: Alert, change: AlertChange): AlertOutT | null {
  const notify = isNotifyEvent(change.action);
  // A silence is checked at each change a channel could hear of; otherwise the flag stays as it was.
  const silenced =
    notify || change.escalated === true
      ? silencedBy(currentSilences(tx.sql, tx.now), alert, tx.now) !== null
      : alert.silenced;
  const saved: Alert = { ...alert, silenced };
  saveAlert(tx.sql, saved);
  appendHistory(tx.sql, [
    { alert_id: saved.id, at: tx.now, action: change.action, actor: change.by, note: change.note },
  ]);
  const history = historyOf(tx.sql, [saved.id]).get(saved.id) ?? [];
  const [out] = presentAll(
    [saved],
    (a) => presentAlert(a, history),
    "alerts",
    (a) => a.id,
  );
  if (out === undefined) return null;
  if (!silenced && isNotifyEvent(change.action)) enqueueDeliveries(tx.sql, saved, out, change.action, tx.now);
  else if (!silenced && change.escalated === true) enqueueEscalation(tx.sql, saved, out, tx.now);
  return out;
}

/** An alert as the API shows it, with its history (reads). */
export function alertOut(ctx: Pick<OrgContext, "sql">, alert: Alert): AlertOutT {
  return presentAlert(alert, historyOf(ctx.sql, [alert.id]).get(alert.id) ?? []);
}
