/**
 * Alert lifecycle: open → acknowledged → resolved (open → resolved directly is allowed too).
 * Pure transitions returning a new alert or a typed error, so the route maps the error to 409 and
 * the store persists exactly what the function returned. Times are epoch ms; routes format ISO.
 */

import { ALERT_TRANSITIONS, type AlertAction, type AlertStatus, atLeastSeverity, type Severity } from "./model";

export { ALERT_STATUSES, type AlertStatus, SEVERITIES, type Severity } from "./model";

export interface AlertNote {
  at: number;
  by: string;
  text: string;
}

export interface Alert {
  id: string;
  severity: Severity;
  status: AlertStatus;
  title: string;
  message: string | null;
  source_id: string | null;
  /** Null: never deduplicated (like an event without a dedup key). */
  fingerprint: string | null;
  occurrences: number;
  created_at: number;
  /** Time of the latest occurrence (created_at until a duplicate arrives). */
  last_seen_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  resolved_at: number | null;
  resolved_by: string | null;
  notes: AlertNote[];
  /** A silence matched at its last notifiable change: stored and shown, not notified. */
  silenced: boolean;
}

export interface NewAlertInput {
  severity: Severity;
  title: string;
  message?: string | null;
  source_id?: string | null;
  fingerprint?: string | null;
}

interface IllegalTransition {
  kind: "illegal_transition";
  action: AlertAction;
  from: AlertStatus;
  /** Ready for the problem+json `detail`. */
  message: string;
}

export type TransitionResult = { ok: true; alert: Alert } | { ok: false; error: IllegalTransition };

export function createAlert(input: NewAlertInput, id: string, now: number): Alert {
  return {
    id,
    severity: input.severity,
    status: "open",
    title: input.title,
    message: input.message ?? null,
    source_id: input.source_id ?? null,
    fingerprint: input.fingerprint ?? null,
    occurrences: 1,
    created_at: now,
    last_seen_at: now,
    acknowledged_at: null,
    acknowledged_by: null,
    resolved_at: null,
    resolved_by: null,
    notes: [],
    silenced: false,
  };
}

function withNote(notes: AlertNote[], by: string, text: string | undefined, now: number): AlertNote[] {
  const trimmed = text?.trim();
  return trimmed ? [...notes, { at: now, by, text: trimmed }] : notes;
}

function transition(alert: Alert, action: AlertAction): IllegalTransition | null {
  if (ALERT_TRANSITIONS[action].includes(alert.status)) return null;
  return {
    kind: "illegal_transition",
    action,
    from: alert.status,
    message: `cannot ${action} an alert that is ${alert.status}; allowed from: ${ALERT_TRANSITIONS[action].join(", ")}`,
  };
}

export function acknowledge(alert: Alert, by: string, note: string | undefined, now: number): TransitionResult {
  const error = transition(alert, "acknowledge");
  if (error) return { ok: false, error };
  return {
    ok: true,
    alert: {
      ...alert,
      status: "acknowledged",
      acknowledged_at: now,
      acknowledged_by: by,
      notes: withNote(alert.notes, by, note, now),
    },
  };
}

/** From open or acknowledged; acknowledgement fields are kept as history. */
export function resolve(alert: Alert, by: string, note: string | undefined, now: number): TransitionResult {
  const error = transition(alert, "resolve");
  if (error) return { ok: false, error };
  return {
    ok: true,
    alert: {
      ...alert,
      status: "resolved",
      resolved_at: now,
      resolved_by: by,
      notes: withNote(alert.notes, by, note, now),
    },
  };
}

/**
 * A duplicate of an unresolved alert: one more occurrence. Severity only rises (a critical repeat of
 * a warning must not stay hidden as a warning); status, title and message stay as first reported.
 */
export function recordOccurrence(alert: Alert, severity: Severity, now: number): Alert {
  return {
    ...alert,
    occurrences: alert.occurrences + 1,
    last_seen_at: Math.max(alert.last_seen_at, now),
    severity: atLeastSeverity(alert.severity, severity) ? alert.severity : severity,
  };
}

/**
 * POST /alerts. `existing` is the unresolved alert with the input's fingerprint, if the store has
 * one (SELECT … WHERE fingerprint = ? AND status != 'resolved'). created: true → 201, false → 200.
 * An input without fingerprint, or an existing alert that is resolved or differently fingerprinted,
 * gives a new alert. `raisedFrom` is the severity a repeat raised the alert from (null otherwise):
 * the caller re-checks silences and channels for it, as for a new alert.
 */
export function openOrDedupe(
  existing: Alert | null | undefined,
  input: NewAlertInput,
  id: string,
  now: number,
): { alert: Alert; created: boolean; raisedFrom: Severity | null } {
  const fingerprint = input.fingerprint ?? null;
  if (existing && fingerprint !== null && existing.fingerprint === fingerprint && existing.status !== "resolved") {
    const alert = recordOccurrence(existing, input.severity, now);
    return { alert, created: false, raisedFrom: alert.severity === existing.severity ? null : existing.severity };
  }
  return { alert: createAlert(input, id, now), created: true, raisedFrom: null };
}
