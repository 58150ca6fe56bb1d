import { useEffect, useState } from "preact/hooks";
import { ApiError, api, unwrap } from "../api/client";
import type { Experiment } from "../api/types";
import { Link, navigate } from "../router";
import { ErrorSummary, Field } from "../ui/Field";
import { ErrorBox, Loading } from "../ui/status";
import { useAsync } from "../ui/use-async";
import { newVariant, type VariantDraft, VariantsEditor } from "./VariantsEditor";

interface Draft {
  key: string;
  experiment_name: string;
  description: string;
  hypothesis: string;
  primary_metric: string;
  coverage: string;
  seed: string;
  variants: VariantDraft[];
}

const emptyDraft = (): Draft => ({
  key: "",
  experiment_name: "",
  description: "",
  hypothesis: "",
  primary_metric: "",
  coverage: "100",
  seed: "",
  variants: [
    { ...newVariant(0), traffic_percentage: "50" },
    { ...newVariant(1), traffic_percentage: "50" },
  ],
});

const fromExperiment = (e: Experiment): Draft => ({
  key: e.key,
  experiment_name: e.experiment_name,
  description: e.description ?? "",
  hypothesis: e.hypothesis ?? "",
  primary_metric: e.primary_metric ?? "",
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
});

/** Turns the text fields into the API's body; JSON config errors are reported like server ones. */
function variantsBody(variants: VariantDraft[], errors: Record<string, string>) {
  return variants.map((v, i) => {
    let config: Record<string, unknown> = {};
    if (v.config.trim()) {
      try {
        const parsed: unknown = JSON.parse(v.config);
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error();
        config = parsed as Record<string, unknown>;
      } catch {
        errors[`variants.${i}.config`] = 'must be a JSON object, like {"color": "blue"}';
      }
    }
    return {
      key: v.key.trim(),
      variant_name: v.variant_name.trim(),
      variant_type: v.variant_type,
      // An empty box becomes NaN, which JSON sends as null: the server then names the field.
      traffic_percentage: v.traffic_percentage.trim() === "" ? Number.NaN : Number(v.traffic_percentage),
      ...(v.model_version.trim() ? { model_version: v.model_version.trim() } : {}),
      config,
    };
  });
}

export function ExperimentForm({ id }: { id?: string }) {
  const existing = useAsync(
    () => (id ? unwrap(api["ab-testing"].experiments[":id"].$get({ param: { id } })) : Promise.resolve(null)),
    [id],
  );
  if (existing.status === "error") return <ErrorBox error={existing.error} onRetry={existing.reload} />;
  if (existing.status === "loading") return <Loading label="Loading experiment…" />;
  return <FormBody key={id ?? "new"} experiment={existing.data} />;
}

function FormBody({ experiment }: { experiment: Experiment | null }) {
  const [draft, setDraft] = useState<Draft>(() => (experiment ? fromExperiment(experiment) : emptyDraft()));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const isDraft = !experiment || experiment.status === "draft";
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));

  useEffect(() => {
    if (message || Object.keys(errors).length) document.getElementById("form-errors")?.focus();
  }, [errors, message]);

  const submit = async (e: Event) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    const variants = variantsBody(draft.variants, local);
    if (Object.keys(local).length) {
      setErrors(local);
      setMessage(null);
      return;
    }
    const common = {
      experiment_name: draft.experiment_name.trim(),
      description: draft.description.trim() || null,
      hypothesis: draft.hypothesis.trim() || null,
      primary_metric: draft.primary_metric.trim() || null,
      coverage: draft.coverage.trim() === "" ? Number.NaN : Number(draft.coverage),
    };
    setBusy(true);
    setErrors({});
    setMessage(null);
    try {
      if (!experiment) {
        const created = await unwrap(
          api["ab-testing"].experiments.$post({
            json: {
              ...common,
              key: draft.key.trim(),
              ...(draft.seed.trim() ? { seed: draft.seed.trim() } : {}),
              variants,
            },
          }),
        );
        navigate(`/experiments/${encodeURIComponent(created.id)}`);
      } else {
        await unwrap(
          api["ab-testing"].experiments[":id"].$patch({
            param: { id: experiment.id },
            // Variants and seed may change only in draft; sending them otherwise is a 409.
            json: isDraft ? { ...common, key: draft.key.trim(), seed: draft.seed.trim() || null, variants } : common,
          }),
        );
        navigate(`/experiments/${encodeURIComponent(experiment.id)}`);
      }
    } catch (err) {
      if (err instanceof ApiError) {
        setErrors(err.fieldErrors());
        setMessage(err.problem?.errors?.length ? "The experiment was not saved. Please fix:" : err.message);
      } else setMessage(String(err));
    } finally {
      setBusy(false);
    }
  };

  const title = experiment ? `Edit ${experiment.experiment_name}` : "New experiment";
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
      <form class="form" onSubmit={submit} noValidate>
        <ErrorSummary errors={errors} message={message} />
        <div class="grid-2">
          <Field path="experiment_name" label="Name" error={errors.experiment_name}>
            {(a) => (
              <input
                {...a}
                required
                value={draft.experiment_name}
                onInput={(e) => set("experiment_name", e.currentTarget.value)}
              />
            )}
          </Field>
          <Field
            path="key"
            label="Key"
            error={errors.key}
            help={
              isDraft ? "Lowercase letters, digits, _ and -; unique. SDKs use it." : "Fixed once started: SDKs use it."
            }
          >
            {(a) => (
              <input
                {...a}
                class="mono"
                required
                readOnly={!isDraft}
                value={draft.key}
                onInput={(e) => set("key", e.currentTarget.value)}
              />
            )}
          </Field>
          <Field path="primary_metric" label="Primary metric" error={errors.primary_metric}>
            {(a) => (
              <input
                {...a}
                value={draft.primary_metric}
                placeholder="conversion"
                onInput={(e) => set("primary_metric", e.currentTarget.value)}
              />
            )}
          </Field>
          <Field
            path="coverage"
            label="Coverage %"
            error={errors.coverage}
            help={experiment && !isDraft ? "May rise while running, never fall." : "Share of users enrolled."}
          >
            {(a) => (
              <input
                {...a}
                type="number"
                min={0}
                max={100}
                step="0.01"
                value={draft.coverage}
                onInput={(e) => set("coverage", e.currentTarget.value)}
              />
            )}
          </Field>
        </div>
        <Field path="hypothesis" label="Hypothesis" error={errors.hypothesis}>
          {(a) => (
            <textarea
              {...a}
              rows={2}
              value={draft.hypothesis}
              onInput={(e) => set("hypothesis", e.currentTarget.value)}
            />
          )}
        </Field>
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
              placeholder={draft.key}
              onInput={(e) => set("seed", e.currentTarget.value)}
            />
          )}
        </Field>
        {isDraft ? (
          <VariantsEditor variants={draft.variants} onChange={(v) => set("variants", v)} errors={errors} />
        ) : (
          <p class="notice">Variants and their percentages are fixed once an experiment has started.</p>
        )}
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
