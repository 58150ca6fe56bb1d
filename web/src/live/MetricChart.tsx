import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Aggregation } from "../../../src/streaming/rollup";
import { RULE_FINGERPRINT_PREFIX } from "../../../src/streaming/model";
import { streaming, unwrap } from "../api/client";
import { pathParam } from "../api/path-param";
import type { Alert, AlertRule, MetricSeries, MetricSummary } from "../api/types";
import { csvFileName, saveCsv } from "../ui/csv";
import { fmtNum, fmtTime } from "../ui/format";
import { ErrorBox } from "../ui/status";
import { seriesCsv } from "./series-csv";
import { type ChartSeries, type Marker, type Threshold, TimeChart } from "./TimeChart";
import { badWayFromRules, liveTrend, trendText, trendTone } from "./trend";
import { fmtValue, seriesUnit } from "./units";
import { AGGREGATION_CHOICES } from "./url-state";

/** New points refetch the series at most this often; the server aggregates, so percentiles stay exact. */
const MIN_REFETCH_MS = 2_000;
/** Even without new points the window slides, so refetch now and then. */
const SLIDE_MS = 15_000;

const OPERATOR_TEXT: Record<string, string> = { gt: ">", gte: "≥", lt: "<", lte: "≤" };
const ARROWS = { up: "▲", down: "▼", stable: "▶" } as const;

/** A fetched series and the group-by it answers (its aggregation it names itself). */
interface Shown {
  data: MetricSeries;
  groupBy: string;
}

interface Props {
  metric: MetricSummary;
  windowSeconds: number;
  aggregation: Aggregation;
  /** Tag key to split the chart by; "" for one series. */
  groupBy: string;
  onPick: (pick: { aggregation?: Aggregation; groupBy?: string }) => void;
  /** Changes whenever new points of this metric arrived on the socket. */
  version: number;
  /** Rules on this metric. */
  rules: readonly AlertRule[];
  /** Open and acknowledged alerts (those of this metric's rules become markers). */
  alerts: ReadonlyMap<string, Alert>;
  /** Tag keys seen on this metric's points. */
  tagKeys: readonly string[];
  /** Tag values that are source ids show as source names. */
  sourceName: (id: string) => string | undefined;
}

