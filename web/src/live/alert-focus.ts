/**
 * Where keyboard focus goes after an action on an active alert: the list-level decision, keyed by
 * alert id, made again on every render of the list until it lands. Pure, so its cases are a table
 * (test/unit/web-alert-focus.test.ts); AlertsTable only applies the answer to the DOM.
 */

/** A focus move waiting to happen: after acting on `id` (at `index` in the list then). */
export interface PendingFocus {
  id: string;
  index: number;
  /** The action resolved the alert, so its card will leave the list. */
  leaves: boolean;
}

export type FocusTarget =
  /** Not yet: the resolved alert is still in the live list (its card would unmount under focus). */
  | { kind: "wait" }
  | { kind: "card"; id: string }
  /** The list is empty: the section's heading. */
  | { kind: "heading" };

/**
 * The alert's own card while it is listed (an acknowledged alert stays), else the card now at its
 * old place (the next one down, or the last when it was the last), else the heading.
 */
export function focusTarget(pending: PendingFocus, listed: readonly string[], stillActive: boolean): FocusTarget {
  if (pending.leaves && stillActive) return { kind: "wait" };
  if (listed.includes(pending.id)) return { kind: "card", id: pending.id };
  const at = listed[Math.min(pending.index, listed.length - 1)];
  return at === undefined ? { kind: "heading" } : { kind: "card", id: at };
}
