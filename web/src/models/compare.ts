/**
 * The Models page's pure part: its time windows (kept in the URL) and how each version of a model
 * compares with the model's busiest version, the reference a canary is read against. Only
 * differences large enough to act on are noted, and only between versions with enough predictions
 * for a mean and a p95 to mean something.
 */
import type { ModelsSummary } from "../api/types";
import { fmtConfidence, fmtNum } from "../ui/format";

export const WINDOWS = [
  { key: "15m", label: "Last 15 minutes", seconds: 15 * 60 },
  { key: "1h", label: "Last hour", seconds: 3600 },
  { key: "6h", label: "Last 6 hours", seconds: 6 * 3600 },
  { key: "24h", label: "Last 24 hours", seconds: 86_400 },
  { key: "7d", label: "Last 7 days", seconds: 7 * 86_400 },
] as const;
export type WindowKey = (typeof WINDOWS)[number]["key"];
const DEFAULT_WINDOW: WindowKey = "1h";

export const windowOf = (key: WindowKey) => WINDOWS.find((w) => w.key === key) ?? WINDOWS[1];

export function parseWindow(search: URLSearchParams): WindowKey {
  const key = search.get("window");
  return WINDOWS.some((w) => w.key === key) ? (key as WindowKey) : DEFAULT_WINDOW;
}

/** The page's query string for a window ("" for the default, so the plain address stays plain). */
export const windowSearch = (key: WindowKey): string => (key === DEFAULT_WINDOW ? "" : `?window=${key}`);

type Model = ModelsSummary["models"][number];
type Version = Model["versions"][number];

/** Fewer predictions than this on either side: no comparison is offered. */
export const MIN_PREDICTIONS_TO_COMPARE = 30;
/** A mean confidence this far (absolute) from the reference's is noted. */
export const CONFIDENCE_DELTA = 0.05;
/** A p95 latency this many times the reference's (or its inverse) is noted. */
export const LATENCY_RATIO = 1.25;

/** How a version is shown: `(no version)` for predictions sent without one, `""` for an empty name. */
export const versionLabel = (v: string | null): string => (v === null ? "(no version)" : v === "" ? `""` : v);

export interface VersionNote {
  text: string;
  /** Worse than the reference (less confident, slower): shown as a warning. */
  worse: boolean;
}

/**
 * Notes for one version against the reference (the model's first, busiest version). None for the
 * reference itself or when either side has too few predictions.
 */
export function versionNotes(version: Version, reference: Version | undefined): VersionNote[] {
  if (reference === undefined || reference === version) return [];
  if (version.predictions < MIN_PREDICTIONS_TO_COMPARE || reference.predictions < MIN_PREDICTIONS_TO_COMPARE) {
    return [{ text: `Too few predictions to compare with ${versionLabel(reference.model_version)}`, worse: false }];
  }
  const notes: VersionNote[] = [];
  const name = versionLabel(reference.model_version);
  const delta = version.confidence.mean - reference.confidence.mean;
  if (Math.abs(delta) >= CONFIDENCE_DELTA) {
    notes.push({
      // Confidences as percentages (fmtConfidence), so their difference is in percentage points.
      text: `Mean confidence ${fmtNum(Math.round(Math.abs(delta) * 1000) / 10)} pp ${delta < 0 ? "lower" : "higher"} than ${name} (${fmtConfidence(version.confidence.mean)} against ${fmtConfidence(reference.confidence.mean)})`,
      worse: delta < 0,
    });
  }
  const p95 = version.latency_ms?.quantiles.p95;
  const refP95 = reference.latency_ms?.quantiles.p95;
  if (p95 !== undefined && refP95 !== undefined && refP95 > 0) {
    const ratio = p95 / refP95;
    if (ratio >= LATENCY_RATIO) notes.push({ text: `p95 latency ${ratio.toFixed(1)}× ${name}'s`, worse: true });
    else if (ratio <= 1 / LATENCY_RATIO) {
      notes.push({ text: `p95 latency ${Math.round(ratio * 100)}% of ${name}'s`, worse: false });
    }
  } else if (p95 === undefined && refP95 !== undefined) {
    notes.push({ text: `No latency reported (${name} reports it)`, worse: false });
  }
  return notes;
}
