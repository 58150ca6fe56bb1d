import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, unwrap } from "../../api/client";
import { ErrorBox, Loading } from "../../ui/status";
import { useAsync } from "../../ui/use-async";
import { fmt } from "./format";
import { seriesCaption } from "./series-caption";
import type { AnalysisMetric, NameOf, Timeseries } from "./types";

const HEIGHT = 220;

interface Props {
  experimentId: string;
  metrics: AnalysisMetric[];
  name: NameOf;
  /** Variant ids in the experiment's order: a treatment keeps its swatch colour (seg-N) everywhere. */
  order: string[];
  /** Changes whenever the analysis is recomputed, so the chart follows it. */
  version: string;
}

/** The cumulative relative lift of each treatment per day since the start, with its interval as a band. */
export function CumulativeChart({ experimentId, metrics, name, order, version }: Props) {
  const [metric, setMetric] = useState(metrics[0]?.metric_name ?? "");
  const series = useAsync(
    () =>
      unwrap(
        api["ab-testing"].experiments[":id"].results.timeseries.$get({
          param: { id: experimentId },
          query: { metric },
        }),
      ),
    [experimentId, metric, version],
  );
  if (!metric) return null;
  const data = series.data;
  const treatments = data ? [...new Set(data.items.flatMap((d) => d.comparisons.map((c) => c.variant_id)))] : [];
  const last = data?.items.at(-1);

  return (
    <section class="card cumulative" aria-labelledby="cumulative-h">
      <div class="chart-head">
        <h3 id="cumulative-h">Lift over time</h3>
        {metrics.length > 1 && (
          <label class="inline-field">
            <span>Metric</span>
            <select value={metric} onChange={(e) => setMetric(e.currentTarget.value)}>
              {metrics.map((m) => (
                <option key={m.metric_name} value={m.metric_name}>
                  {m.name}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {series.status === "error" && <ErrorBox error={series.error} onRetry={series.reload} />}
      {!data && series.status === "loading" && <Loading label="Loading the daily series…" />}
      {data && data.items.length === 0 && <p class="muted">No days with data yet.</p>}
      {data && data.items.length > 0 && (
        <>
          <ul class="legend">
            {treatments.map((id) => (
              <li key={id}>
                <span class={`swatch seg-${Math.max(0, order.indexOf(id)) % 6}`} data-variant={id} aria-hidden="true" />
                {name(id)}
              </li>
            ))}
          </ul>
          {hasLift(data) ? (
            <>
              <LiftPlot data={data} treatments={treatments} label={summary(data, name)} />
              {last && <p class="muted small">{seriesCaption(last, name)}</p>}
            </>
          ) : (
            // Relative lift is null while the control's mean is not clearly above zero (no
            // conversions yet, say): an empty plot on a meaningless axis would only confuse.
            <p class="muted" data-testid="cumulative-empty">
              No relative lift yet: it needs the control's mean to be clearly above zero.
            </p>
          )}
        </>
      )}
    </section>
  );
}

const hasLift = (data: Timeseries): boolean =>
  data.items.some((d) => d.comparisons.some((c) => c.relative_lift !== null && Number.isFinite(c.relative_lift)));

/**
 * The y range: the data's, padded, always holding 0 (the no-effect line); a single value (one day,
 * a flat line) gets ±10 points around it rather than uPlot's default span, which read as ±10,000%.
 */
const liftRange = (_u: uPlot, min: number | null, max: number | null): uPlot.Range.MinMax => {
  const lo = Math.min(0, min ?? 0);
  const hi = Math.max(0, max ?? 0);
  if (hi - lo < 1e-9) return [lo - 0.1, hi + 0.1];
  const pad = (hi - lo) * 0.1;
  return [lo - pad, hi + pad];
};

function summary(data: Timeseries, name: NameOf): string {
  const first = data.items[0]?.date;
  const last = data.items.at(-1);
  return `Cumulative relative lift of ${data.metric_name} from ${first} to ${last?.date}; latest ${last?.comparisons
    .map((c) => `${name(c.variant_id)} ${fmt.lift(c.relative_lift)}`)
    .join(", ")}`;
}

function LiftPlot({ data, treatments, label }: { data: Timeseries; treatments: string[]; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const xs = data.items.map((d) => Date.parse(`${d.date}T00:00:00Z`) / 1000);
    const pick = (id: string, key: "relative_lift" | "lift_ci_low" | "lift_ci_high") =>
      data.items.map((d) => d.comparisons.find((c) => c.variant_id === id)?.[key] ?? null);
    // Canvas colours cannot use CSS variables: read the theme's and the legend swatches' colours.
    const css = getComputedStyle(el);
    const color = (name: string) => css.getPropertyValue(name).trim();
    const swatch = (id: string) => {
      const s = el.parentElement?.querySelector(`[data-variant="${CSS.escape(id)}"]`);
      return s ? getComputedStyle(s).backgroundColor : color("--chart-line");
    };
    const translucent = (rgb: string) => rgb.replace(/^rgb\((.*)\)$/, "rgba($1, 0.15)");
    const axis: uPlot.Axis = {
      stroke: color("--chart-axis"),
      grid: { stroke: color("--chart-grid"), width: 1 },
      ticks: { stroke: color("--chart-grid") },
    };
    const series: uPlot.Series[] = [
      {},
      { stroke: color("--chart-axis"), width: 1, dash: [4, 3], points: { show: false } },
    ];
    const aligned: (number | null)[][] = [xs, xs.map(() => 0)];
    const bands: uPlot.Band[] = [];
    for (const id of treatments) {
      const c = swatch(id);
      const base = aligned.length;
      aligned.push(pick(id, "relative_lift"), pick(id, "lift_ci_high"), pick(id, "lift_ci_low"));
      series.push(
        { stroke: c, width: 2, points: { show: xs.length < 3, size: 6, fill: c } },
        { stroke: "transparent", points: { show: false } },
        { stroke: "transparent", points: { show: false } },
      );
      bands.push({ series: [base + 1, base + 2], fill: translucent(c) });
    }
    const width = () => Math.max(240, el.clientWidth);
    const plot = new uPlot(
      {
        width: width(),
        height: HEIGHT,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        // One day alone would stretch the time axis over years: show it within its own day.
        scales: {
          x: { time: true, ...(xs.length === 1 && { range: (_u, v) => [v - 43_200, v + 43_200] }) },
          y: { range: liftRange },
        },
        axes: [axis, { ...axis, size: 60, values: (_u, splits) => splits.map((v) => fmt.lift(v)) }],
        series,
        bands,
      },
      aligned as uPlot.AlignedData,
      el,
    );
    const ro = new ResizeObserver(() => plot.setSize({ width: width(), height: HEIGHT }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [data, treatments.join(",")]);
  return <div ref={box} class="chart" role="img" aria-label={label} data-testid="cumulative-chart" />;
}
