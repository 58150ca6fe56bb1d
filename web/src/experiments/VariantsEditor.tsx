import { VARIANT_TYPES, type VariantType } from "../../../src/experiments/model";
import { Field } from "../ui/Field";

export interface VariantDraft {
  /** Present for variants already stored. */
  id?: string;
  key: string;
  variant_name: string;
  variant_type: VariantType;
  traffic_percentage: string;
  model_version: string;
  /** JSON object text; parsed on submit. */
  config: string;
}

const typeLabel = (t: VariantType) => t.charAt(0).toUpperCase() + t.slice(1);

export const newVariant = (index: number): VariantDraft => ({
  key: index === 0 ? "control" : `treatment_${index}`,
  variant_name: index === 0 ? "Control" : `Treatment ${index}`,
  variant_type: index === 0 ? "control" : "treatment",
  traffic_percentage: "",
  model_version: "",
  config: "",
});

const percentSum = (variants: VariantDraft[]): number =>
  // Sum in basis points so 33.33 + 33.33 + 33.34 shows exactly 100, like the server's integer check.
  variants.reduce((sum, v) => sum + Math.round((Number.parseFloat(v.traffic_percentage) || 0) * 100), 0) / 100;

/** Even split with the remainder on the first variant, in hundredths of a percent. */
function evenSplit(n: number): string[] {
  const base = Math.floor(10000 / n);
  return Array.from({ length: n }, (_, i) => String((base + (i === 0 ? 10000 - base * n : 0)) / 100));
}

interface Props {
  variants: VariantDraft[];
  onChange: (variants: VariantDraft[]) => void;
  errors: Record<string, string>;
  disabled?: boolean;
}

export function VariantsEditor({ variants, onChange, errors, disabled = false }: Props) {
  const sum = percentSum(variants);
  const controls = variants.filter((v) => v.variant_type === "control").length;
  const update = (i: number, patch: Partial<VariantDraft>) =>
    onChange(variants.map((v, j) => (j === i ? { ...v, ...patch } : v)));

  return (
    <fieldset class="variants" disabled={disabled}>
      <legend>Variants</legend>
      {errors.variants && <p class="field-error">{errors.variants}</p>}
      {variants.map((v, i) => {
        const p = `variants.${i}`;
        return (
          <fieldset class="variant-row" key={v.id ?? i}>
            <legend class="visually-hidden">Variant {i + 1}</legend>
            <Field path={`${p}.key`} label="Key" error={errors[`${p}.key`]}>
              {(a) => (
                <input
                  {...a}
                  value={v.key}
                  required
                  pattern="[a-z0-9_\-]{1,64}"
                  onInput={(e) => update(i, { key: e.currentTarget.value })}
                />
              )}
            </Field>
            <Field path={`${p}.variant_name`} label="Name" error={errors[`${p}.variant_name`]}>
              {(a) => (
                <input
                  {...a}
                  value={v.variant_name}
                  required
                  onInput={(e) => update(i, { variant_name: e.currentTarget.value })}
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
                    if (picked) update(i, { variant_type: picked });
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
                  onInput={(e) => update(i, { traffic_percentage: e.currentTarget.value })}
                />
              )}
            </Field>
            <Field path={`${p}.model_version`} label="Model version" error={errors[`${p}.model_version`]}>
              {(a) => (
                <input
                  {...a}
                  value={v.model_version}
                  onInput={(e) => update(i, { model_version: e.currentTarget.value })}
                />
              )}
            </Field>
            <Field path={`${p}.config`} label="Config (JSON object)" error={errors[`${p}.config`]} class="wide">
              {(a) => (
                <textarea
                  {...a}
                  rows={2}
                  spellcheck={false}
                  class="mono"
                  placeholder='{"color": "blue"}'
                  value={v.config}
                  onInput={(e) => update(i, { config: e.currentTarget.value })}
                />
              )}
            </Field>
            <button
              type="button"
              class="btn btn-small btn-danger"
              aria-label={`Remove variant ${v.variant_name || i + 1}`}
              onClick={() => onChange(variants.filter((_, j) => j !== i))}
            >
              Remove
            </button>
          </fieldset>
        );
      })}
      <div class="variant-foot">
        <button
          type="button"
          class="btn btn-small"
          onClick={() => onChange([...variants, newVariant(variants.length)])}
        >
          Add variant
        </button>
        <button
          type="button"
          class="btn btn-small"
          disabled={variants.length === 0}
          onClick={() => {
            const split = evenSplit(variants.length);
            onChange(variants.map((v, i) => ({ ...v, traffic_percentage: split[i] ?? "0" })));
          }}
        >
          Split evenly
        </button>
        <p class={`sum ${sum === 100 ? "sum-ok" : "sum-bad"}`} aria-live="polite" data-testid="percent-sum">
          Total: <strong>{sum}%</strong>
          {sum === 100 ? " ✓" : " — must be 100% to start"}
          {controls !== 1 && variants.length > 0 && ` · needs exactly one control (has ${controls})`}
        </p>
      </div>
    </fieldset>
  );
}
