const num = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
const compact = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });
const PCT: Intl.NumberFormatOptions = { style: "percent", maximumFractionDigits: 1 };
const pct = new Intl.NumberFormat(undefined, PCT);
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });

/** Statistics the server could not compute arrive as null; show a dash, never "NaN". */
export const fmtNum = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v) ? "—" : num.format(v);
export const fmtCompact = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v) ? "—" : compact.format(v);
/** Milliseconds at a precision that suits their size: 2 decimals under 10, 1 under 100, none above. */
export const fmtMs = (v: number): string => fmtNum(Number(v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)));
/** `locale` pins the format in tests; the dashboard leaves it to the browser. */
export const fmtPct = (v: number | null | undefined, locale?: string): string =>
  v === null || v === undefined || !Number.isFinite(v)
    ? "—"
    : (locale ? new Intl.NumberFormat(locale, PCT) : pct).format(v);
/**
 * A confidence, the one way the dashboard writes one: a percentage to at most one decimal, for a
 * test's level (0.95 → "95%") as for a model's confidence (0.873 → "87.3%").
 */
export const fmtConfidence = (v: number | null | undefined, locale?: string): string => fmtPct(v, locale);
export const fmtP = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v) ? "—" : v < 0.0001 ? "< 0.0001" : v.toFixed(4);

export function fmtDate(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return "—";
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? "—" : dateTime.format(d);
}
export function fmtTime(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return "—";
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? "—" : time.format(d);
}

/** "p = 0.0123" or "p < 0.0001", for running text. */
export const fmtPEquals = (v: number | null | undefined): string => {
  const text = fmtP(v);
  return text.startsWith("<") ? `p ${text}` : `p = ${text}`;
};
