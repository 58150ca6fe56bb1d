/**
 * What a flag's rules mean as a whole, pure (test/unit/web-flag-health.test.ts): rules that can
 * never decide, and flags that serve one value to everyone and have not changed for a while (the
 * cleanup list GrowthBook and LaunchDarkly call stale flags). Both rest on holdsEveryone
 * (src/flags/model.ts), the same reading of a rule as evaluateFlag's.
 */
import { type FlagValueType, holdsEveryone } from "../../../src/flags/model";
import { parseCondition, parseRollout, type RuleDraft, type SavedRule, shownValue } from "./flag-draft";

/** Warnings for rules placed after one that holds every user: evaluation never gets to them. */
export function unreachableWarnings(rules: readonly RuleDraft[]): Record<number, string> {
  const out: Record<number, string> = {};
  let everyone = -1;
  rules.forEach((r, i) => {
    if (everyone >= 0) {
      out[i] = `Never reached: rule ${everyone + 1} above it serves every user. Move this rule up, or remove it.`;
      return;
    }
    const condition = parseCondition(r.condition);
    const rollout = parseRollout(r.rollout);
    if ("value" in condition && "value" in rollout) {
      if (holdsEveryone({ condition: condition.value, rollout_percentage: rollout.value })) everyone = i;
    }
  });
  return out;
}

/** Per-rule warnings from several checks, one sentence after another for the same rule. */
export function joinWarnings(...sets: Record<number, string>[]): Record<number, string> {
  const out: Record<number, string> = {};
  for (const set of sets) {
    for (const [i, text] of Object.entries(set)) out[Number(i)] = out[Number(i)] ? `${out[Number(i)]} ${text}` : text;
  }
  return out;
}

interface SavedFlag {
  enabled: boolean;
  value_type: FlagValueType;
  default_value: unknown;
  rules: readonly SavedRule[];
  updated_at: string;
}

/** The one value every user gets, and why; null when users can get different values. */
export function singleValue(flag: Omit<SavedFlag, "updated_at">): { value: unknown; why: string } | null {
  if (!flag.enabled) return { value: flag.default_value, why: "it is off" };
  if (flag.rules.length === 0) return { value: flag.default_value, why: "it has no rules" };
  for (const [i, rule] of flag.rules.entries()) {
    // A 0% rollout holds nobody (inRollout); any other rule short of everyone holds some users only.
    if (rule.rollout_percentage <= 0) continue;
    return holdsEveryone(rule) ? { value: rule.value, why: `rule ${i + 1} holds every user` } : null;
  }
  return { value: flag.default_value, why: "every rule is at 0%" };
}

/** Days without a change after which a flag that serves one value is offered for removal. */
export const STALE_AFTER_DAYS = 30;
const DAY_MS = 86_400_000;

/** A flag whose value no longer depends on the user and that nobody changed for STALE_AFTER_DAYS. */
export interface Staleness {
  /** The value every user gets, as the form shows it. */
  value: string;
  why: string;
  days: number;
}

/** The flag's staleness, or null: the code could use the one value and the flag could go. */
export function staleness(flag: SavedFlag, now: number): Staleness | null {
  const single = singleValue(flag);
  const changed = Date.parse(flag.updated_at);
  if (single === null || !Number.isFinite(changed)) return null;
  const days = Math.floor((now - changed) / DAY_MS);
  if (days < STALE_AFTER_DAYS) return null;
  return { value: shownValue(flag.value_type, single.value), why: single.why, days };
}

/** The flag page's sentence for a stale flag. */
export const staleNote = (s: Staleness): string =>
  `Every user has got ${s.value} for ${s.days} days (${s.why}): ready to remove from your code?`;
