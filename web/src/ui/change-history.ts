/**
 * An audit entry (`GET /…/:id/history`) in words, pure so test/unit/web-change-history.test.ts
 * tables it: each changed field as `field: before → after`, values as compact JSON cut to a length
 * a line can hold.
 */
export interface HistoryEntry {
  at: string;
  actor: string;
  action: string;
  changes: Record<string, unknown>;
  reason: string | null;
}

const MAX_VALUE = 60;

export function showValue(v: unknown): string {
  if (v === undefined || v === null) return "none";
  const text = typeof v === "string" ? v : JSON.stringify(v);
  if (text === "") return '""';
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

/** One line per changed field, in the order the server listed them. A creation lists what it set. */
export function changeLines(entry: HistoryEntry): string[] {
  return Object.entries(entry.changes).map(([field, change]) => {
    const c = change as { from?: unknown; to?: unknown } | null;
    if (c === null || typeof c !== "object" || !("to" in c)) return `${field}: ${showValue(c)}`;
    return `${field}: ${showValue(c.from)} → ${showValue(c.to)}`;
  });
}

/** "created", "variant_added" → "variant added". */
export const actionLabel = (action: string): string => action.replaceAll("_", " ");
