import { Link } from "../../router";
import { fmtP } from "../../ui/format";
import { IntervalChart } from "../IntervalChart";
import { fmt, type ValueFormat } from "./format";
import type { AnalysisMetric, NameOf } from "./types";
import { DIRECTION_HINT, liftInterval, type Reading, showsAdjusted, VERDICT_TONE, verdictLine } from "./verdict";

const VERDICT_BADGE: Record<AnalysisMetric["comparisons"][number]["verdict"], string> = {
  winning: "winning",
  losing: "losing",
  inconclusive: "inconclusive",
  guardrail_failed: "guardrail failed",
};

interface Props {
  metric: AnalysisMetric;
  reading: Reading;
  name: NameOf;
  /** Variant ids in the experiment's order (control first in the table). */
  order: string[];
  /** The sample ratio check failed: no variant is badged winning or losing. */
  untrusted?: boolean;
}

/**
 * One metric: a row per variant (on a phone each row becomes a card with every statistic labelled),
 * a verdict line per treatment, and the lift interval chart.
 */
export function MetricCard({ metric: m, reading, name, order, untrusted = false }: Props) {
  const hid = `m-${m.metric_name.replace(/[^A-Za-z0-9_-]/g, "-")}`;
  const format: ValueFormat = { format: m.format, currency: m.currency };
  const guardrail = m.role === "guardrail";
  const adjusted = showsAdjusted(reading, guardrail);
  const bayesian = reading.engine === "bayesian";
  const level = fmt.level(reading.confidence_level);
  const intervalLabel = `${level} ${bayesian ? "credible interval" : "interval"}`;
  const byVariant = new Map(m.comparisons.map((c) => [c.variant_id, c]));
  const controlId = m.comparisons[0]?.control_variant_id;
  const rows = [...m.variants].sort(
    (a, b) =>
      Number(b.variant_id === controlId) - Number(a.variant_id === controlId) ||
      order.indexOf(a.variant_id) - order.indexOf(b.variant_id),
  );
  const denominator = (v: (typeof rows)[number]) => (m.kind === "event_mean" ? v.count : v.users);
  const columns = [
    "Users",
    m.kind === "event_mean" ? "Mean per event" : m.format === "percent" ? "Rate" : "Per user",
    m.format === "percent" ? "Difference (pp)" : "Difference",
    "Lift",
    intervalLabel,
    ...(bayesian ? ["Expected loss"] : ["p-value"]),
    ...(adjusted ? ["Adjusted p-value"] : []),
    "Chance to beat control",
  ];

  return (
    <article class="card metric-block" aria-labelledby={hid} data-metric={m.metric_name}>
      <header class="metric-head">
        <h3 id={hid}>
          {m.name}
          {m.name !== m.metric_name && <span class="mono small muted"> {m.metric_name}</span>}{" "}
          <span class={`badge ${m.role === "primary" ? "badge-running" : ""}`}>{m.role}</span>
        </h3>
        <p class="muted small">
          {m.kind} · {DIRECTION_HINT[m.direction]}
          {m.capping && ` · capped at ${fmt.value(m.capping.cap, format)}`}
          {m.cuped.applied && m.cuped.variance_reduction !== null
            ? ` · CUPED cut variance by ${fmt.level(m.cuped.variance_reduction)}`
            : ""}
        </p>
      </header>
      {!m.defined && (
        <div class="notice notice-warn" data-testid="undefined-metric">
          <p>
            <strong>{m.metric_name}</strong> is not in the metric catalogue, so it is read as a plain number where
            higher is better.{" "}
            <Link href={`/metrics/new?name=${encodeURIComponent(m.metric_name)}`}>Define this metric</Link> to give it a
            kind, direction and format.
          </p>
        </div>
      )}
      <div class="results-table-wrap">
        <table class="results-table">
          <caption class="visually-hidden">{m.name} per variant</caption>
          <thead>
            <tr>
              <th scope="col">Variant</th>
              {columns.map((c) => (
                <th scope="col" class="num" key={c}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((v) => {
              const c = byVariant.get(v.variant_id);
              const [lo, hi] = c ? liftInterval(c, reading.engine) : [null, null];
              const cells = [
                fmt.count(v.users),
                <span>
                  {fmt.value(m.cuped.applied ? (v.adjusted_mean ?? v.mean) : v.mean, format)}
                  <span class="sub">{fmt.ratio(v.sum, denominator(v), format)}</span>
                </span>,
                c ? fmt.difference(c.difference, format) : "baseline",
                c ? <span class={VERDICT_TONE[c.verdict]}>{fmt.lift(c.relative_lift)}</span> : "—",
                c ? fmt.interval(lo, hi, fmt.lift) : "—",
                ...(bayesian
                  ? [
                      // A share of the lift (src/stats/bayesian.ts): what shipping would give up on average.
                      c && c.expected_loss !== null ? fmt.level(c.expected_loss) : "—",
                    ]
                  : [c ? fmtP(c.p_value) : "—"]),
                ...(adjusted ? [c ? fmtP(c.p_value_adjusted) : "—"] : []),
                c ? fmt.chance(c.chance_to_beat_control) : "—",
              ];
              return (
                <tr key={v.variant_id} class={c ? `row-${VERDICT_TONE[c.verdict]}` : "row-control"}>
                  <th scope="row">
                    {name(v.variant_id)}{" "}
                    {c ? (
                      untrusted && (c.verdict === "winning" || c.verdict === "losing") ? (
                        <span class="badge" title={`${VERDICT_BADGE[c.verdict]}, but the sample ratio check failed`}>
                          untrusted
                        </span>
                      ) : (
                        <span class={`badge verdict-${c.verdict}`}>{VERDICT_BADGE[c.verdict]}</span>
                      )
                    ) : (
                      <span class="badge">control</span>
                    )}
                  </th>
                  {cells.map((cell, i) => (
                    <td class="num" data-label={columns[i]} key={columns[i]}>
                      {cell}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {m.comparisons.length > 0 && (
        <>
          <ul class="verdicts">
            {m.comparisons.map((c) => (
              <li key={c.variant_id} class={`verdict verdict-${VERDICT_TONE[c.verdict]}`} data-testid="verdict">
                {verdictLine({
                  variant: name(c.variant_id),
                  metric: m.name,
                  direction: m.direction,
                  comparison: c,
                  reading,
                  guardrail,
                  format,
                  f: fmt,
                })}
              </li>
            ))}
          </ul>
          <IntervalChart
            metric={m.metric_name}
            interval={intervalLabel}
            rows={m.comparisons.map((c) => {
              const [low, high] = liftInterval(c, reading.engine);
              // As the badges: an untrusted (SRM) result is drawn neither good nor bad.
              const tone = untrusted && c.verdict !== "guardrail_failed" ? "flat" : VERDICT_TONE[c.verdict];
              return { label: name(c.variant_id), lift: c.relative_lift, low, high, tone };
            })}
          />
        </>
      )}
    </article>
  );
}
