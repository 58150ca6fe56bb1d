import type { Metric } from "../metrics/catalogue";
import { defineMetricHref } from "../metrics/catalogue";
import { Link } from "../router";
import { Field } from "../ui/Field";

const optionLabel = (m: Metric) => (m.name === m.key ? m.key : `${m.name} (${m.key})`);

/** The primary metric: one of the catalogue, or none. A name not in the catalogue stays pickable, marked. */
export function MetricPicker(props: {
  metrics: readonly Metric[];
  value: string;
  error: string | undefined;
  onChange: (key: string) => void;
}) {
  const { metrics, value } = props;
  const undefinedValue = value !== "" && !metrics.some((m) => m.key === value);
  return (
    <Field path="primary_metric" label="Primary metric" error={props.error} help="The metric the decision rests on.">
      {(a) => (
        <select {...a} value={value} onChange={(e) => props.onChange(e.currentTarget.value)}>
          <option value="">None yet</option>
          {metrics.map((m) => (
            <option key={m.id} value={m.key}>
              {optionLabel(m)}
            </option>
          ))}
          {undefinedValue && <option value={value}>{value} (not in the catalogue)</option>}
        </select>
      )}
    </Field>
  );
}

/** Secondary or guardrail metrics: checkboxes over the catalogue, in catalogue order. */
export function MetricsChecklist(props: {
  path: string;
  label: string;
  help: string;
  metrics: readonly Metric[];
  value: readonly string[];
  errors: Record<string, string>;
  onChange: (keys: string[]) => void;
}) {
  const { path, metrics, value } = props;
  // Keys saved earlier that the catalogue no longer defines stay listed, so saving keeps them.
  const extra = value.filter((k) => !metrics.some((m) => m.key === k));
  const error = Object.entries(props.errors).find(([p]) => p === path || p.startsWith(`${path}.`))?.[1];
  const toggle = (key: string, on: boolean) => props.onChange(on ? [...value, key] : value.filter((k) => k !== key));
  return (
    <fieldset class={`checklist${error ? " has-error" : ""}`} id={`f-${path}`} aria-describedby={`f-${path}-help`}>
      <legend>{props.label}</legend>
      <p id={`f-${path}-help`} class="help">
        {props.help}
      </p>
      {metrics.length === 0 && extra.length === 0 && (
        <p class="help">
          The catalogue is empty: <Link href="/metrics/new">define a metric</Link> first.
        </p>
      )}
      {[
        ...metrics.map((m) => ({ key: m.key, label: optionLabel(m) })),
        ...extra.map((k) => ({ key: k, label: `${k} (not in the catalogue)` })),
      ].map(({ key, label }) => (
        <label class="check" key={key}>
          <input type="checkbox" checked={value.includes(key)} onChange={(e) => toggle(key, e.currentTarget.checked)} />{" "}
          {label}
          {extra.includes(key) && (
            <>
              {" "}
              <Link href={defineMetricHref(key)}>define</Link>
            </>
          )}
        </label>
      ))}
      {error && <p class="field-error">{error}</p>}
    </fieldset>
  );
}
