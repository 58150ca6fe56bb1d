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

interface Rule {
  condition?: unknown;
  rollout_percentage: unknown;
  value?: unknown;
}
const isRules = (v: unknown): v is Rule[] | null | undefined =>
  v == null || (Array.isArray(v) && v.every((r) => typeof r === "object" && r !== null && "rollout_percentage" in r));
const who = (c: unknown) => (c == null ? "everyone" : showValue(c));
const RULE_FIELDS: [keyof Rule, string, (v: unknown) => string][] = [
  ["condition", "condition", who],
  ["rollout_percentage", "rollout", (v) => `${showValue(v)}%`],
  ["value", "value", showValue],
];
/** A rule in the flag list's short form: `{"country":"FR"} · 25% → true`. */
const ruleText = (r: Rule) => `${who(r.condition)} · ${showValue(r.rollout_percentage)}% → ${showValue(r.value)}`;
const ruleKey = (r: Rule) => JSON.stringify([r.condition ?? null, r.rollout_percentage, r.value ?? null]);

/**
 * A flag's `rules` change, one line per rule that differs, in rule order: which rule was added,
 * removed, moved or changed, and in a changed one which fields, old → new. Rules are ordered, so a
 * rule is named by its position; the rules equal before and after are matched as a longest common
 * subsequence, so a rule inserted at the top does not read as every later rule changed. Null when
 * either side is not a list of rules.
 */
export function ruleChangeLines(from: unknown, to: unknown): string[] | null {
  if (!isRules(from) || !isRules(to)) return null;
  const a = from ?? [];
  const b = to ?? [];
  const ka = a.map(ruleKey);
  const kb = b.map(ruleKey);
  // kept(i, j): how many rules a[i..] and b[j..] keep unchanged, in order.
  const w = b.length + 1;
  const lcs = new Array<number>((a.length + 1) * w).fill(0);
  const kept = (i: number, j: number) => lcs[i * w + j] ?? 0;
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i * w + j] = ka[i] === kb[j] ? kept(i + 1, j + 1) + 1 : Math.max(kept(i + 1, j), kept(i, j + 1));

  // Between two kept rules, a rule gone and one come with the same condition are the same rule
  // edited; the others pair up in order as changed, and the rest of the longer side were removed
  // or added.
  const steps: { from?: number | undefined; to?: number | undefined }[] = [];
  let gone: number[] = [];
  let come: number[] = [];
  const flush = () => {
    const run: typeof steps = [];
    const cond = (r: Rule | undefined) => JSON.stringify(r?.condition ?? null);
    for (const g of [...gone]) {
      const c = come.find((x) => cond(b[x]) === cond(a[g]));
      if (c === undefined) continue;
      run.push({ from: g, to: c });
      gone = gone.filter((x) => x !== g);
      come = come.filter((x) => x !== c);
    }
    for (let k = 0; k < Math.max(gone.length, come.length); k++) run.push({ from: gone[k], to: come[k] });
    // A removed rule before the rule that took its place.
    const at = (x: (typeof steps)[number]) => (x.to ?? x.from ?? 0) * 2 + (x.to === undefined ? 0 : 1);
    steps.push(...run.sort((x, y) => at(x) - at(y)));
    gone = [];
    come = [];
  };
  for (let i = 0, j = 0; i < a.length || j < b.length; ) {
    if (ka[i] !== undefined && ka[i] === kb[j]) {
      flush();
      i++;
      j++;
    } else if (j >= b.length || (i < a.length && kept(i + 1, j) >= kept(i, j + 1))) gone.push(i++);
    else come.push(j++);
  }
  flush();

  const lines: string[] = [];
  for (const s of steps) {
    const before = s.from === undefined ? undefined : a[s.from];
    const after = s.to === undefined ? undefined : b[s.to];
    if (before && after) {
      const fields = RULE_FIELDS.filter(([f]) => JSON.stringify(before[f]) !== JSON.stringify(after[f])).map(
        ([f, label, show]) => `${label} ${show(before[f])} → ${show(after[f])}`,
      );
      lines.push(
        `rule ${Number(s.to) + 1}${s.from === s.to ? "" : ` (was ${Number(s.from) + 1})`}: ${fields.join("; ")}`,
      );
      continue;
    }
    const rule = before ?? after;
    if (!rule) continue; // the other half of a move, already said
    // A rule removed here and added unchanged elsewhere (or the reverse) was moved: one line.
    const other = steps.find((t) =>
      before
        ? t.from === undefined && kb[t.to ?? -1] === ruleKey(rule)
        : t.to === undefined && ka[t.from ?? -1] === ruleKey(rule),
    );
    if (other) {
      const [x, y] = before ? [s.from, other.to] : [other.from, s.to];
      lines.push(`rule ${Number(x) + 1} moved to ${Number(y) + 1}: ${ruleText(rule)}`);
      other.from = other.to = undefined;
    } else if (before) lines.push(`rule ${Number(s.from) + 1} removed: ${ruleText(rule)}`);
    else lines.push(`rule ${Number(s.to) + 1} added: ${ruleText(rule)}`);
  }
  return lines;
}

/**
 * Field-specific wording, where the raw value is an id or a long structure: the winner by its variant
 * key (`labels` maps variant ids to keys), the variants by key and split, a flag's rules rule by rule.
 * Others as `showValue`.
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

/**
 * One line per changed field, in the order the server listed them (a flag's rules, one per changed
 * rule). A creation lists what it set.
 */
export function changeLines(entry: HistoryEntry, labels: ReadonlyMap<string, string> = new Map()): string[] {
  return Object.entries(entry.changes).flatMap(([field, change]) => {
    const c = change as { from?: unknown; to?: unknown } | null;
    if (c === null || typeof c !== "object" || !("to" in c)) {
      const summary = field === "variants" ? variantSummary(c) : null;
      return `${field}: ${summary ?? showValue(c)}`;
    }
    const rules = field === "rules" ? ruleChangeLines(c.from, c.to) : null;
    return rules?.length ? rules : fieldLine(field, c.from, c.to, labels);
  });
}

/** "created", "variant_added" → "variant added". */
export const actionLabel = (action: string): string => action.replaceAll("_", " ");
