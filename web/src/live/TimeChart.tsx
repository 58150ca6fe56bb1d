import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { useEffect, useRef } from "preact/hooks";
import { fmtTime } from "../ui/format";
import { WHOLE_STEPS, yRange } from "./axis";
import { fmtValue, type Unit } from "./units";

const HEIGHT = 180;
/** Series colours, as CSS variables so the dark theme picks its own (styles.css). */
const PALETTE = ["--chart-line", "--chart-s2", "--chart-s3", "--chart-s4", "--chart-s5", "--chart-s6"];
/** Points are drawn when they are at least this far apart on average; isolated ones always are. */
const POINT_SPACE_PX = 8;

export interface ChartSeries {
  label: string;
  /** Aligned with xs; null leaves a gap (an empty step of a non-additive aggregation). */
  values: (number | null)[];
}

export interface Threshold {
  value: number;
  label: string;
}

export interface Marker {
  /** Epoch seconds. */
  t: number;
  label: string;
}

interface Props {
  /** Epoch seconds, ascending. */
  xs: number[];
  series: ChartSeries[];
  unit: Unit;
  /** Text equivalent of the chart for screen readers. */
  label: string;
  kind?: "line" | "bars";
  /** Rule thresholds: dashed horizontal lines, kept in view. */
  thresholds?: Threshold[];
  /** Alert openings: vertical lines. */
  markers?: Marker[];
}

/** Indices of points with no non-null neighbour: a line cannot show them, so a dot must. */
type Values = ArrayLike<number | null | undefined>;

function isolated(values: Values, i0: number, i1: number): number[] {
  const out: number[] = [];
  for (let i = i0; i <= i1; i++) {
    if (values[i] == null) continue;
    if (values[i - 1] == null && values[i + 1] == null) out.push(i);
  }
  return out;
}

function nonNull(values: Values, i0: number, i1: number): number {
  let n = 0;
  for (let i = i0; i <= i1; i++) if (values[i] != null) n++;
  return n;
}

function tooltipFor(el: HTMLElement): HTMLDivElement {
  const tip = document.createElement("div");
  tip.className = "chart-tooltip";
  tip.dataset.testid = "chart-tooltip";
  tip.hidden = true;
  el.appendChild(tip);
  return tip;
}

/**
 * One uPlot canvas. It is created once per shape (kind, number of series) and fed through setData,
 * so live updates never rebuild the canvas, and resized with its card. Every draw is counted on the
 * element (`data-draws`), which is how the e2e run proves rendering stays throttled under load.
 * uPlot styles itself through the CSSOM, which the CSP allows.
 */
