import { useCallback, useEffect, useState } from "preact/hooks";
import { api, unwrap } from "../api/client";
import type { Experiment } from "../api/types";
import { canWrite, useMe } from "../auth/session-context";
import { Link, navigate } from "../router";
import { ChangeHistory } from "../ui/ChangeHistory";
import { DangerZone } from "../ui/DangerZone";
import { fmtDate } from "../ui/format";
import { Badge, ErrorBox, Loading } from "../ui/status";
import { useAsync } from "../ui/use-async";
import { IntegrationPanel } from "./IntegrationPanel";
import { Lifecycle } from "./Lifecycle";
import { Results } from "./Results";
import { suggestedWinner } from "./results/verdict";
import { TableWrap, TableHead } from "../ui/TableWrap";
import type { Analysis } from "./results/types";

export function ExperimentDetail({ id }: { id: string }) {
  const loaded = useAsync(() => unwrap(api["ab-testing"].experiments[":id"].$get({ param: { id } })), [id]);
  // Lifecycle answers carry the updated experiment; show it without another round trip.
  const [override, setOverride] = useState<Experiment | null>(null);
  useEffect(() => setOverride(null), [loaded.data]);
  const experiment = override ?? loaded.data;

  if (loaded.status === "error" && !experiment) return <ErrorBox error={loaded.error} onRetry={loaded.reload} />;
  if (!experiment) return <Loading label="Loading experiment…" />;
  return <Detail experiment={experiment} onChanged={setOverride} />;
}

function Detail({ experiment: e, onChanged }: { experiment: Experiment; onChanged: (e: Experiment) => void }) {
  const me = useMe();
  const writable = canWrite(me);
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const remove = async () => {
    try {
      await unwrap(api["ab-testing"].experiments[":id"].$delete({ param: { id: e.id } }));
      navigate("/experiments");
    } catch (err) {
      setDeleteError(err);
    }
  };
  const winner = e.variants.find((v) => v.id === e.winner_variant_id);
  // From the latest analysis: "Complete…" pre-selects it and the variant rows mark it.
  const [suggested, setSuggested] = useState<string | null>(null);
  const onAnalysis = useCallback((a: Analysis) => setSuggested(suggestedWinner(a.metrics, a.srm)), []);
  const marked = e.status === "completed" ? e.winner_variant_id : suggested;

  return (
    <article aria-labelledby="detail-h">
      <p class="crumbs">
        <Link href="/experiments">Experiments</Link> / <span class="mono">{e.key}</span>
      </p>
      <div class="page-head">
        <h1 id="detail-h">
          {e.experiment_name} <Badge kind={e.status}>{e.status}</Badge>
        </h1>
        {writable && (
          <div class="row-actions">
            {e.status !== "completed" && (
              <Link href={`/experiments/${encodeURIComponent(e.id)}/edit`} class="btn">
                Edit
              </Link>
            )}
            <Link href={`/experiments/new?copy=${encodeURIComponent(e.id)}`} class="btn">
              Duplicate
            </Link>
          </div>
        )}
      </div>
      {writable && <Lifecycle experiment={e} onChanged={onChanged} suggestedWinner={suggested} />}

      <dl class="facts">
        <div>
          <dt>Primary metric</dt>
          <dd>{e.primary_metric ?? "—"}</dd>
        </div>
        <div>
          <dt>Coverage</dt>
          <dd>{e.coverage}%</dd>
        </div>
        <div>
          <dt>Seed</dt>
          <dd class="mono">{e.seed}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{fmtDate(e.created_at)}</dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>{fmtDate(e.started_at)}</dd>
        </div>
        <div>
          <dt>Completed</dt>
          <dd>{fmtDate(e.completed_at)}</dd>
        </div>
        <div>
          <dt>Targeting</dt>
          <dd class={e.targeting ? "mono small break" : undefined}>
            {e.targeting ? JSON.stringify(e.targeting) : "Everyone"}
          </dd>
        </div>
        {e.namespace && (
          <div>
            <dt>Namespace</dt>
            <dd class="mono">
              {e.namespace.key} [{e.namespace.start}, {e.namespace.end})
            </dd>
          </div>
        )}
        {e.scheduled_start_at && (
          <div>
            <dt>Scheduled start</dt>
            <dd>{fmtDate(e.scheduled_start_at)}</dd>
          </div>
        )}
        {e.scheduled_end_at && (
          <div>
            <dt>Scheduled end</dt>
            <dd>{fmtDate(e.scheduled_end_at)}</dd>
          </div>
        )}
        {e.status === "completed" && (
          <div>
            <dt>Winner</dt>
            <dd>{winner ? winner.variant_name : "None (control served)"}</dd>
          </div>
        )}
      </dl>
      {e.hypothesis && (
        <p>
          <strong>Hypothesis:</strong> {e.hypothesis}
        </p>
      )}
      {e.description && <p class="muted">{e.description}</p>}

      <section aria-labelledby="variants-h">
        <h2 id="variants-h">Variants</h2>
        <div class="split" aria-hidden="true">
          {e.variants.map((v, i) => (
            <span key={v.id} class={`split-seg seg-${i % 6}`} style={{ width: `${v.traffic_percentage}%` }} />
          ))}
        </div>
        <TableWrap label="Variants table">
          <table>
            <TableHead columns={["Name", "Key", "Type", { label: "Traffic", num: true }, "Model version", "Config"]} />
            <tbody>
              {e.variants.map((v, i) => (
                <tr key={v.id}>
                  <th scope="row">
                    <span class={`swatch seg-${i % 6}`} aria-hidden="true" />
                    {v.variant_name}
                    {v.id === marked && (
                      <span class="badge verdict-winning" data-testid="winner-mark">
                        {e.status === "completed" ? "winner" : "winning"}
                      </span>
                    )}
                  </th>
                  <td class="mono">{v.key}</td>
                  <td>{v.variant_type}</td>
                  <td class="num">{v.traffic_percentage}%</td>
                  <td>{v.model_version ?? "—"}</td>
                  <td class="mono small">{v.config ? JSON.stringify(v.config) : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </section>

      <IntegrationPanel experiment={e} />

      <Results experiment={e} writable={writable} onChanged={onChanged} onAnalysis={onAnalysis} />

      {/* Who changed what, the scheduler's starts, ends and refused starts included. */}
      <ChangeHistory
        headingId="experiment-history-h"
        deps={[e.id, e.updated_at, e.status]}
        labels={new Map(e.variants.map((v) => [v.id, v.key]))}
        load={(cursor) =>
          unwrap(
            api["ab-testing"].experiments[":id"].history.$get({ param: { id: e.id }, query: cursor ? { cursor } : {} }),
          )
        }
      />

      {writable && e.status !== "running" && (
        <DangerZone headingId="danger-h" label="Delete experiment…" subject={e.key} onDelete={remove}>
          {deleteError !== null && <ErrorBox error={deleteError} />}
        </DangerZone>
      )}
    </article>
  );
}
