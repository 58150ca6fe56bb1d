import { useEffect } from "preact/hooks";
import { api, unwrap } from "../api/client";
import type { Experiment, MetricResult } from "../api/types";
import { fmtNum, fmtP, fmtPct, fmtPEquals, fmtSignedPct } from "../ui/format";
import { Empty, ErrorBox, Loading } from "../ui/status";
import { useAsync } from "../ui/use-async";
import { IntervalChart } from "./IntervalChart";
import { TableWrap, TableHead } from "../ui/TableWrap";

const REFRESH_MS = 15_000;

export function Results({ experiment }: { experiment: Experiment }) {
  const results = useAsync(
    () => unwrap(api["ab-testing"].experiments[":id"].results.$get({ param: { id: experiment.id } })),
    [experiment.id, experiment.status],
  );
  // A running experiment keeps collecting: refresh quietly while this page is visible.
  useEffect(() => {
    if (experiment.status !== "running") return;
    const t = setInterval(() => document.visibilityState === "visible" && results.reload(), REFRESH_MS);
    return () => clearInterval(t);
  }, [experiment.status, results.reload]);

  const names = new Map(experiment.variants.map((v) => [v.id, v.variant_name]));
  const name = (id: string | null | undefined) => (id ? (names.get(id) ?? id) : "—");
  const configured = new Map(experiment.variants.map((v) => [v.id, v.traffic_percentage]));

  return (
    <section aria-labelledby="results-h" class="results">
      <div class="page-head">
        <h2 id="results-h">Results</h2>
        <button type="button" class="btn btn-small" onClick={results.reload} disabled={results.status === "loading"}>
          {results.status === "loading" && results.data ? "Refreshing…" : "Refresh"}
        </button>
      </div>
      {results.status === "error" && <ErrorBox error={results.error} onRetry={results.reload} />}
      {results.status === "loading" && !results.data && <Loading label="Computing results…" />}
      {results.data && (
        <>
          {results.data.srm.mismatch ? (
            <div class="notice notice-error srm" role="alert" data-testid="srm-warning">
              <p>
                <strong>Sample ratio mismatch</strong> (χ² {fmtPEquals(results.data.srm.p_value)}). Users are not split
                the way the experiment is configured, so assignment or logging is broken somewhere. Do not trust these
                results until the cause is found.
              </p>
            </div>
          ) : (
            <p class="muted small">Sample ratio check passed (χ² {fmtPEquals(results.data.srm.p_value)}).</p>
          )}

          <h3>Users per variant</h3>
          <TableWrap label="Users per variant">
            <table>
              <TableHead
                columns={[
                  "Variant",
                  { label: "Users", num: true },
                  { label: "Observed", num: true },
                  { label: "Configured", num: true },
                ]}
              />
              <tbody>
                {results.data.assignments.map((a) => {
                  const total = results.data?.assignments.reduce((s, x) => s + x.users, 0) ?? 0;
                  return (
                    <tr key={a.variant_id}>
                      <th scope="row">{name(a.variant_id)}</th>
                      <td class="num">{fmtNum(a.users)}</td>
                      <td class="num">{total ? fmtPct(a.users / total) : "—"}</td>
                      <td class="num">{fmtNum(configured.get(a.variant_id))}%</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableWrap>

          {results.data.metrics.length === 0 ? (
            <Empty>No metric results recorded yet. Send them with POST /experiments/:id/results.</Empty>
          ) : (
            results.data.metrics.map((m) => (
              <MetricBlock
                key={m.metric_name}
                metric={m}
                primary={m.metric_name === experiment.primary_metric}
                name={name}
              />
            ))
          )}
        </>
      )}
    </section>
  );
}

function MetricBlock({
  metric,
  primary,
  name,
}: {
  metric: MetricResult;
  primary: boolean;
  name: (id: string | null | undefined) => string;
}) {
  const hid = `m-${metric.metric_name.replace(/[^A-Za-z0-9_-]/g, "-")}`;
  return (
    <article class="card metric-block" aria-labelledby={hid}>
      <h3 id={hid}>
        {metric.metric_name} {primary && <span class="badge badge-running">primary</span>}
      </h3>
      <TableWrap label={`${metric.metric_name} per variant`}>
        <table>
          <caption class="visually-hidden">{metric.metric_name} per variant</caption>
          <TableHead
            columns={[
              "Variant",
              { label: "Count", num: true },
              { label: "Mean", num: true },
              { label: "Std dev", num: true },
              { label: "Min", num: true },
              { label: "Max", num: true },
            ]}
          />
          <tbody>
            {metric.variants.map((v) => (
              <tr key={v.variant_id}>
                <th scope="row">{name(v.variant_id)}</th>
                <td class="num">{fmtNum(v.count)}</td>
                <td class="num">{fmtNum(v.mean)}</td>
                <td class="num">{fmtNum(v.stddev)}</td>
                <td class="num">{fmtNum(v.min)}</td>
                <td class="num">{fmtNum(v.max)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      {metric.comparisons.length > 0 && (
        <>
          <h4>Compared with {name(metric.comparisons[0]?.control_variant_id)}</h4>
          <TableWrap label={`${metric.metric_name} comparisons`}>
            <table>
              <caption class="visually-hidden">{metric.metric_name} comparisons with control</caption>
              <TableHead
                columns={[
                  "Variant",
                  { label: "Lift", num: true },
                  { label: "Difference", num: true },
                  { label: "95% interval", num: true },
                  { label: "p-value", num: true },
                  { label: "Chance to beat control", num: true },
                ]}
              />
              <tbody>
                {metric.comparisons.map((c) => (
                  <tr key={c.variant_id}>
                    <th scope="row">{name(c.variant_id)}</th>
                    <td class={`num ${liftTone(c.relative_lift, c.p_value)}`}>{fmtSignedPct(c.relative_lift)}</td>
                    <td class="num">{fmtNum(c.difference)}</td>
                    <td class="num">
                      {c.ci_low === null || c.ci_high === null ? "—" : `${fmtNum(c.ci_low)} to ${fmtNum(c.ci_high)}`}
                    </td>
                    <td class="num">
                      {fmtP(c.p_value)}
                      {c.p_value !== null && c.p_value < 0.05 && <span class="visually-hidden"> (significant)</span>}
                      {c.p_value !== null && c.p_value < 0.05 && <span aria-hidden="true"> ★</span>}
                    </td>
                    <td class="num">{fmtPct(c.chance_to_beat_control)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          <IntervalChart
            metric={metric.metric_name}
            rows={metric.comparisons.map((c) => ({ label: name(c.variant_id), c }))}
          />
        </>
      )}
    </article>
  );
}

const liftTone = (lift: number | null, p: number | null): string =>
  lift === null || p === null || p >= 0.05 ? "" : lift > 0 ? "pos" : "neg";