export function TimeChart({ xs, series, unit, label, kind = "line", thresholds = [], markers = [] }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = useRef("");
  const tipRef = useRef<HTMLDivElement | null>(null);
  // The draw hook and range read the newest props through this ref, so they never rebuild the plot.
  const live = useRef({ series, unit, thresholds, markers });
  live.current = { series, unit, thresholds, markers };

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const data = [xs, ...series.map((s) => s.values)] as uPlot.AlignedData;
    const key = `${kind}:${series.map((s) => s.label).join("\u0000")}:${unit.count}`;
    if (plot.current && shape.current === key) {
      plot.current.setData(data);
      return;
    }
    plot.current?.destroy();
    tipRef.current?.remove();
    shape.current = key;
    // Canvas colors cannot use CSS variables directly: read the theme's values (light or dark).
    const css = getComputedStyle(el);
    const color = (name: string) => css.getPropertyValue(name).trim();
    const axis: uPlot.Axis = {
      stroke: color("--chart-axis"),
      grid: { stroke: color("--chart-grid"), width: 1 },
      ticks: { stroke: color("--chart-grid") },
    };
    const tip = tooltipFor(el);
    tipRef.current = tip;
    let draws = 0;
    const lineSeries = (s: ChartSeries, i: number): uPlot.Series => {
      const stroke = color(PALETTE[i % PALETTE.length] as string);
      return {
        label: s.label,
        stroke,
        fill: series.length === 1 ? color("--chart-fill") : undefined,
        width: 2,
        points: {
          size: 6,
          fill: stroke,
          // Dots when there is room for them; otherwise only where no line can show the point.
          show: (u, si, i0, i1) => nonNull(u.data[si] ?? [], i0, i1) * POINT_SPACE_PX <= u.bbox.width / uPlot.pxRatio,
          filter: (u, si, show) => (show ? null : isolated(u.data[si] ?? [], 0, (u.data[si]?.length ?? 1) - 1)),
        },
      };
    };
    plot.current = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height: HEIGHT,
        legend: { show: false },
        cursor: {
          drag: { x: false, y: false },
          // Hover the nearest point that has a value, not an empty step.
          hover: { skip: [null, undefined] },
          points: { size: 8 },
        },
        scales: {
          x: { time: true },
          y: {
            range: (u) =>
              yRange(
                u.data.slice(1).flatMap((d) => Array.from(d, (v) => v ?? null)),
                {
                  count: live.current.unit.count,
                  marks: live.current.thresholds.map((t) => t.value),
                },
              ),
          },
        },
        axes: [
          axis,
          {
            ...axis,
            size: 64,
            incrs: unit.count ? WHOLE_STEPS : undefined,
            values: (_u, splits) => splits.map((v) => fmtValue(v, { ...live.current.unit, symbol: "" })),
            label: unit.symbol || undefined,
            labelSize: unit.symbol ? 18 : 0,
          },
        ],
        series: [
          {},
          ...(kind === "bars"
            ? [
                {
                  label: series[0]?.label ?? "",
                  stroke: color("--chart-bar"),
                  fill: color("--chart-bar-fill"),
                  width: 1,
                  paths: uPlot.paths.bars?.({ size: [0.8, 40] }),
                  points: { show: false },
                } satisfies uPlot.Series,
              ]
            : series.map(lineSeries)),
        ],
        hooks: {
          draw: [
            (u) => {
              const ctx = u.ctx;
              const { left, top, width, height } = u.bbox;
              const px = uPlot.pxRatio;
              ctx.save();
              ctx.lineWidth = 1.5 * px;
              ctx.font = `${11 * px}px system-ui, sans-serif`;
              const drawn: number[] = [];
              ctx.setLineDash([6 * px, 4 * px]);
              ctx.strokeStyle = color("--chart-threshold");
              ctx.fillStyle = color("--chart-threshold");
              for (const t of live.current.thresholds) {
                const y = Math.round(u.valToPos(t.value, "y", true));
                if (y < top || y > top + height) continue;
                ctx.beginPath();
                ctx.moveTo(left, y);
                ctx.lineTo(left + width, y);
                ctx.stroke();
                ctx.textAlign = "right";
                ctx.fillText(t.label, left + width - 4 * px, y - 4 * px);
                drawn.push(t.value);
              }
              ctx.setLineDash([2 * px, 3 * px]);
              ctx.strokeStyle = color("--chart-marker");
              const [x0, x1] = [u.scales.x?.min ?? 0, u.scales.x?.max ?? 0];
              for (const m of live.current.markers) {
                if (m.t < x0 || m.t > x1) continue;
                const x = Math.round(u.valToPos(m.t, "x", true));
                ctx.beginPath();
                ctx.moveTo(x, top);
                ctx.lineTo(x, top + height);
                ctx.stroke();
              }
              ctx.restore();
              // Read by the e2e run and handy when debugging: what the last draw showed.
              el.dataset.draws = String(++draws);
              el.dataset.thresholds = drawn.join(",");
              el.dataset.yMin = String(u.scales.y?.min);
              el.dataset.unit = live.current.unit.symbol;
              const ys = u.data[1] ?? [];
              let last = ys.length - 1;
              while (last >= 0 && ys[last] == null) last--;
              el.dataset.lastPoint =
                last >= 0
                  ? `${u.valToPos(u.data[0][last] as number, "x", true) / px},${u.valToPos(ys[last] as number, "y", true) / px}`
                  : "";
            },
          ],
          setCursor: [
            (u) => {
              const idx = u.cursor.idx;
              const left = u.cursor.left ?? -1;
              if (idx == null || left < 0) {
                tip.hidden = true;
                return;
              }
              const rows: string[] = [];
              let at = u.data[0][idx];
              u.series.forEach((s, si) => {
                if (si === 0) return;
                const i = u.cursor.idxs?.[si] ?? idx;
                const v = u.data[si]?.[i];
                if (v == null) return;
                at = u.data[0][i] ?? at;
                rows.push(`${live.current.series.length > 1 ? `${s.label}: ` : ""}${fmtValue(v, live.current.unit)}`);
              });
              if (rows.length === 0) {
                tip.hidden = true;
                return;
              }
              tip.textContent = "";
              const time = document.createElement("div");
              time.className = "chart-tooltip-time";
              time.textContent = fmtTime((at ?? 0) * 1000);
              tip.appendChild(time);
              for (const r of rows) {
                const row = document.createElement("div");
                row.textContent = r;
                tip.appendChild(row);
              }
              tip.hidden = false;
              // Beside the cursor, flipped to its left near the right edge.
              const overLeft = u.over.offsetLeft;
              const x = overLeft + left;
              const flip = x + tip.offsetWidth + 12 > el.clientWidth;
              tip.style.transform = `translate(${flip ? x - tip.offsetWidth - 12 : x + 12}px, ${u.over.offsetTop + 4}px)`;
            },
          ],
        },
      },
      data,
      el,
    );
    // uPlot appends its root after the tooltip; keep the tooltip last so it paints above the canvas.
    el.appendChild(tip);
  }, [xs, series, kind, unit]);

  // New thresholds or markers need new ranges and a redraw even when the data did not change.
  const marks = JSON.stringify([thresholds, markers]);
  useEffect(() => {
    if (plot.current && marks) plot.current.setData(plot.current.data);
  }, [marks]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() =>
      plot.current?.setSize({ width: Math.max(200, el.clientWidth), height: HEIGHT }),
    );
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, []);

  return <div ref={box} class="chart" role="img" aria-label={label} />;
}