/** One metric's card: trend, pickers, the chart with thresholds and alert markers, and a text summary. */
export function MetricChart(props: Props) {
  const { metric, windowSeconds, aggregation, groupBy, onPick, version, rules, alerts, tagKeys, sourceName } = props;
  const name = metric.name;
  // The picks change at once, the data only when its fetch answers: everything drawn or labelled
  // (unit, thresholds, group labels, the CSV) follows the picks the data was fetched for, so a
  // switch from max to count never shows the old milliseconds as "1,500 points" meanwhile.
  const [shown, setShown] = useState<Shown | null>(null);
  const data = shown?.data ?? null;
  const shownAggregation = data?.aggregation ?? aggregation;
  const shownGroupBy = shown?.groupBy ?? groupBy;
  const [error, setError] = useState<unknown>(null);
  const lastFetch = useRef(0);
  const id = name.replace(/[^A-Za-z0-9_-]/g, "-");

  // Fetch on input change at once; on new points, throttled.
  const inputs = `${windowSeconds}|${aggregation}|${groupBy}`;
  const lastInputs = useRef("");
  useEffect(() => {
    let cancelled = false;
    const load = () => {
      lastFetch.current = Date.now();
      unwrap(
        streaming.metrics[":name"].$get({
          param: { name: pathParam(name) },
          query: { window: String(windowSeconds), aggregation, ...(groupBy ? { group_by: groupBy } : {}) },
        }),
      ).then(
        (d) => {
          if (cancelled) return;
          setShown({ data: d, groupBy });
          setError(null);
        },
        (e: unknown) => !cancelled && setError(e),
      );
    };
    const changed = lastInputs.current !== inputs;
    lastInputs.current = inputs;
    const wait = Math.max(0, lastFetch.current + MIN_REFETCH_MS - Date.now());
    const t = setTimeout(load, changed ? 0 : wait);
    const slide = setInterval(() => document.visibilityState === "visible" && load(), SLIDE_MS);
    return () => {
      cancelled = true;
      clearTimeout(t);
      clearInterval(slide);
    };
  }, [name, windowSeconds, aggregation, groupBy, inputs, version]);

  const unit = useMemo(() => seriesUnit(name, shownAggregation), [name, shownAggregation]);
  const xs = useMemo(() => data?.series.map((p) => Date.parse(p.t) / 1000) ?? [], [data]);
  const series = useMemo((): ChartSeries[] => {
    if (!data) return [];
    const groups = data.groups ?? [];
    if (groups.length === 0) return [{ label: name, values: data.series.map((p) => p.value) }];
    return groups.map((g) => {
      const v = shownGroupBy ? (g.tags[shownGroupBy] ?? "") : "";
      // Groups share the headline's steps; align by time in case a group's series is shorter.
      const byT = new Map(g.series.map((p) => [p.t, p.value]));
      return {
        label: `${shownGroupBy}=${sourceName(v) ?? (v || "(none)")}`,
        values: data.series.map((p) => byT.get(p.t) ?? null),
      };
    });
  }, [data, name, shownGroupBy, sourceName]);

  // Thresholds are drawn only where the chart shows what the rule measures.
  const thresholds = useMemo(
    (): Threshold[] =>
      rules
        .filter((r) => r.threshold !== null && r.operator !== null && r.aggregation === shownAggregation)
        .map((r) => ({
          value: r.threshold as number,
          label: `${r.name}: ${OPERATOR_TEXT[r.operator ?? ""] ?? ""} ${fmtValue(r.threshold, unit)}`,
        })),
    [rules, shownAggregation, unit],
  );
  const otherRules = rules.filter((r) => !thresholds.some((t) => t.label.startsWith(`${r.name}:`)));
  const markers = useMemo((): Marker[] => {
    const fingerprints = new Map(rules.map((r) => [`${RULE_FINGERPRINT_PREFIX}${r.id}`, r.name]));
    return [...alerts.values()]
      .filter((a) => a.fingerprint !== null && fingerprints.has(a.fingerprint))
      .map((a) => ({ t: Date.parse(a.created_at) / 1000, label: a.title }));
  }, [rules, alerts]);

  const headline = data?.series.map((p) => p.value) ?? [];
  const trend = liveTrend(metric.trend, headline);
  const tone = trendTone(trend, badWayFromRules(rules));
  const said = trendText(trend, tone);
  const values = headline.filter((v): v is number => v !== null);
  const summary = data
    ? `${shownAggregation} of ${name} over the window: ${fmtValue(data.value, unit)}; ${values.length} points${
        values.length ? `, from ${fmtValue(Math.min(...values), unit)} to ${fmtValue(Math.max(...values), unit)}` : ""
      }${thresholds.length ? `; thresholds ${thresholds.map((t) => t.label).join(", ")}` : ""}${
        markers.length ? `; ${markers.length} open alert${markers.length > 1 ? "s" : ""}` : ""
      }.`
    : `Loading ${name}…`;
  const keys = groupBy && !tagKeys.includes(groupBy) ? [...tagKeys, groupBy] : tagKeys;

  return (
    <li class="card metric-card" data-testid={`metric-chart-${name}`}>
      <h3>
        <span class="mono">{name}</span>
        <span class={`trend trend-${tone}`} title={`Trend: ${said}`}>
          <span aria-hidden="true">{ARROWS[trend]}</span>
          <span class="visually-hidden">Trend: {said}</span>
        </span>
      </h3>
      <p class="muted small">
        Latest point {fmtValue(metric.latest, seriesUnit(name, "avg"))} at {fmtTime(metric.latest_at)}
      </p>
      <div class="chart-head">
        <label for={`agg-${id}`} class="small">
          Aggregation
        </label>
        <select
          id={`agg-${id}`}
          value={aggregation}
          onChange={(e) => onPick({ aggregation: e.currentTarget.value as Aggregation })}
        >
          {AGGREGATION_CHOICES.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
        <label for={`group-${id}`} class="small">
          Group by
        </label>
        <select id={`group-${id}`} value={groupBy} onChange={(e) => onPick({ groupBy: e.currentTarget.value })}>
          <option value="">none</option>
          {keys.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </div>
      <p class="chart-value">
        <span class="stat-label">{shownAggregation} over the window</span>{" "}
        <strong data-testid="metric-value">{fmtValue(data?.value, unit)}</strong>
        {data && data.series.length > 0 && (
          <button
            type="button"
            class="btn btn-small chart-csv"
            onClick={() =>
              saveCsv(csvFileName(`${name}-${shownAggregation}`, new Date()), seriesCsv(data, shownGroupBy, sourceName))
            }
          >
            CSV<span class="visually-hidden"> of {name}</span>
          </button>
        )}
      </p>
      {error !== null && <ErrorBox error={error} />}
      {data ? (
        <TimeChart xs={xs} series={series} unit={unit} label={summary} thresholds={thresholds} markers={markers} />
      ) : (
        <div class="chart" />
      )}
      {series.length > 1 && (
        <ul class="chart-legend small" aria-label={`Series of ${name}`}>
          {series.map((s, i) => (
            <li key={s.label}>
              <span class={`swatch swatch-${i % 6}`} aria-hidden="true" /> {s.label}
            </li>
          ))}
        </ul>
      )}
      {(thresholds.length > 0 || otherRules.length > 0) && (
        <p class="muted small">
          {thresholds.length > 0 && <>Dashed: {thresholds.map((t) => t.label).join(" · ")}. </>}
          {otherRules.length > 0 && (
            <>
              Also watched by {otherRules.map((r) => `${r.name} (${r.aggregation})`).join(", ")}
              {otherRules.some((r) => r.threshold !== null) ? `: pick its aggregation to see the threshold` : ""}.
            </>
          )}
          {markers.length > 0 && <> Dotted lines: alerts opened ({fmtNum(markers.length)}).</>}
        </p>
      )}
    </li>
  );
}
