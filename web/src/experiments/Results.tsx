import { useEffect } from "preact/hooks";
import { api, unwrap } from "../api/client";
import type { Experiment } from "../api/types";
import { csvFileName, saveCsv } from "../ui/csv";
import { fmtPEquals } from "../ui/format";
import { Empty, ErrorBox, Loading } from "../ui/status";
import { useAsync } from "../ui/use-async";
import { AnalysisSettings } from "./results/AnalysisSettings";
import { CumulativeChart } from "./results/CumulativeChart";
import { resultsCsv } from "./results/csv";
import { MetricCard } from "./results/MetricCard";
import { Progress } from "./results/Progress";
import "./results/results.css";
import type { Analysis, AnalysisMetric } from "./results/types";
import { type Reading, srmState } from "./results/verdict";

const REFRESH_MS = 15_000;

interface Props {
  experiment: Experiment;
  writable: boolean;
  /** The experiment after a settings change (PATCH answers with it). */
  onChanged: (e: Experiment) => void;
  /** Each analysis as it arrives (the page suggests the winner from it). */
  onAnalysis?: (a: Analysis) => void;
}

/** Saves the analysis as shown as a CSV file. */
const downloadCsv = (experiment: Experiment, a: Analysis) =>
  saveCsv(csvFileName(`${experiment.key}-results`, new Date()), resultsCsv(a, experiment.variants));

export function Results({ experiment, writable, onChanged, onAnalysis }: Props) {
  const results = useAsync(
    () => unwrap(api["ab-testing"].experiments[":id"].results.$get({ param: { id: experiment.id } })),
    // Any saved change (settings, planned users, status) can change the reading.
    [experiment.id, experiment.status, experiment.updated_at],
  );
  // A running experiment keeps collecting: refresh quietly while this page is visible.
  useEffect(() => {
    if (experiment.status !== "running") return;
    const t = setInterval(() => document.visibilityState === "visible" && results.reload(), REFRESH_MS);
    return () => clearInterval(t);
  }, [experiment.status, results.reload]);
  useEffect(() => {
    if (results.data) onAnalysis?.(results.data);
  }, [results.data, onAnalysis]);

  const names = new Map(experiment.variants.map((v) => [v.id, v.variant_name]));
  const name = (id: string | null | undefined) => (id ? (names.get(id) ?? id) : "—");
  const order = experiment.variants.map((v) => v.id);
  const a = results.data;
  const reading: Reading | null = a ? a.analysis_settings : null;
  const card = (m: AnalysisMetric) =>
    reading && (
      <MetricCard
        key={m.metric_name}
        metric={m}
        reading={reading}
        name={name}
        order={order}
        untrusted={a ? srmState(a.srm) === "mismatch" : false}
      />
    );
  const decided = a?.metrics.filter((m) => m.role !== "guardrail") ?? [];
  const guardrails = a?.metrics.filter((m) => m.role === "guardrail") ?? [];

  return (
    <section aria-labelledby="results-h" class="results">
      <div class="page-head">
        <h2 id="results-h">Results</h2>
        <div class="row-actions">
          {a && a.metrics.length > 0 && (
            <button type="button" class="btn btn-small" onClick={() => downloadCsv(experiment, a)}>
              Download CSV
            </button>
          )}
          <button type="button" class="btn btn-small" onClick={results.reload} disabled={results.status === "loading"}>
            {results.status === "loading" && results.data ? "Refreshing…" : "Refresh"}
          </button>
        </div>
      </div>
      {results.status === "error" && <ErrorBox error={results.error} onRetry={results.reload} />}
      {results.status === "loading" && !a && <Loading label="Computing results…" />}
      {a && (
        <>
          <Srm srm={a.srm} />
          <DataQuality q={a.data_quality} />
          <Progress experiment={experiment} analysis={a} name={name} writable={writable} onChanged={onChanged} />
          <AnalysisSettings experiment={experiment} writable={writable} onChanged={onChanged} />
          {a.metrics.length === 0 ? (
            <Empty>No metric results recorded yet. Send them with POST /experiments/:id/results.</Empty>
          ) : (
            <>
              {decided.map(card)}
              {guardrails.length > 0 && (
                <section class="guardrails" aria-labelledby="guardrails-h">
                  <h3 id="guardrails-h">Guardrails</h3>
                  <p class="muted small">
                    Metrics that must not get worse. They are never corrected for multiple comparisons, so a failed
                    guardrail is not explained away.
                  </p>
                  {guardrails.map(card)}
                </section>
              )}
              <CumulativeChart
                experimentId={experiment.id}
                metrics={a.metrics}
                name={name}
                order={order}
                version={`${experiment.updated_at}:${a.assignments.map((x) => x.users).join(",")}`}
              />
            </>
          )}
        </>
      )}
    </section>
  );
}

function Srm({ srm }: { srm: Analysis["srm"] }) {
  const state = srmState(srm);
  if (state === "mismatch")
    return (
      <div class="notice notice-error srm" role="alert" data-testid="srm-warning">
        <p>
          <strong>Sample ratio mismatch</strong> (exact binomial test, {fmtPEquals(srm.p_value)}). Users are not split
          the way the experiment is configured, so assignment or logging is broken somewhere. Do not trust these results
          until the cause is found.
        </p>
      </div>
    );
  return (
    <p class="muted small" data-testid="srm-status">
      {state === "passed"
        ? `Sample ratio check passed (exact binomial test, ${fmtPEquals(srm.p_value)}).`
        : `Sample ratio check: not enough data yet${srm.reason ? ` (${srm.reason})` : ""}.`}
    </p>
  );
}

function DataQuality({ q }: { q: Analysis["data_quality"] }) {
  const parts = [
    q.unexposed_results > 0 && `${q.unexposed_results} results of users never exposed`,
    q.anonymous_results > 0 && `${q.anonymous_results} results without user_id`,
  ].filter(Boolean);
  if (parts.length === 0) return null;
  return (
    <p class="notice" data-testid="data-quality">
      Not analysed: {parts.join(", ")}. Results count only for users exposed to the experiment (through /assign or POST
      /exposures).
    </p>
  );
}
