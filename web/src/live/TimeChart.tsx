import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { useEffect, useRef } from "preact/hooks";

const HEIGHT = 180;

interface Props {
  /** Epoch seconds, ascending. */
  xs: number[];
  /** null leaves a gap (an empty step of a non-additive aggregation). */
  ys: (number | null)[];
  /** Text equivalent of the chart for screen readers. */
  label: string;
  kind?: "line" | "bars";
}

/**
 * One uPlot canvas. It is created once and fed through setData, so live updates never rebuild the
 * canvas, and resized with its card. uPlot styles itself through the CSSOM, which the CSP allows.
 */
export function TimeChart({ xs, ys, label, kind = "line" }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const data: uPlot.AlignedData = [xs, ys];
    if (plot.current) {
      plot.current.setData(data);
      return;
    }
    // Canvas colors cannot use CSS variables directly: read the theme's values (light or dark).
    const css = getComputedStyle(el);
    const color = (name: string) => css.getPropertyValue(name).trim();
    const axis: uPlot.Axis = {
      stroke: color("--chart-axis"),
      grid: { stroke: color("--chart-grid"), width: 1 },
      ticks: { stroke: color("--chart-grid") },
    };
    plot.current = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height: HEIGHT,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true } },
        axes: [axis, { ...axis, size: 56 }],
        series: [
          {},
          kind === "bars"
            ? {
                stroke: color("--chart-bar"),
                fill: color("--chart-bar-fill"),
                width: 1,
                paths: uPlot.paths.bars?.({ size: [0.8, 40] }),
                points: { show: false },
              }
            : { stroke: color("--chart-line"), fill: color("--chart-fill"), width: 2 },
        ],
      },
      data,
      el,
    );
  }, [xs, ys, kind]);

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
