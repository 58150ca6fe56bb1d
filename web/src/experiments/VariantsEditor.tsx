import { VARIANT_TYPES } from "../../../src/experiments/model";
import { Field } from "../ui/Field";
import {
  controlProblem,
  evenSplit,
  newVariant,
  percentSum,
  removeVariant,
  setVariantType,
  type VariantDraft,
} from "./form-logic";

export type { VariantDraft } from "./form-logic";

const typeLabel = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);

interface Props {
  variants: VariantDraft[];
  /** `changed` is the API path of the field that changed, so its error can clear. */
  onChange: (variants: VariantDraft[], changed: string) => void;
  errors: Record<string, string>;
  disabled?: boolean;
}

export function VariantsEditor({ variants, onChange, errors, disabled = false }: Props) {
  const sum = percentSum(variants);
  const control = controlProblem(variants);
  const ready = sum === 100 && control === null;
  const update = (i: number, field: keyof VariantDraft, value: string) =>
    onChange(
      variants.map((v, j) => (j === i ? { ...v, [field]: value } : v)),
      `variants.${i}.${field}`,
    );

  return (
    <fieldset class="variants" disabled={disabled}>
      <legend>Variants</legend>
      {errors.variants && (
        <p id="f-variants-err" class="field-error">
          {errors.variants}
        </p>
      )}
      {variants.map((v, i) => {
        const p = `variants.${i}`;
        const advancedError = Boolean(errors[`${p}.model_version`] || errors[`${p}.config`]);
        return (
          <fieldset class="variant-row" key={v.id ?? i}>
            <legend class="visually-hidden">Variant {i + 1}</legend>
            <Field path={`${p}.key`} label="Key" error={errors[`${p}.key`]}>
              {(a) => (
                <input
                  {...a}
                  class="mono"
                  value={v.key}
                  required
                  onInput={(e) => update(i, "key", e.currentTarget.value)}
                />
              )}
            </Field>
            <Field path={`${p}.variant_name`} label="Name" error={errors[`${p}.variant_name`]}>
              {(a) => (
                <input
                  {...a}
                  value={v.variant_name}
                  required
                  onInput={(e) => update(i, "variant_name", e.currentTarget.value)}
                />
              )}
            </Field>
            <Field path={`${p}.variant_type`} label="Type" error={errors[`${p}.variant_type`]}>
              {(a) => (
                <select
                  {...a}
                  value={v.variant_type}
                  onChange={(e) => {
                    const picked = VARIANT_TYPES.find((t) => t === e.currentTarget.value);
                    if (picked) onChange(setVariantType(variants, i, picked), `${p}.variant_type`);
                  }}
                >
                  {VARIANT_TYPES.map((t) => (
                    <option key={t} value={t}>
                      {typeLabel(t)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field path={`${p}.traffic_percentage`} label="Traffic %" error={errors[`${p}.traffic_percentage`]}>
              {(a) => (
                <input
                  {...a}
                  type="number"
                  inputMode="decimal"
                  min={0}
                  max={100}
                  step="0.01"
                  value={v.traffic_percentage}
                  onInput={(e) => update(i, "traffic_percentage", e.currentTarget.value)}
                />
              )}
            </Field>
            <button
              type="button"
              class="btn btn-small btn-danger"
              aria-label={`Remove variant ${v.variant_name || i + 1}`}
              disabled={variants.length <= 1}
              onClick={() => onChange(removeVariant(variants, i), "variants")}
            >
              Remove
            </button>
            {/* Model version and config matter to ML and config-driven variants only. */}
            <details class="advanced wide" open={advancedError || undefined}>
              <summary>Advanced: model version and config</summary>
              <div class="grid-2">
                <Field path={`${p}.model_version`} label="Model version" error={errors[`${p}.model_version`]}>
                  {(a) => (
                    <input
                      {...a}
                      value={v.model_version}
                      onInput={(e) => update(i, "model_version", e.currentTarget.value)}
                    />
                  )}
                </Field>
                <Field
                  path={`${p}.config`}
                  label="Config (JSON object)"
                  error={errors[`${p}.config`]}
                  help='Handed to your code with the assignment, e.g. {"color": "blue"}.'
                >
                  {(a) => (
                    <textarea
                      {...a}
                      rows={2}
                      spellcheck={false}
                      class="mono"
                      value={v.config}
                      onInput={(e) => update(i, "config", e.currentTarget.value)}
                    />
                  )}
                </Field>
              </div>
            </details>
          </fieldset>
        );
      })}
      <div class="variant-foot">
        <button
          type="button"
          class="btn btn-small"
          onClick={() => onChange([...variants, newVariant(variants)], "variants")}
        >
          Add variant
        </button>
        <button
          type="button"
          class="btn btn-small"
          disabled={variants.length === 0}
          onClick={() => {
            const split = evenSplit(variants.length);
            onChange(
              variants.map((v, i) => ({ ...v, traffic_percentage: split[i] ?? "0" })),
              "variants",
            );
          }}
        >
          Split evenly
        </button>
        <p class={`sum ${ready ? "sum-ok" : "sum-bad"}`} aria-live="polite" data-testid="percent-sum">
          Total: <strong>{sum}%</strong>
          {sum === 100 ? " ✓" : " — must be 100% to start"}
          {control && ` · ${control}`}
        </p>
      </div>
    </fieldset>
  );
}
