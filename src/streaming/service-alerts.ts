/** Alerts: POST with fingerprint dedup, acknowledge/resolve through the pure state machine. */
import { acknowledge, openOrDedupe, resolve } from "./alert-state";
import { type AlertAction, atLeastSeverity } from "./model";
import type { AlertInT, AlertOutT } from "./schemas";
import { fail, inTransaction, type OrgContext, ok, type Result } from "./service-types";
import { alertOut, commitAlertChange, occurrenceChange } from "./service-alert-change";
import { findUnresolved, getAlert } from "./store/alerts";
import { markSourceError, unknownSourceIds } from "./store/sources";

/** A caller's own change must be answerable: an unpresentable row rolls the transaction back, as before. */
function presentable(out: AlertOutT | null): AlertOutT {
  if (out === null) throw new RangeError("the alert has times that cannot be presented");
  return out;
}

export function createAlert(ctx: OrgContext, input: AlertInT): Result<{ alert: AlertOutT; created: boolean }> {
  if (input.source_id !== undefined && unknownSourceIds(ctx.sql, [input.source_id]).length > 0) {
    return fail("unprocessable", `unknown source_id: ${input.source_id}`, [
      { path: "source_id", message: `no data source with id ${input.source_id}` },
    ]);
  }
  const existing = input.fingerprint === undefined ? null : findUnresolved(ctx.sql, input.fingerprint);
  const result = openOrDedupe(existing, input, crypto.randomUUID(), ctx.now);
  const { alert, created } = result;
  const out = inTransaction(ctx, (tx) => {
    const saved = presentable(commitAlertChange(tx, alert, occurrenceChange(result, null)));
    // An error about a source (a connector reporting failed deliveries) is what turns its health
    // to `error` for the next 5 minutes (health.ts), even while some events still arrive.
    if (input.source_id !== undefined && atLeastSeverity(input.severity, "error")) {
      markSourceError(tx.sql, input.source_id, tx.now);
    }
    tx.publish({ type: created ? "alert" : "alert_updated", data: saved });
    return saved;
  });
  return ok({ alert: out, created });
}

export function getAlertOut(ctx: OrgContext, id: string): Result<AlertOutT> {
  const alert = getAlert(ctx.sql, id);
  return alert === null ? fail("not-found", "alert not found") : ok(alertOut(ctx, alert));
}

export function transitionAlert(
  ctx: OrgContext,
  id: string,
  action: AlertAction,
  by: string,
  note: string | undefined,
): Result<AlertOutT> {
  const alert = getAlert(ctx.sql, id);
  if (alert === null) return fail("not-found", "alert not found");
  const result = (action === "acknowledge" ? acknowledge : resolve)(alert, by, note, ctx.now);
  if (!result.ok) return fail("conflict", result.error.message);
  const out = inTransaction(ctx, (tx) => {
    const saved = presentable(
      commitAlertChange(tx, result.alert, {
        action: action === "acknowledge" ? "acknowledged" : "resolved",
        by,
        note: note?.trim() || null,
      }),
    );
    tx.publish({ type: "alert_updated", data: saved });
    return saved;
  });
  return ok(out);
}
