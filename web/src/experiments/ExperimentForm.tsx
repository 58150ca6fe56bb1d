import { useState } from "preact/hooks";
import { ApiError, api, unwrap } from "../api/client";
import { wholeList } from "../api/pages";
import type { Experiment } from "../api/types";
import { listAllMetrics } from "../metrics/catalogue";
import { Link, navigate } from "../router";
import { copyKey, copyName } from "../ui/copy-names";
import { ErrorSummary, Field, useDraft, useRefusalFocus } from "../ui/Field";
import { plainErrors, refusalMessage } from "../ui/form-errors";
import { ErrorBox, Loading } from "../ui/status";
import { useAsync } from "../ui/use-async";
import {
  type AudienceDraft,
  audienceBody,
  audiencePatch,
  audienceDraftOf,
  audienceErrors,
  deriveKey,
  EMPTY_AUDIENCE,
  fieldLabel,
  type NamespaceMember,
  namespaceNeighbours,
  namespaceQueryKey,
  newVariant,
  reconcileErrors,
  validateDraft,
} from "./form-logic";
import { MetricPicker, MetricsChecklist } from "./MetricPicker";
import { type VariantDraft, VariantsEditor } from "./VariantsEditor";
import { fitRows } from "../ui/fit-rows";

interface Draft extends AudienceDraft {
  key: string;
  experiment_name: string;
  description: string;
  hypothesis: string;
  primary_metric: string;
  secondary_metrics: string[];
  guardrail_metrics: string[];
  coverage: string;
  seed: string;
  variants: VariantDraft[];
}

function emptyDraft(): Draft {
  const control = newVariant([]);
  const first = { ...control, traffic_percentage: "50" };
  return {
    key: "",
    experiment_name: "",
    description: "",
    hypothesis: "",
    primary_metric: "",
    secondary_metrics: [],
    guardrail_metrics: [],
    coverage: "100",
    seed: "",
    variants: [first, newVariant([first])],
    ...EMPTY_AUDIENCE,
  };
}

const fromExperiment = (e: Experiment): Draft => ({
  key: e.key,
  experiment_name: e.experiment_name,
  description: e.description ?? "",
  hypothesis: e.hypothesis ?? "",
  primary_metric: e.primary_metric ?? "",
  secondary_metrics: [...e.secondary_metrics],
  guardrail_metrics: [...e.guardrail_metrics],
  coverage: String(e.coverage),
  seed: e.seed === e.key ? "" : (e.seed ?? ""),
  variants: e.variants.map((v) => ({
    id: v.id,
    key: v.key,
    variant_name: v.variant_name,
    variant_type: v.variant_type,
    traffic_percentage: String(v.traffic_percentage),
    model_version: v.model_version ?? "",
    config: v.config && Object.keys(v.config).length > 0 ? JSON.stringify(v.config) : "",
  })),
  ...audienceDraftOf(e),
});

/** The experiments in one namespace, following the cursor (for the overlap check); none asked: none. */
async function listNamespace(key: string | null): Promise<NamespaceMember[]> {
  if (key === null) return [];
  return (await wholeList(api["ab-testing"].experiments.$get, { namespace: key })).items;
}

/** Everything the form checks itself, by API path. */
const localErrors = (d: Draft, checkVariants: boolean): Record<string, string> => ({
  ...validateDraft(d, checkVariants),
  ...audienceBody(d).errors,
});

/** The API's variant bodies; validateDraft has already checked every number and config. */
const variantsBody = (variants: VariantDraft[]) =>
  variants.map((v) => ({
    key: v.key.trim(),
    variant_name: v.variant_name.trim() || v.key.trim(),
    variant_type: v.variant_type,
    traffic_percentage: Number(v.traffic_percentage),
    ...(v.model_version.trim() ? { model_version: v.model_version.trim() } : {}),
    config: v.config.trim() ? (JSON.parse(v.config) as Record<string, unknown>) : {},
  }));

/**
 * A new experiment that copies another: its setup, audience and metrics, under a new key and so a
 * new seed (the copy re-randomizes users instead of inheriting the original's split), with no
 * schedule (the original's dates have usually passed). Nothing is saved until it is created.
 */
function copyDraft(e: Experiment): Draft {
  const d = fromExperiment(e);
  return {
    ...d,
    key: copyKey(e.key),
    experiment_name: copyName(e.experiment_name),
    seed: "",
    // The copy's variants are new ones: without ids, nothing can be read as an edit of the original's.
    variants: d.variants.map(({ id: _id, ...v }) => v),
    scheduled_start: "",
    scheduled_end: "",
  };
}

