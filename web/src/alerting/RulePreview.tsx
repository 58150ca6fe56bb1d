import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { useEffect, useRef, useState } from "preact/hooks";
import { streaming, unwrap } from "../api/client";
import { pathParam } from "../api/path-param";
import type { MetricSeries } from "../api/types";
import { fmtNum } from "../ui/format";
import { type Aggregation, isModelRuleMetric } from "../../../src/streaming/model";
import { Link } from "../router";
import { fmtSeconds, parseNumber, previewQuery, readPreview } from "./rule-form";

const HEIGHT = 160;
const REFRESH_MS = 5000;

interface Props {
  metric: string;
  /** The form's tag filter as typed (`region=eu`); the preview reads only those points, as the rule will. */
  tags: string;
  aggregation: Aggregation;
  windowSeconds: string;
  threshold: string;
}

/**
 * The rule's metric as the rule will see it (one point per rule window, the rule's aggregation)
 * with the threshold drawn across, refreshed every few seconds while the form is open: a person
 * sees whether the rule would fire before saving it.
 */
export function RulePreview({ metric, tags, aggregation, windowSeconds, threshold }: Props) {
  const q = previewQuery(windowSeconds, aggregation, tags);
  const key = q && metric.trim() ? `${metric.trim()}|${JSON.stringify(q)}` : null;
  const [series, setSeries] = useState<MetricSeries | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    setSeries(null);
    setError(null);
    if (!key || !q || isModelRuleMetric(metric.trim())) return;
    let live = true;
    const get = (query: Record<string, string>) =>
      unwrap(streaming.metrics[":name"].$get({ param: { name: pathParam(metric.trim()) }, query }));
    const load = () =>
      readPreview(get, q).then(
        (s) => {
          if (!live) return;
          setSeries(s);
          setError(null);
        },
        (err: unknown) => live && setError(err),
      );
    // A half-typed metric name should not fire a request per keystroke.
    const first = setTimeout(load, 300);
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      live = false;
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [key]);

  const t = parseNumber(threshold);
  if (isModelRuleMetric(metric.trim()))
    return (
      <p class="muted small preview-empty">
        A model statistic: its versions are drawn on the <Link href="/models">Models</Link> page.
      </p>
    );
  if (!key || !q) return <p class="muted small preview-empty">Pick a metric and a window to see a preview.</p>;
  if (error !== null)
    return <p class="muted small preview-empty">No data for “{metric.trim()}” yet: the rule will wait for it.</p>;
  if (!series) return <p class="muted small preview-empty">Loading preview…</p>;
  const values = series.series.map((p) => p.value).filter((v): v is number => v !== null);
  const latest = values[values.length - 1] ?? null;
  return (
    <figure class="rule-preview" data-testid="rule-preview">
      <PreviewChart
        series={series}
        threshold={t}
        label={`${aggregation} of ${metric.trim()} per ${fmtSeconds(series.step_seconds)}, last ${fmtSeconds(
          Number(q.window),
        )}: ${values.length} points, latest ${fmtNum(latest)}${t === null ? "" : `, threshold ${fmtNum(t)}`}.`}
      />
      <figcaption class="muted small">
        {aggregation} per {fmtSeconds(series.step_seconds)} over the last {fmtSeconds(Number(q.window))}
        {latest === null ? " · no points yet" : ` · latest ${fmtNum(latest)}`}
        {t !== null && ` · threshold ${fmtNum(t)}`}
      </figcaption>
    </figure>
  );
}

function PreviewChart({ series, threshold, label }: { series: MetricSeries; threshold: number | null; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const xs = series.series.map((p) => Date.parse(p.t) / 1000);
  const ys = series.series.map((p) => p.value);
  const th = xs.map(() => threshold);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const data: uPlot.AlignedData = [xs, ys, th];
    if (plot.current) {
      plot.current.setData(data);
      return;
    }
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
          // Points always drawn: a single window's spike must be visible, not lost between gaps.
          { stroke: color("--chart-line"), width: 2, points: { show: true, size: 5 } },
          { stroke: color("--danger"), width: 1.5, dash: [6, 4], points: { show: false } },
        ],
      },
      data,
      el,
    );
  });

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

  return <div ref={box} class="chart chart-small" role="img" aria-label={label} />;
}
