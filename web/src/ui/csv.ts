/**
 * CSV as spreadsheets read it (RFC 4180), pure: the results table and the live charts' data both
 * write through it (test/unit/web-results-csv.test.ts, web-series-csv.test.ts).
 */
export type Cell = string | number | boolean | null | undefined;

/**
 * One cell: RFC 4180 quoting, and text a spreadsheet would run as a formula (=, +, -, @, tab or CR
 * first: names are free text) is prefixed with an apostrophe. Numbers are never touched, so a
 * negative difference stays a number; null, undefined and non-finite numbers are empty cells.
 */
export function csvCell(v: Cell): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  if (typeof v === "boolean") return v ? "true" : "false";
  const text = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Records (the header first), each ending with CRLF, the last included. */
export const csvText = (rows: readonly (readonly Cell[])[]): string =>
  rows.map((r) => `${r.map(csvCell).join(",")}\r\n`).join("");

/** A download's file name: a stem made safe for file systems, and the day, `checkout-results-2026-12-03.csv`. */
export const csvFileName = (stem: string, now: Date): string =>
  `${stem.replace(/[^A-Za-z0-9._-]+/g, "_")}-${now.toISOString().slice(0, 10)}.csv`;

/** Hands a CSV to the browser as a download (with a BOM, so spreadsheets read names as UTF-8). */
export function saveCsv(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob(["\uFEFF", text], { type: "text/csv;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // After the click has handed the file over; revoking at once can cancel it in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