/** `id`: edit that experiment; `copyOf`: a new one that copies it; neither: a new one. */
export function ExperimentForm({ id, copyOf }: { id?: string; copyOf?: string }) {
  const source = id ?? copyOf;
  const existing = useAsync(
    () =>
      source ? unwrap(api["ab-testing"].experiments[":id"].$get({ param: { id: source } })) : Promise.resolve(null),
    [source],
  );
  if (existing.status === "error") return <ErrorBox error={existing.error} onRetry={existing.reload} />;
  if (existing.status === "loading") return <Loading label="Loading experiment…" />;
  if (copyOf && existing.data) return <FormBody key={`copy:${copyOf}`} experiment={null} copied={existing.data} />;
  return <FormBody key={id ?? "new"} experiment={existing.data} />;
}

function FormBody({ experiment, copied }: { experiment: Experiment | null; copied?: Experiment }) {
  const [draft, setDraft, latest] = useDraft<Draft>(() =>
    experiment ? fromExperiment(experiment) : copied ? copyDraft(copied) : emptyDraft(),
  );
  // A new experiment's key follows its name until the key is typed into (then it is the user's);
  // a copy's key is already chosen.
  const [keyEdited, setKeyEdited] = useState(experiment !== null || copied !== undefined);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const refused = useRefusalFocus();
  const catalogue = useAsync(listAllMetrics, []);
  // Asked again as the key changes; an answer for an older key is dropped by useAsync, and
  // namespaceNeighbours ignores members of another namespace while the new answer is on its way.
  const namespaceKey = namespaceQueryKey(draft);
  const others = useAsync(() => listNamespace(namespaceKey), [namespaceKey]);
  const neighbours = namespaceNeighbours(others.data ?? [], experiment?.id ?? null, draft);
  const isDraft = !experiment || experiment.status === "draft";

  const change = (patch: Partial<Draft>, changed: string) => {
    const next = setDraft((d) => ({ ...d, ...patch }));
    if (Object.keys(errors).length === 0) return;
    const left = reconcileErrors(errors, localErrors(next, isDraft), changed);
    setErrors(left);
    // Everything fixed: the "not saved, please fix" line has nothing left to point at.
    if (Object.keys(left).length === 0) setMessage(null);
  };
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => change({ [k]: v } as Partial<Draft>, k);

  const submit = async (e: Event) => {
    e.preventDefault();
    const draft = latest.current;
    const local = localErrors(draft, isDraft);
    if (Object.keys(local).length) {
      setErrors(local);
      setMessage("The experiment was not saved. Please fix:");
      refused();
      return;
    }
    const common = {
      experiment_name: draft.experiment_name.trim(),
      description: draft.description.trim() || null,
      hypothesis: draft.hypothesis.trim() || null,
      primary_metric: draft.primary_metric || null,
      secondary_metrics: draft.secondary_metrics,
      guardrail_metrics: draft.guardrail_metrics,
      coverage: Number(draft.coverage),
    };
    const audience = audienceBody(draft).body;
    setBusy(true);
    setErrors({});
    setMessage(null);
    try {
      const variants = variantsBody(draft.variants);
      if (!experiment) {
        const created = await unwrap(
          api["ab-testing"].experiments.$post({
            json: {
              ...common,
              ...audience,
              key: draft.key.trim(),
              ...(draft.seed.trim() ? { seed: draft.seed.trim() } : {}),
              variants,
              // A copy reads its results as the original did (set on the results page, not in this form).
              ...(copied
                ? {
                    analysis_settings: copied.analysis_settings,
                    planned_users_per_variant: copied.planned_users_per_variant,
                  }
                : {}),
            },
          }),
        );
        navigate(`/experiments/${encodeURIComponent(created.id)}`);
      } else {
        await unwrap(
          api["ab-testing"].experiments[":id"].$patch({
            param: { id: experiment.id },
            // Variants and seed may change only in draft; sending them otherwise is a 409.
            json: {
              ...common,
              ...audiencePatch(audience, draft, audienceDraftOf(experiment)),
              ...(isDraft ? { key: draft.key.trim(), seed: draft.seed.trim() || null, variants } : {}),
            },
          }),
        );
        navigate(`/experiments/${encodeURIComponent(experiment.id)}`);
      }
    } catch (err) {
      if (err instanceof ApiError) {
        setErrors(plainErrors(audienceErrors(err.fieldErrors())));
        setMessage(
          // The API's detail ends with the lookup for API callers (": GET …?key="); the form has no use for it.
          err.status === 409 && !err.problem?.errors?.length && /already exists/.test(err.message)
            ? `${err.message.split(":")[0]}. Pick another key.`
            : refusalMessage(err, "experiment"),
        );
      } else setMessage(String(err));
      refused();
    } finally {
      setBusy(false);
    }
  };

  const title = experiment ? `Edit ${experiment.experiment_name}` : "New experiment";
  const metrics = catalogue.data ?? [];
  return (
    <section aria-labelledby="form-h">
      <p class="crumbs">
        <Link href="/experiments">Experiments</Link>
        {experiment && (
          <>
            {" / "}
            <Link href={`/experiments/${encodeURIComponent(experiment.id)}`}>{experiment.experiment_name}</Link>
          </>
        )}
      </p>
      <h1 id="form-h">{title}</h1>
      {copied && (
        <p class="notice" data-testid="copy-note">
          A copy of <Link href={`/experiments/${encodeURIComponent(copied.id)}`}>{copied.experiment_name}</Link>: its
          variants, metrics, audience, analysis settings and planned sample size under a new key, so users are
          randomized afresh (its seed is not copied), and no schedule. Nothing is saved until you create it.
        </p>
      )}
      <form class="form" onSubmit={submit} noValidate>
        <ErrorSummary errors={errors} message={message} labelOf={fieldLabel} />
        <div class="grid-2">
          <Field path="experiment_name" label="Name" error={errors.experiment_name}>
            {(a) => (
              <input
                {...a}
                required
                value={draft.experiment_name}
                onInput={(e) => {
                  const name = e.currentTarget.value;
                  change(
                    { experiment_name: name, ...(keyEdited ? {} : { key: deriveKey(name) }) },
                    keyEdited ? "experiment_name" : "key",
                  );
                }}
              />
            )}
          </Field>
          <Field
            path="key"
            label="Key"
            error={errors.key}
            help={
              isDraft
                ? `Your code asks for the experiment by this key. Lowercase letters, digits, _ and -.${keyEdited ? "" : " Follows the name until you edit it."}`
                : "Fixed once started: your code uses it."
            }
          >
            {(a) => (
              <input
                {...a}
                class="mono"
                required
                readOnly={!isDraft}
                value={draft.key}
                onInput={(e) => {
                  setKeyEdited(true);
                  set("key", e.currentTarget.value);
                }}
              />
            )}
          </Field>
        </div>
        <Field path="hypothesis" label="Hypothesis" error={errors.hypothesis} help="What you expect, and why.">
          {(a) => (
            <textarea
              {...a}
              rows={2}
              value={draft.hypothesis}
              onInput={(e) => set("hypothesis", e.currentTarget.value)}
            />
          )}
        </Field>
        <fieldset>
          <legend>Metrics</legend>
          {catalogue.status === "error" && <ErrorBox error={catalogue.error} onRetry={catalogue.reload} />}
          <p class="help">
            Picked from the <Link href="/metrics">metric catalogue</Link>, which says how each is read and which
            direction is good. <Link href="/metrics/new">Define a new metric</Link>.
          </p>
          <MetricPicker
            metrics={metrics}
            value={draft.primary_metric}
            error={errors.primary_metric}
            onChange={(v) => set("primary_metric", v)}
          />
          <div class="grid-2">
            <MetricsChecklist
              path="secondary_metrics"
              label="Secondary metrics"
              help="Also analysed and corrected for multiple comparisons."
              metrics={metrics}
              value={draft.secondary_metrics}
              errors={errors}
              onChange={(v) => set("secondary_metrics", v)}
            />
            <MetricsChecklist
              path="guardrail_metrics"
              label="Guardrail metrics"
              help="Must not get worse; shown in their own section."
              metrics={metrics}
              value={draft.guardrail_metrics}
              errors={errors}
              onChange={(v) => set("guardrail_metrics", v)}
            />
          </div>
        </fieldset>
        {isDraft ? (
          <VariantsEditor
            variants={draft.variants}
            onChange={(v, changed) => change({ variants: v }, changed)}
            errors={errors}
          />
        ) : (
          <p class="notice">Variants and their percentages are fixed once an experiment has started.</p>
        )}
        <Field
          path="coverage"
          label="Coverage %"
          error={errors.coverage}
          help={
            experiment && !isDraft
              ? "May rise while running, never fall."
              : "Share of users enrolled; the rest get the control and are not counted."
          }
        >
          {(a) => (
            <input
              {...a}
              type="number"
              min={0}
              max={100}
              step="0.01"
              class="narrow"
              value={draft.coverage}
              onInput={(e) => set("coverage", e.currentTarget.value)}
            />
          )}
        </Field>
        <fieldset>
          <legend>Audience and schedule</legend>
          <Field
            path="targeting"
            label="Targeting"
            error={errors.targeting}
            help="Who may enter: a condition over the attributes your code sends to /assign (docs/targeting.md). Blank: everyone. Changed while running, it never takes an exposed user out."
          >
            {(a) => (
              <textarea
                {...a}
                class="mono"
                rows={fitRows(draft.targeting, 2)}
                spellcheck={false}
                placeholder='{"country": {"$in": ["FR", "DE"]}}'
                value={draft.targeting}
                onInput={(e) => set("targeting", e.currentTarget.value)}
              />
            )}
          </Field>
          <div class="grid-3">
            <Field
              path="namespace.key"
              label="Namespace"
              error={errors["namespace.key"]}
              help={
                isDraft
                  ? "Optional. Experiments in one namespace whose ranges do not overlap never share a user."
                  : "Fixed once started: changing it would move users in or out."
              }
            >
              {(a) => (
                <input
                  {...a}
                  class="mono"
                  readOnly={!isDraft}
                  value={draft.namespace_key}
                  onInput={(e) => change({ namespace_key: e.currentTarget.value }, "namespace.key")}
                />
              )}
            </Field>
            <Field
              path="namespace.start"
              label="Range start (0-1)"
              error={errors["namespace.start"]}
              help="The share of the namespace this experiment takes: [start, end)."
            >
              {(a) => (
                <input
                  {...a}
                  inputMode="decimal"
                  readOnly={!isDraft}
                  value={draft.namespace_start}
                  onInput={(e) => change({ namespace_start: e.currentTarget.value }, "namespace.start")}
                />
              )}
            </Field>
            <Field path="namespace.end" label="Range end (0-1)" error={errors["namespace.end"]}>
              {(a) => (
                <input
                  {...a}
                  inputMode="decimal"
                  readOnly={!isDraft}
                  value={draft.namespace_end}
                  onInput={(e) => change({ namespace_end: e.currentTarget.value }, "namespace.end")}
                />
              )}
            </Field>
          </div>
          {neighbours.length > 0 && (
            <div class="namespace-neighbours" data-testid="namespace-neighbours">
              <p class="help">Also in {draft.namespace_key.trim()}:</p>
              <ul class="small">
                {neighbours.map((n) => (
                  <li key={`${n.name}-${n.start}`} class={n.overlaps ? "field-error" : undefined}>
                    {n.name} ({n.status}) [{n.start}, {n.end})
                    {n.overlaps && " overlaps this range: the two would share users"}
                  </li>
                ))}
              </ul>
            </div>
          )}
          <div class="grid-2">
            <Field
              path="scheduled_start_at"
              label="Scheduled start"
              error={errors.scheduled_start_at}
              help="A draft starts then, if it passes the start checks; otherwise the reason is in its history. Your time zone."
            >
              {(a) => (
                <input
                  {...a}
                  type="datetime-local"
                  value={draft.scheduled_start}
                  onInput={(e) => change({ scheduled_start: e.currentTarget.value }, "scheduled_start_at")}
                />
              )}
            </Field>
            <Field
              path="scheduled_end_at"
              label="Scheduled end"
              error={errors.scheduled_end_at}
              help="It is completed then, with no winner. Your time zone."
            >
              {(a) => (
                <input
                  {...a}
                  type="datetime-local"
                  value={draft.scheduled_end}
                  onInput={(e) => change({ scheduled_end: e.currentTarget.value }, "scheduled_end_at")}
                />
              )}
            </Field>
          </div>
        </fieldset>
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
        <details class="advanced" open={Boolean(errors.seed) || undefined}>
          <summary>Advanced: seed</summary>
          <Field
            path="seed"
            label="Seed"
            error={errors.seed}
            help={isDraft ? "Defaults to the key. Changing it reshuffles users." : "Fixed once started."}
          >
            {(a) => (
              <input
                {...a}
                class="mono"
                readOnly={!isDraft}
                value={draft.seed}
                placeholder={draft.key ? `${draft.key} (the key)` : "the key"}
                onInput={(e) => set("seed", e.currentTarget.value)}
              />
            )}
          </Field>
        </details>
        <div class="actions">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? "Saving…" : experiment ? "Save changes" : "Create experiment"}
          </button>
          <Link href={experiment ? `/experiments/${encodeURIComponent(experiment.id)}` : "/experiments"} class="btn">
            Cancel
          </Link>
        </div>
      </form>
    </section>
  );
}
