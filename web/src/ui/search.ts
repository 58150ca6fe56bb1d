/**
 * The lists' search (flags, metrics): every word typed must appear in one of the texts (case aside),
 * so "checkout ios" finds `new-checkout` described as "iOS only". Blank matches everything.
 */
export function matchesWords(texts: readonly (string | null | undefined)[], query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const text = texts.filter(Boolean).join(" ").toLowerCase();
  return words.every((w) => text.includes(w));
}
