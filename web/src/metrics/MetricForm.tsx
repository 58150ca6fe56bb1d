import { useEffect, useState } from "preact/hooks";
import { CAPPING_TYPES, DIRECTIONS, FORMATS, METRIC_KINDS } from "../../../src/metrics/model";
import { ApiError, api, unwrap } from "../api/client";
import { canWrite, useMe } from "../auth/session-context";
import { Link, navigate } from "../router";
import { ChangeHistory } from "../ui/ChangeHistory";
import { DangerZone } from "../ui/DangerZone";
import { keepUnfixed, plainErrors, refusalMessage } from "../ui/form-errors";
import { ErrorSummary, Field, useDraft } from "../ui/Field";
import { ErrorBox, Loading } from "../ui/status";
import { useAsync } from "../ui/use-async";
import { defineMetricHref, findMetricByKey, type Metric } from "./catalogue";
import { CAPPING_LABELS, DIRECTION_LABELS, FORMAT_LABELS, KIND_LABELS } from "./labels";
import { emptyMetricDraft, type MetricDraft, metricBody, metricDraftOf, metricFieldLabel } from "./metric-draft";

/** `/metrics/new` (prefilled from `?name=`) and `/metrics/<key>`. */
export function MetricForm({ metricKey, prefill }: { metricKey?: string; prefill?: string }) {
  const existing = useAsync(
    () => (metricKey === undefined ? Promise.resolve(null) : findMetricByKey(metricKey)),
    [metricKey],
  );
  if (existing.status === "error") return <ErrorBox error={existing.error} onRetry={existing.reload} />;
  if (existing.status === "loading") return <Loading label="Loading metric…" />;
  if (metricKey !== undefined && existing.data === null)
    return (
      <section>
        <h1>Metric not found</h1>
        <p>
          No metric has the key <code>{metricKey}</code>. <Link href={defineMetricHref(metricKey)}>Define it</Link> or{" "}
          <Link href="/metrics">go to the catalogue</Link>.
        </p>
      </section>
    );
  return <MetricFormBody key={metricKey ?? `new:${prefill ?? ""}`} metric={existing.data} prefill={prefill} />;
}

