import { fmt } from "./results/format";
import { useWidth } from "./results/use-width";
import type { Tone } from "./results/verdict";

export interface IntervalRow {
  label: string;
  lift: number | null;
  low: number | null;
  high: number | null;
  /** The verdict's colour: better than control in the metric's direction, worse, or neither. */
  tone: Tone;
}

const ROW_H = 36;
const RIGHT = 16;
const TOP = 8;
const AXIS_H = 26;
/** Until the card is measured (and in a test without layout), draw at a typical card width. */
const FALLBACK_W = 640;

/** "Nice" ticks across [lo, hi] so the axis reads in round numbers; fewer when the card is narrow. */
function ticks(lo: number, hi: number, count: number): number[] {
  const span = hi - lo || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-12; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

/**
 * Each treatment's relative lift over control with its interval, on one shared percentage axis with
 * the zero line: an interval that does not cross zero is a significant lift. Drawn at the card's
 * own width (text stays readable on a phone instead of shrinking with a fixed viewBox), with SVG
 * presentation attributes only (no style attributes), which the CSP allows.
 */
export function IntervalChart({ rows, metric, interval }: { rows: IntervalRow[]; metric: string; interval: string }) {
  const [box, measured] = useWidth<HTMLElement>();
  const usable = rows.filter((r) => r.lift !== null && r.low !== null && r.high !== null);
  const W = Math.max(260, measured || FALLBACK_W);
  const LEFT = Math.min(140, Math.round(W * 0.28));
  const lows = usable.map((r) => r.low as number);
  const highs = usable.map((r) => r.high as number);
  let lo = Math.min(0, ...lows);
  let hi = Math.max(0, ...highs);
  const pad = (hi - lo) * 0.08 || 0.01;
  lo -= pad;
  hi += pad;
  const x = (v: number) => LEFT + ((v - lo) / (hi - lo)) * (W - LEFT - RIGHT);
  const height = TOP + usable.length * ROW_H + AXIS_H;
  const axisY = TOP + usable.length * ROW_H;
  const maxChars = Math.max(6, Math.floor(LEFT / 7.5));
  const id = `ic-${metric.replace(/[^A-Za-z0-9_-]/g, "-")}-t`;

  return (
    <figure class="interval-chart" ref={box}>
      {usable.length === 0 ? (
        <p class="muted">Not enough data for a lift interval yet.</p>
      ) : (
        <svg width={W} height={height} viewBox={`0 0 ${W} ${height}`} role="img" aria-labelledby={id}>
          <title id={id}>
            {`Relative lift over control in ${metric}, ${interval}: ${usable
              .map((r) => `${r.label} ${fmt.lift(r.lift)} (${fmt.interval(r.low, r.high, fmt.lift)})`)
              .join("; ")}`}
          </title>
          {ticks(lo, hi, W < 420 ? 3 : 5).map((t) => (
            <g key={t}>
              <line x1={x(t)} x2={x(t)} y1={TOP} y2={axisY} class="ic-grid" />
              <text x={x(t)} y={axisY + 18} text-anchor="middle" class="ic-tick">
                {fmt.lift(t)}
              </text>
            </g>
          ))}
          <line x1={x(0)} x2={x(0)} y1={TOP - 4} y2={axisY + 4} class="ic-zero" />
          {usable.map((r, i) => {
            const y = TOP + i * ROW_H + ROW_H / 2;
            const l = r.low as number;
            const h = r.high as number;
            return (
              <g key={r.label} class={`ic-${r.tone}`}>
                <text x={LEFT - 10} y={y + 4} text-anchor="end" class="ic-label">
                  {r.label.length > maxChars ? `${r.label.slice(0, maxChars - 1)}…` : r.label}
                </text>
                <line x1={x(l)} x2={x(h)} y1={y} y2={y} class="ic-bar" />
                <line x1={x(l)} x2={x(l)} y1={y - 7} y2={y + 7} class="ic-bar" />
                <line x1={x(h)} x2={x(h)} y1={y - 7} y2={y + 7} class="ic-bar" />
                <circle cx={x(r.lift as number)} cy={y} r={5} class="ic-dot" />
              </g>
            );
          })}
        </svg>
      )}
      <figcaption class="muted small">
        Relative lift over control with its {interval}. Colours follow the verdict: green better than control in the
        metric's direction (so a drop, for a lower-is-better metric), red worse or a failed guardrail, grey no clear
        difference.
      </figcaption>
    </figure>
  );
}
