import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { streaming, unwrap } from "../api/client";
import type { MetricSeries } from "../api/types";
import { fmtNum } from "../ui/format";
import { ErrorBox } from "../ui/status";
import { TimeChart } from "./TimeChart";

const AGGREGATIONS = ["avg", "sum", "count", "min", "max", "p50", "p90", "p95", "p99"] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/** New points refetch the series at most this often; the server aggregates, so percentiles stay exact. */
const MIN_REFETCH_MS = 2_000;
/** Even without new points the window slides, so refetch now and then. */
const SLIDE_MS = 15_000;

interface Props {
  name: string;
  windowSeconds: number;
  /** Changes whenever new points of this metric arrived on the socket. */
  version: number;
}

export function MetricChart({ name, windowSeconds, version }: Props) {
  const [aggregation, setAggregation] = useState<Aggregation>("avg");
  const [data, setData] = useState<MetricSeries | null>(null);
  const [error, setError] = useState<unknown>(null);
  const lastFetch = useRef(0);
  const selectId = `agg-${name.replace(/[^A-Za-z0-9_-]/g, "-")}`;

  // Fetch on input change at once; on new points, throttled.
  useEffect(() => {
    let cancelled = false;
    const load = () => {
      lastFetch.current = Date.now();
      unwrap(
        streaming.metrics[":name"].$get({
          param: { name },
          query: { window: String(windowSeconds), aggregation },
        }),
      ).then(
        (d) => {
          if (cancelled) return;
          setData(d);
          setError(null);
        },
        (e: unknown) => !cancelled && setError(e),
      );
    };
    const wait = Math.max(0, lastFetch.current + MIN_REFETCH_MS - Date.now());
    const t = setTimeout(load, version === 0 ? 0 : wait);
    const slide = setInterval(() => document.visibilityState === "visible" && load(), SLIDE_MS);
    return () => {
      cancelled = true;
      clearTimeout(t);
      clearInterval(slide);
    };
  }, [name, windowSeconds, aggregation, version]);

  const xs = useMemo(() => data?.series.map((p) => Date.parse(p.t) / 1000) ?? [], [data]);
  const ys = useMemo(() => data?.series.map((p) => p.value) ?? [], [data]);
  const values = data?.series.map((p) => p.value).filter((v): v is number => v !== null) ?? [];
  const summary = data
    ? `${aggregation} of ${name} over the window: ${fmtNum(data.value)}; ${values.length} points${
        values.length ? `, from ${fmtNum(Math.min(...values))} to ${fmtNum(Math.max(...values))}` : ""
      }.`
    : `Loading ${name}…`;

  return (
    <div class="chart-panel">
      <div class="chart-head">
        <label for={selectId} class="small">
          Aggregation
        </label>
        <select
          id={selectId}
          value={aggregation}
          onChange={(e) => setAggregation(e.currentTarget.value as Aggregation)}
        >
          {AGGREGATIONS.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
        <span class="chart-value" aria-hidden="true">
          {fmtNum(data?.value)}
        </span>
      </div>
      {error !== null && <ErrorBox error={error} />}
      {data ? <TimeChart xs={xs} ys={ys} label={summary} /> : <div class="chart" />}
    </div>
  );
}
