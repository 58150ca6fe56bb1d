/**
 * The silence form: which alerts (at least one matcher, as the API requires) and for how long, to
 * the `POST /silences` body. Pure: the clock is passed in.
 */
import type { Severity } from "../../../src/streaming/model";

export const SILENCE_DURATIONS = [
  { key: "1h", label: "1 hour", ms: 3_600_000 },
  { key: "4h", label: "4 hours", ms: 4 * 3_600_000 },
  { key: "24h", label: "24 hours", ms: 86_400_000 },
  { key: "7d", label: "7 days", ms: 7 * 86_400_000 },
] as const;
type SilenceDuration = (typeof SILENCE_DURATIONS)[number]["key"];

export interface SilenceForm {
  rule_id: string;
  severity: Severity | "";
  source_id: string;
  fingerprint: string;
  duration: SilenceDuration;
  comment: string;
}

export const newSilenceForm = (): SilenceForm => ({
  rule_id: "",
  severity: "",
  source_id: "",
  fingerprint: "",
  duration: "1h",
  comment: "",
});

export interface SilenceBody {
  matchers: { rule_id?: string; severity?: Severity; source_id?: string; fingerprint?: string };
  starts_at: number;
  ends_at: number;
  comment: string;
}

export function silenceBody(f: SilenceForm, now: number): { body: SilenceBody } | { error: string } {
  const matchers: SilenceBody["matchers"] = {};
  if (f.rule_id) matchers.rule_id = f.rule_id;
  if (f.severity) matchers.severity = f.severity;
  if (f.source_id) matchers.source_id = f.source_id;
  if (f.fingerprint.trim()) matchers.fingerprint = f.fingerprint.trim();
  if (Object.keys(matchers).length === 0) {
    return { error: "Choose at least one matcher: a silence of everything is too easy to leave on." };
  }
  const ms = SILENCE_DURATIONS.find((d) => d.key === f.duration)?.ms ?? SILENCE_DURATIONS[0].ms;
  return { body: { matchers, starts_at: now, ends_at: now + ms, comment: f.comment.trim() } };
}
