/**
 * Search over resolved alerts: every word of the query must appear (case-insensitive) somewhere in
 * the alert's title, message, severity, fingerprint, source name, notes or the people who acted on
 * it. Pure; the page applies it to the pages of resolved alerts it has loaded.
 */

export interface SearchableAlert {
  title: string;
  message: string | null;
  severity: string;
  fingerprint: string | null;
  source_id: string | null;
  acknowledged_by: string | null;
  resolved_by: string | null;
  notes: readonly { by: string; text: string }[];
}

/** Lower-cased words of the query; quotes group a phrase (`"rolled back"`). */
export function queryTerms(query: string): string[] {
  const terms: string[] = [];
  for (const m of query.toLowerCase().matchAll(/"([^"]*)"|(\S+)/g)) {
    const t = (m[1] ?? m[2] ?? "").trim();
    if (t) terms.push(t);
  }
  return terms;
}

export function alertMatches(
  alert: SearchableAlert,
  terms: readonly string[],
  sourceName: (id: string) => string | undefined = () => undefined,
): boolean {
  if (terms.length === 0) return true;
  const haystack = [
    alert.title,
    alert.message ?? "",
    alert.severity,
    alert.fingerprint ?? "",
    alert.source_id ? (sourceName(alert.source_id) ?? "") : "",
    alert.acknowledged_by ?? "",
    alert.resolved_by ?? "",
    ...alert.notes.flatMap((n) => [n.text, n.by]),
  ]
    .join("\n")
    .toLowerCase();
  return terms.every((t) => haystack.includes(t));
}