function MetricFormBody({ metric, prefill }: { metric: Metric | null; prefill: string | undefined }) {
  const writable = canWrite(useMe());
  const [draft, setDraft, latest] = useDraft<MetricDraft>(() =>
    metric ? metricDraftOf(metric) : emptyMetricDraft(prefill),
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof MetricDraft>(k: K, v: MetricDraft[K]) => {
    const next = setDraft((d) => ({ ...d, [k]: v }));
    // An error goes as soon as its field is right; the others stay until theirs are.
    if (Object.keys(errors).length === 0) return;
    // A server-only error inside the edited field (`capping.value` when capping changes) goes with it.
    const left = keepUnfixed(errors, metricBody(next).errors, (p) => p in LOCAL_PATHS || p.startsWith(`${k}.`), k);
    setErrors(left);
    if (Object.keys(left).length === 0) setMessage(null);
  };

  useEffect(() => {
    if (message || Object.keys(errors).length) document.getElementById("form-errors")?.focus();
  }, [message]);

  const submit = async (e: Event) => {
    e.preventDefault();
    const { body, errors: local } = metricBody(latest.current);
    if (Object.keys(local).length) {
      setErrors(local);
      setMessage("The metric was not saved. Please fix:");
      return;
    }
    setBusy(true);
    setErrors({});
    setMessage(null);
    try {
      if (metric) await unwrap(api["ab-testing"].metrics[":id"].$patch({ param: { id: metric.id }, json: body }));
      else await unwrap(api["ab-testing"].metrics.$post({ json: body }));
      navigate("/metrics");
    } catch (err) {
      if (err instanceof ApiError) {
        setErrors(plainErrors(err.fieldErrors()));
        setMessage(
          err.status === 409 ? `A metric with the key "${body.key}" exists already.` : refusalMessage(err, "metric"),
        );
      } else setMessage(String(err));
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!metric) return;
    try {
      await unwrap(api["ab-testing"].metrics[":id"].$delete({ param: { id: metric.id } }));
      navigate("/metrics");
    } catch (err) {
      setMessage(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <section aria-labelledby="metric-form-h">
      <p class="crumbs">
        <Link href="/metrics">Metrics</Link>
        {metric && (
          <>
            {" / "}
            <span class="mono">{metric.key}</span>
          </>
        )}
      </p>
      <h1 id="metric-form-h">{metric ? `Edit ${metric.name}` : "New metric"}</h1>
      <form class="form" onSubmit={submit} noValidate>
        <ErrorSummary errors={errors} message={message} labelOf={metricFieldLabel} />
        <fieldset disabled={!writable}>
          <legend>Metric</legend>
          <div class="grid-2">
            <Field
              path="key"
              label="Key"
              error={errors.key}
              help={
                metric
                  ? "The metric_name of the results it reads. Not renamed while a running experiment reads it: older results keep the old name."
                  : "The metric_name your results carry, exactly (case counts)."
              }
            >
              {(a) => (
                <input
                  {...a}
                  class="mono"
                  required
                  value={draft.key}
                  onInput={(e) => set("key", e.currentTarget.value)}
                />
              )}
            </Field>
            <Field path="name" label="Name" error={errors.name} help="Shown on results; defaults to the key.">
              {(a) => <input {...a} value={draft.name} onInput={(e) => set("name", e.currentTarget.value)} />}
            </Field>
            <Field path="kind" label="Kind" error={errors.kind} help={KIND_LABELS[draft.kind].help}>
              {(a) => (
                <select
                  {...a}
                  value={draft.kind}
                  onChange={(e) => {
                    const kind = METRIC_KINDS.find((k) => k === e.currentTarget.value);
                    if (!kind) return;
                    // A conversion reads best as a rate: suggest the percent format with it.
                    setDraft((d) => ({
                      ...d,
                      kind,
                      ...(kind === "binomial" && d.format === "number" ? { format: "percent" } : {}),
                    }));
                  }}
                >
                  {METRIC_KINDS.map((k) => (
                    <option key={k} value={k}>
                      {KIND_LABELS[k].label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field
              path="direction"
              label="Good when"
              error={errors.direction}
              help="Verdicts follow it: a latency wins when it falls."
            >
              {(a) => (
                <select
                  {...a}
                  value={draft.direction}
                  onChange={(e) => {
                    const d = DIRECTIONS.find((x) => x === e.currentTarget.value);
                    if (d) set("direction", d);
                  }}
                >
                  {DIRECTIONS.map((d) => (
                    <option key={d} value={d}>
                      {DIRECTION_LABELS[d]}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field path="format" label="Format" error={errors.format}>
              {(a) => (
                <select
                  {...a}
                  value={draft.format}
                  onChange={(e) => {
                    const f = FORMATS.find((x) => x === e.currentTarget.value);
                    if (f) set("format", f);
                  }}
                >
                  {FORMATS.map((f) => (
                    <option key={f} value={f}>
                      {FORMAT_LABELS[f]}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {draft.format === "currency" && (
              <Field path="currency" label="Currency" error={errors.currency} help="ISO 4217 code, e.g. USD, EUR.">
                {(a) => (
                  <input
                    {...a}
                    class="mono"
                    maxLength={3}
                    autocomplete="off"
                    value={draft.currency}
                    onInput={(e) => set("currency", e.currentTarget.value)}
                  />
                )}
              </Field>
            )}
          </div>
          <Field path="description" label="Description" error={errors.description}>
            {(a) => (
              <textarea
                {...a}
                rows={2}
                value={draft.description}
                onInput={(e) => set("description", e.currentTarget.value)}
              />
            )}
          </Field>
          <div class="grid-2">
            <Field
              path="capping"
              label="Capping"
              error={errors.capping}
              help={
                draft.capping
                  ? CAPPING_LABELS[draft.capping].help
                  : "Tames outliers (a few huge orders) before any statistic."
              }
            >
              {(a) => (
                <select
                  {...a}
                  value={draft.capping}
                  onChange={(e) => set("capping", CAPPING_TYPES.find((t) => t === e.currentTarget.value) ?? "")}
                >
                  <option value="">No capping</option>
                  {CAPPING_TYPES.map((t) => (
                    <option key={t} value={t}>
                      {CAPPING_LABELS[t].label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {draft.capping && (
              <Field path="capping.value" label="Cap value" error={errors["capping.value"]}>
                {(a) => (
                  <input
                    {...a}
                    type="number"
                    inputMode="decimal"
                    step="any"
                    value={draft.capping_value}
                    onInput={(e) => set("capping_value", e.currentTarget.value)}
                  />
                )}
              </Field>
            )}
          </div>
        </fieldset>
        {writable && (
          <div class="actions">
            <button type="submit" class="btn btn-primary" disabled={busy}>
              {busy ? "Saving…" : metric ? "Save metric" : "Create metric"}
            </button>
            <Link href="/metrics" class="btn">
              Cancel
            </Link>
          </div>
        )}
      </form>
      {metric && (
        <div class="form-width">
          <ChangeHistory
            headingId="metric-history-h"
            deps={[metric.id]}
            load={(cursor) =>
              unwrap(
                api["ab-testing"].metrics[":id"].history.$get({
                  param: { id: metric.id },
                  query: cursor ? { cursor } : {},
                }),
              )
            }
          />
        </div>
      )}
      {writable && metric && (
        <DangerZone
          headingId="metric-danger-h"
          label="Delete metric…"
          subject={metric.key}
          onDelete={remove}
          help="Its results stay; they are then analysed as an undefined metric (sum per user, number)."
        />
      )}
    </section>
  );
}

// Paths metricBody checks: when it stops reporting them they are fixed, whichever field changed.
const LOCAL_PATHS = { key: 1, currency: 1, "capping.value": 1 };
