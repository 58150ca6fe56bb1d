/**
 * The trend arrow: which way a metric moves, and whether that way is good or bad. Pure, so the
 * table in test/unit/live-trend.test.ts pins it down.
 */
import type { Operator } from "../../../src/streaming/rules";
import { relativeChange, type Trend } from "../../../src/streaming/trend";

export type { Trend };

/** Which way of moving is bad for a metric; unknown colours the arrow neutral. */
export type BadWay = "up" | "down" | "unknown";

/**
 * Streaming metrics carry no direction metadata, so the rules on a metric say it: a rule that fires
 * on `>` means rising is bad (error rate, latency), one that fires on `<` means falling is bad
 * (throughput). Two-sided anomaly rules (no operator) say nothing; rules that disagree say nothing.
 */
export function badWayFromRules(rules: readonly { operator: Operator | null }[]): BadWay {
  let up = false;
  let down = false;
  for (const r of rules) {
    if (r.operator === "gt" || r.operator === "gte") up = true;
    else if (r.operator === "lt" || r.operator === "lte") down = true;
  }
  if (up === down) return "unknown";
  return up ? "up" : "down";
}

/**
 * The newest point this far (relative change ≥ 0.5, i.e. 2× or ½) from the median of the window's
 * earlier points is a move, whatever the server's 5-minute mean comparison says: that comparison
 * wants 3 points per window and so calls a lone 10× spike "stable".
 */
const SPIKE_CHANGE = 0.5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Points of the chart looked at (the newest): bounds the work of a render. */
const LOOK_BACK = 120;

/**
 * The arrow to show: the server's trend, overridden by a move of the newest points in `values`.
 * A move is the newest k points (k ≥ 1, the smallest that qualifies) all this far from the median
 * of the points before them, the same way: a spike of one point, or a level shift that has lasted
 * k points. The server's 5-minute comparison wants 3 points in each window, so a new metric that
 * jumps 9× reads "stable" there until it has 10 minutes of history.
 */
export function liveTrend(server: Trend, values: readonly (number | null)[]): Trend {
  const points = values.filter((v): v is number => v !== null && Number.isFinite(v)).slice(-LOOK_BACK);
  for (let k = 1; k < points.length; k++) {
    const base = median(points.slice(0, points.length - k));
    const changes = points.slice(-k).map((p) => relativeChange(p, base));
    if (changes.every((c) => c >= SPIKE_CHANGE)) return "up";
    if (changes.every((c) => c <= -SPIKE_CHANGE)) return "down";
  }
  return server;
}

export type Tone = "good" | "bad" | "neutral";

export function trendTone(trend: Trend, bad: BadWay): Tone {
  if (trend === "stable" || bad === "unknown") return "neutral";
  return trend === bad ? "bad" : "good";
}

const WORDS: Record<Trend, string> = { up: "rising", down: "falling", stable: "stable" };

/** Screen-reader and tooltip text: "rising (bad)", "falling", "stable". */
export function trendText(trend: Trend, tone: Tone): string {
  return tone === "neutral" ? WORDS[trend] : `${WORDS[trend]} (${tone})`;
}
