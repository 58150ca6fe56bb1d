import { useState } from "preact/hooks";
import { type FlagDraft, shownValue, tryDraft } from "./flag-draft";
import { fitRows } from "../ui/fit-rows";

const REASONS: Record<string, string> = {
  rule: "a rule holds this user",
  default: "no rule holds this user",
  disabled: "the flag is off",
};

/**
 * The draft tried on one user, as it reads now (saved or not), with the evaluator the service and
 * the SDKs share: what this user would get, and which rule decided.
 */
export function TryFlag({ draft }: { draft: FlagDraft }) {
  const [userId, setUserId] = useState("user-1");
  const [attributes, setAttributes] = useState("");
  const tried = tryDraft(draft, userId, attributes);
  return (
    <section class="card try-flag" aria-labelledby="try-flag-h">
      <h2 id="try-flag-h">Try it</h2>
      <p class="help">What one user gets from the flag as it reads above, before you save it.</p>
      <div class="grid-2">
        <div class="field">
          <label for="try-user">User id</label>
          <input
            id="try-user"
            class="mono"
            autocomplete="off"
            value={userId}
            onInput={(e) => setUserId(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="try-attributes">Attributes (JSON)</label>
          <textarea
            id="try-attributes"
            class="mono"
            rows={fitRows(attributes, 2)}
            spellcheck={false}
            placeholder='{"country": "FR", "plan": "pro"}'
            value={attributes}
            onInput={(e) => setAttributes(e.currentTarget.value)}
          />
        </div>
      </div>
      <p role="status" data-testid="try-result">
        {"error" in tried ? (
          <span class="muted">{tried.error}</span>
        ) : (
          <>
            <strong class="mono">{shownValue(draft.value_type, tried.result.value)}</strong>
            {" · "}
            {tried.result.rule_index === null ? REASONS[tried.result.reason] : `rule ${tried.result.rule_index + 1}`}
            {tried.result.rule_index !== null && ` (${REASONS.rule})`}
          </>
        )}
      </p>
    </section>
  );
}
