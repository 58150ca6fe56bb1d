import type { FlagValueType } from "../../../src/flags/model";
import { Field } from "../ui/Field";
import { fitRows } from "../ui/fit-rows";

/** A value of the flag's type: a true/false choice, a number, a text, or JSON. */
export function ValueField(p: {
  type: FlagValueType;
  path: string;
  label: string;
  help?: string;
  value: string;
  error: string | undefined;
  onValue: (v: string) => void;
}) {
  return (
    <Field path={p.path} label={p.label} error={p.error} {...(p.help ? { help: p.help } : {})}>
      {(a) =>
        p.type === "boolean" ? (
          <select {...a} value={p.value} onChange={(e) => p.onValue(e.currentTarget.value)}>
            <option value="true">true</option>
            <option value="false">false</option>
          </select>
        ) : p.type === "json" ? (
          <textarea
            {...a}
            class="mono"
            rows={fitRows(p.value, 2)}
            spellcheck={false}
            value={p.value}
            onInput={(e) => p.onValue(e.currentTarget.value)}
          />
        ) : (
          <input
            {...a}
            class={p.type === "number" ? undefined : "mono"}
            inputMode={p.type === "number" ? "decimal" : undefined}
            value={p.value}
            onInput={(e) => p.onValue(e.currentTarget.value)}
          />
        )
      }
    </Field>
  );
}
