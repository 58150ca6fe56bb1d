import type { Comparison } from "../api/types";
import { fmtNum } from "../ui/format";

interface Row {
  label: string;
  c: Comparison;
}

const W = 640;
const ROW_H = 36;
const LEFT = 140;
const RIGHT = 20;
const TOP = 8;
const AXIS_H = 26;

/** Three "nice" ticks across [lo, hi] so the axis reads in round numbers. */
function ticks(lo: number, hi: number): number[] {
  const span = hi - lo || 1;
  const raw = span / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-12; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

/**
 * Each treatment's difference from control with its 95% interval, on one shared axis with the zero
 * line: an interval that does not cross zero is a significant difference at the 5% level.
 * Drawn with SVG presentation attributes only (no style attributes), which the CSP allows.
 */
export function IntervalChart({ rows, metric }: { rows: Row[]; metric: string }) {
  const usable = rows.filter((r) => r.c.ci_low !== null && r.c.ci_high !== null && r.c.difference !== null);
  if (usable.length === 0) {
    return <p class="muted">Not enough data for confidence intervals yet (each variant needs at least 2 values).</p>;
  }
  const lows = usable.map((r) => r.c.ci_low as number);
  const highs = usable.map((r) => r.c.ci_high as number);
  let lo = Math.min(0, ...lows);
  let hi = Math.max(0, ...highs);
  const pad = (hi - lo) * 0.08 || 1;
  lo -= pad;
  hi += pad;
  const x = (v: number) => LEFT + ((v - lo) / (hi - lo)) * (W - LEFT - RIGHT);
  const height = TOP + usable.length * ROW_H + AXIS_H;
  const axisY = TOP + usable.length * ROW_H;

  return (
    <figure class="interval-chart">
      <svg
        viewBox={`0 0 ${W} ${height}`}
        role="img"
        aria-labelledby={`ic-${metric}-t`}
        preserveAspectRatio="xMinYMin meet"
      >
        <title id={`ic-${metric}-t`}>
          {`Difference from control in ${metric}, 95% intervals: ${usable
            .map((r) => `${r.label} ${fmtNum(r.c.difference)} (${fmtNum(r.c.ci_low)} to ${fmtNum(r.c.ci_high)})`)
            .join("; ")}`}
        </title>
        {ticks(lo, hi).map((t) => (
          <g key={t}>
            <line x1={x(t)} x2={x(t)} y1={TOP} y2={axisY} class="ic-grid" />
            <text x={x(t)} y={axisY + 18} text-anchor="middle" class="ic-tick">
              {fmtNum(t)}
            </text>
          </g>
        ))}
        <line x1={x(0)} x2={x(0)} y1={TOP - 4} y2={axisY + 4} class="ic-zero" />
        {usable.map((r, i) => {
          const y = TOP + i * ROW_H + ROW_H / 2;
          const l = r.c.ci_low as number;
          const h = r.c.ci_high as number;
          const tone = l > 0 ? "ic-pos" : h < 0 ? "ic-neg" : "ic-flat";
          return (
            <g key={r.label} class={tone}>
              <text x={LEFT - 10} y={y + 4} text-anchor="end" class="ic-label">
                {r.label.length > 18 ? `${r.label.slice(0, 17)}…` : r.label}
              </text>
              <line x1={x(l)} x2={x(h)} y1={y} y2={y} class="ic-bar" />
              <line x1={x(l)} x2={x(l)} y1={y - 7} y2={y + 7} class="ic-bar" />
              <line x1={x(h)} x2={x(h)} y1={y - 7} y2={y + 7} class="ic-bar" />
              <circle cx={x(r.c.difference as number)} cy={y} r={5} class="ic-dot" />
            </g>
          );
        })}
      </svg>
      <figcaption class="muted small">
        Difference from control (treatment − control) with 95% Welch confidence interval. Green: above control, red:
        below control, grey: the interval crosses zero (no significant difference).
      </figcaption>
    </figure>
  );
}
