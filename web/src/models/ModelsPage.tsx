import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { streaming, unwrap } from "../api/client";
import type { ModelsSummary } from "../api/types";
import { ConnectionPill } from "../live/ConnectionPill";
import { type ConnectionStatus, connectLive } from "../live/socket";
import { TimeChart } from "../live/TimeChart";
import type { Unit } from "../live/units";
import { navigate, useLocation } from "../router";
import { csvFileName, saveCsv } from "../ui/csv";
import { fmtConfidence, fmtMs, fmtNum, fmtPct, fmtTime } from "../ui/format";
import { Empty, ErrorBox, Loading } from "../ui/status";
import { TableHead, TableWrap } from "../ui/TableWrap";
import { throttled } from "../ui/throttle";
import { modelCsv } from "./model-csv";
import { parseWindow, versionLabel, versionNotes, WINDOWS, windowOf, windowSearch } from "./compare";

/** New predictions refresh the page at most this often (a busy model sends thousands a second). */
const REFRESH_MS = 5000;
const CONFIDENCE_UNIT: Unit = { symbol: "%", count: false };
const LATENCY_UNIT: Unit = { symbol: "ms", count: false };

type Model = ModelsSummary["models"][number];
type Version = Model["versions"][number];
type SeriesPoint = Version["series"][number];

/** Three significant figures at most, never rounding away the integer part: 4.27, 22.9, 1234. */

/** The summary for `seconds`, fetched again (throttled) whenever the live socket reports predictions. */
function useModels(seconds: number) {
  const [state, setState] = useState<{ data: ModelsSummary | null; error: unknown }>({ data: null, error: null });
  const [status, setStatus] = useState<ConnectionStatus>("connecting");
  const generation = useRef(0);
  const socketRef = useRef<ReturnType<typeof connectLive> | null>(null);
  useEffect(() => {
    const load = async () => {
      const gen = ++generation.current;
      try {
        const data = await unwrap(streaming.models.$get({ query: { window: String(seconds) } }));
        if (gen === generation.current) setState({ data, error: null });
      } catch (error) {
        if (gen === generation.current) setState((s) => ({ ...s, error }));
      }
    };
    setState({ data: null, error: null });
    load();
    const refresh = throttled(load, REFRESH_MS);
    const socket = connectLive((m) => {
      if (m.type === "predictions" || m.type === "prediction") refresh.soon();
    }, setStatus);
    socketRef.current = socket;
    return () => {
      generation.current++;
      socket.close();
      refresh.cancel();
    };
  }, [seconds]);
  return { ...state, status, reconnect: () => socketRef.current?.reconnect() };
}

