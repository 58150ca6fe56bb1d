/**
 * Silences (Alertmanager's idea, smaller): equality matchers over an alert's fingerprint, the rule
 * that raised it, its severity and its source, active in [starts_at, ends_at). A silenced alert is
 * still stored and shown (`silenced: true`); only its notifications are skipped.
 */
import type { Severity } from "../alert-state";
import { ruleIdOf } from "../rules";

export interface SilenceMatchers {
  fingerprint?: string;
  rule_id?: string;
  severity?: Severity;
  source_id?: string;
}

export interface Silence {
  id: string;
  matchers: SilenceMatchers;
  starts_at: number;
  ends_at: number;
  comment: string;
  created_by: string;
  created_at: number;
}

export interface SilenceTarget {
  fingerprint: string | null;
  severity: Severity;
  source_id: string | null;
}

export function isActive(silence: Pick<Silence, "starts_at" | "ends_at">, now: number): boolean {
  return silence.starts_at <= now && now < silence.ends_at;
}

/** Every matcher present must equal the alert's field; a silence without matchers matches nothing. */
export function matches(matchers: SilenceMatchers, alert: SilenceTarget): boolean {
  const checks: boolean[] = [];
  if (matchers.fingerprint !== undefined) checks.push(matchers.fingerprint === alert.fingerprint);
  if (matchers.rule_id !== undefined) checks.push(matchers.rule_id === ruleIdOf(alert.fingerprint));
  if (matchers.severity !== undefined) checks.push(matchers.severity === alert.severity);
  if (matchers.source_id !== undefined) checks.push(matchers.source_id === alert.source_id);
  return checks.length > 0 && checks.every(Boolean);
}

/** The first active silence matching the alert, or null. */
export function silencedBy<S extends Silence>(silences: readonly S[], alert: SilenceTarget, now: number): S | null {
  return silences.find((s) => isActive(s, now) && matches(s.matchers, alert)) ?? null;
}
