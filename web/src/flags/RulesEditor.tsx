import type { FlagDraft, RuleDraft } from "./flag-draft";
import { Field } from "../ui/Field";
import { ValueField } from "./ValueField";
import { fitRows } from "../ui/fit-rows";

/**
 * The flag's ordered rules: each a condition (JSON), a rollout and a value of the flag's type, with
 * its own Up, Down and Remove. Errors are keyed by the API's paths (`rules.1.value`).
 */
export function RulesEditor(p: {
  draft: FlagDraft;
  errors: Record<string, string>;
  /** Per rule: a lowered rollout's warning (rolloutWarnings). */
  warnings: Record<number, string>;
  disabled: boolean;
  onRule: (i: number, patch: Partial<RuleDraft>) => void;
  onMove: (i: number, by: -1 | 1) => void;
  onRemove: (i: number) => void;
  onAdd: () => void;
}) {
  const { draft, errors, warnings, disabled, onRule, onMove, onRemove, onAdd } = p;
  return (
    <fieldset disabled={disabled} class="flag-rules">
      <legend>Rules</legend>
      <p class="help">
        In order: the first rule whose condition matches the user and whose rollout holds them gives its value. A
        condition is JSON over the user's attributes (<code>{'{"country": {"$in": ["FR", "DE"]}}'}</code>, see{" "}
        <a href="/api/docs">the API reference</a> and docs/targeting.md); blank means every user.
      </p>
      {errors.rules && <p class="field-error">{errors.rules}</p>}
      {draft.rules.length === 0 && <p class="muted">No rules: every user gets the default value.</p>}
      <ol class="rule-list" data-testid="flag-rules">
        {draft.rules.map((r, i) => (
          <li key={i} class="card rule-card">
            <div class="rule-card-head">
              <h2 id={`rule-${i}-h`}>Rule {i + 1}</h2>
              <div class="row-actions">
                <button type="button" class="btn btn-small" disabled={i === 0} onClick={() => onMove(i, -1)}>
                  Up<span class="visually-hidden"> rule {i + 1}</span>
                </button>
                <button
                  type="button"
                  class="btn btn-small"
                  disabled={i === draft.rules.length - 1}
                  onClick={() => onMove(i, 1)}
                >
                  Down<span class="visually-hidden"> rule {i + 1}</span>
                </button>
                <button type="button" class="btn btn-small btn-danger" onClick={() => onRemove(i)}>
                  Remove<span class="visually-hidden"> rule {i + 1}</span>
                </button>
              </div>
            </div>
            <Field
              path={`rules.${i}.condition`}
              label={`Rule ${i + 1} condition`}
              error={errors[`rules.${i}.condition`]}
            >
              {(a) => (
                <textarea
                  {...a}
                  class="mono"
                  rows={fitRows(r.condition)}
                  spellcheck={false}
                  placeholder="blank: every user"
                  value={r.condition}
                  onInput={(e) => onRule(i, { condition: e.currentTarget.value })}
                />
              )}
            </Field>
            <div class="grid-2">
              <Field
                path={`rules.${i}.rollout_percentage`}
                label={`Rule ${i + 1} rollout (%)`}
                error={errors[`rules.${i}.rollout_percentage`]}
                help="The share of matching users served. Raise it gradually: nobody loses the value."
              >
                {(a) => (
                  <input
                    {...a}
                    type="number"
                    inputMode="decimal"
                    min={0}
                    max={100}
                    step="any"
                    value={r.rollout}
                    onInput={(e) => onRule(i, { rollout: e.currentTarget.value })}
                  />
                )}
              </Field>
              <ValueField
                type={draft.value_type}
                path={`rules.${i}.value`}
                label={`Rule ${i + 1} value`}
                value={r.value}
                error={errors[`rules.${i}.value`]}
                onValue={(v) => onRule(i, { value: v })}
              />
            </div>
            {warnings[i] && (
              <p class="rollout-warning" role="status" data-testid={`rule-${i}-warning`}>
                {warnings[i]}
              </p>
            )}
          </li>
        ))}
      </ol>
      <button type="button" class="btn" onClick={onAdd}>
        Add rule
      </button>
    </fieldset>
  );
}
