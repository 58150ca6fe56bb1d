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

/** An experiment's variants as a reader names them: `control 50% · treatment 50%`; null if not that shape. */
function variantSummary(v: unknown): string | null {
  if (v === null || v === undefined) return "none";
  if (!Array.isArray(v)) return null;
  const parts: string[] = [];
  for (const x of v) {
    if (typeof x !== "object" || x === null || typeof (x as { key?: unknown }).key !== "string") return null;
    const { key, traffic_percentage: pct } = x as { key: string; traffic_percentage?: unknown };
    parts.push(typeof pct === "number" ? `${key} ${pct}%` : key);
  }
  return parts.length === 0 ? "none" : parts.join(" · ");
}

/**
 * Field-specific wording, where the raw value is an id or a long structure: the winner by its variant
 * key (`labels` maps variant ids to keys), the variants by key and split. Others as `showValue`.
 */
function fieldLine(field: string, from: unknown, to: unknown, labels: ReadonlyMap<string, string>): string {
  if (field === "winner_variant_id") {
    const name = (v: unknown) => (typeof v === "string" ? (labels.get(v) ?? v) : showValue(v));
    return `winner: ${name(from)} → ${name(to)}`;
  }
  if (field === "variants") {
    const before = variantSummary(from);
    const after = variantSummary(to);
    if (before !== null && after !== null) {
      // Same keys and split: a variant's name, config or model version changed.
      return before === after ? `variants: ${after} (names or configs changed)` : `variants: ${before} → ${after}`;
    }
  }
  return `${field}: ${showValue(from)} → ${showValue(to)}`;
}

/** One line per changed field, in the order the server listed them. A creation lists what it set. */
export function changeLines(entry: HistoryEntry, labels: ReadonlyMap<string, string> = new Map()): string[] {
  return Object.entries(entry.changes).map(([field, change]) => {
    const c = change as { from?: unknown; to?: unknown } | null;
    if (c === null || typeof c !== "object" || !("to" in c)) {
      const summary = field === "variants" ? variantSummary(c) : null;
      return `${field}: ${summary ?? showValue(c)}`;
    }
    return fieldLine(field, c.from, c.to, labels);
  });
}

/** "created", "variant_added" → "variant added". */
export const actionLabel = (action: string): string => action.replaceAll("_", " ");