export function ModelsPage() {
  const { query } = useLocation();
  const key = parseWindow(query);
  const window = windowOf(key);
  const { data, error, status, reconnect } = useModels(window.seconds);

  return (
    <section aria-labelledby="models-h">
      <div class="page-head">
        <h1 id="models-h">Models</h1>
        <div class="toolbar">
          <ConnectionPill status={status} onReconnect={reconnect} />
          <label for="models-window">Window</label>
          <select
            id="models-window"
            value={key}
            onChange={(e) =>
              navigate(`/models${windowSearch(parseWindow(new URLSearchParams({ window: e.currentTarget.value })))}`)
            }
          >
            {WINDOWS.map((w) => (
              <option key={w.key} value={w.key}>
                {w.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p class="muted">
        Predictions per model and version: volume, confidence and latency. Each version is compared with the model's
        busiest one, so a canary shows how it differs from the version it would replace. Updates as predictions arrive.
      </p>
      {error !== null && <ErrorBox error={error} />}
      {data === null && error === null && <Loading label="Loading models…" />}
      {data !== null &&
        (data.models.length === 0 ? (
          <Empty>
            No predictions in the {window.label.toLowerCase()}. Post them with{" "}
            <code>POST /api/v1/streaming-analytics/predictions</code> (<code>model_name</code>,{" "}
            <code>model_version</code>, <code>confidence</code>, <code>latency_ms</code>).
          </Empty>
        ) : (
          <>
            {data.models.map((m) => (
              <ModelCard key={m.model_name} model={m} stepSeconds={data.step_seconds} />
            ))}
            {data.models_omitted > 0 && (
              <p class="muted">
                {data.models_omitted} less busy model{data.models_omitted === 1 ? "" : "s"} not shown.
              </p>
            )}
          </>
        ))}
    </section>
  );
}

function ModelCard({ model, stepSeconds }: { model: Model; stepSeconds: number }) {
  const reference = model.versions[0];
  const id = `model-${model.model_name.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  return (
    <article class="card model-card" aria-labelledby={id} data-testid="model-card">
      <h2 id={id}>
        {model.model_name}
        <button
          type="button"
          class="btn btn-small chart-csv"
          aria-label={`Download ${model.model_name} as CSV`}
          onClick={() => saveCsv(csvFileName(`${model.model_name}-models`, new Date()), modelCsv(model, stepSeconds))}
        >
          CSV
        </button>
      </h2>
      <p class="muted small">
        {fmtNum(model.predictions)} prediction{model.predictions === 1 ? "" : "s"} · {model.versions.length} version
        {model.versions.length === 1 ? "" : "s"}
      </p>
      <TableWrap label={`Versions of ${model.model_name}`}>
        <table data-testid="model-versions">
          <TableHead
            columns={[
              "Version",
              { label: "Predictions", num: true },
              { label: "Share", num: true },
              { label: "Mean confidence", num: true },
              { label: "Confidence p10 · p50 · p90", num: true },
              { label: "Latency p50 · p95 · p99", num: true },
              "Last prediction",
              "Compared with the busiest",
            ]}
          />
          <tbody>
            {model.versions.map((v) => {
              const notes = versionNotes(v, reference);
              const q = v.confidence.quantiles;
              const lat = v.latency_ms?.quantiles;
              return (
                <tr key={versionLabel(v.model_version)}>
                  <th scope="row">{versionLabel(v.model_version)}</th>
                  <td class="num">{fmtNum(v.predictions)}</td>
                  <td class="num">{fmtPct(v.share)}</td>
                  <td class="num">{fmtConfidence(v.confidence.mean)}</td>
                  <td class="num">
                    {fmtConfidence(q.p10)} · {fmtConfidence(q.p50)} · {fmtConfidence(q.p90)}
                  </td>
                  <td class="num">{lat ? `${fmtMs(lat.p50)} · ${fmtMs(lat.p95)} · ${fmtMs(lat.p99)} ms` : "—"}</td>
                  <td>{fmtTime(v.last_at)}</td>
                  <td>
                    {v === reference ? (
                      <span class="muted">reference</span>
                    ) : notes.length === 0 ? (
                      <span class="muted">no notable difference</span>
                    ) : (
                      <ul class="version-notes">
                        {notes.map((n) => (
                          <li key={n.text} class={n.worse ? "worse" : undefined}>
                            {n.text}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableWrap>
      <ModelCharts model={model} />
    </article>
  );
}

/** Mean confidence and p95 latency per step, one line per version. */
function ModelCharts({ model }: { model: Model }) {
  const xs = useMemo(() => (model.versions[0]?.series ?? []).map((p) => Date.parse(p.t) / 1000), [model]);
  // Every version is in both charts (one without latency has no line), so a version keeps its colour.
  const charts = useMemo(() => {
    const chart = (
      title: string,
      unit: Unit,
      point: (p: SeriesPoint) => number | null,
      value: (v: Version) => string | null,
    ) => {
      const said = model.versions.flatMap((v) => {
        const text = value(v);
        return text === null ? [] : [`${versionLabel(v.model_version)} ${text}`];
      });
      return {
        title,
        unit,
        series: model.versions.map((v) => ({ label: versionLabel(v.model_version), values: v.series.map(point) })),
        label: `${title} of ${model.model_name} over time: ${said.join(", ")}.`,
        drawn: said.length > 0,
      };
    };
    return [
      chart(
        "Mean confidence",
        CONFIDENCE_UNIT,
        // Drawn in percent, as the table writes it (fmtConfidence).
        (p) => (p.mean_confidence === null ? null : p.mean_confidence * 100),
        (v) => fmtConfidence(v.confidence.mean),
      ),
      chart(
        "p95 latency",
        LATENCY_UNIT,
        (p) => p.latency_p95_ms,
        (v) => (v.latency_ms ? `${fmtMs(v.latency_ms.quantiles.p95)} ms` : null),
      ),
    ].filter((c) => c.drawn);
  }, [model]);
  return (
    <ul class="charts">
      {charts.map((c) => (
        <li class="card" key={c.title}>
          <h3>{c.title}</h3>
          <TimeChart xs={xs} series={c.series} unit={c.unit} label={c.label} />
        </li>
      ))}
      {model.versions.length > 1 && (
        <li class="wide">
          <ul class="chart-legend small" aria-label={`Versions of ${model.model_name} in the charts`}>
            {model.versions.map((v, i) => (
              <li key={versionLabel(v.model_version)}>
                <span class={`swatch swatch-${i % 6}`} aria-hidden="true" /> {versionLabel(v.model_version)}
              </li>
            ))}
          </ul>
        </li>
      )}
    </ul>
  );
}
