/**
 * The lists' search (flags, metrics): every word typed must appear in one of the texts (case aside),
 * so "checkout ios" finds `new-checkout` described as "iOS only". Blank matches everything.
 */
export function matchesWords(texts: readonly (string | null | undefined)[], query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const text = texts.filter(Boolean).join(" ").toLowerCase();
  return words.every((w) => text.includes(w));
}

/**
 * A list's address with its filters in the query string, so a filtered list can be shared and
 * survives a reload; a filter that is undefined or "" is left out.
 */
export function withQuery(path: string, params: Record<string, string | undefined>): string {
  const qs = new URLSearchParams(
    Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ""),
  ).toString();
  return qs ? `${path}?${qs}` : path;
}
