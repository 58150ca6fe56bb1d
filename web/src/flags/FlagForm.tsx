import { useState } from "preact/hooks";
import { FLAG_VALUE_TYPES } from "../../../src/flags/model";
import { ApiError, api, unwrap } from "../api/client";
import { canWrite, useMe } from "../auth/session-context";
import { Link, navigate } from "../router";
import { ChangeHistory } from "../ui/ChangeHistory";
import { keepUnfixed, refusalMessage } from "../ui/form-errors";
import { copyKey } from "../ui/copy-names";
import { DangerZone } from "../ui/DangerZone";
import { SnippetTabs } from "../ui/Snippets";
import { ErrorSummary, Field, useDraft, useRefusalFocus } from "../ui/Field";
import { ErrorBox, Loading } from "../ui/status";
import { useAsync } from "../ui/use-async";
import { findFlagByKey, type Flag, flagHref } from "./catalogue";
import { joinWarnings, staleNote, staleness, unreachableWarnings } from "./flag-health";
import { RulesEditor } from "./RulesEditor";
import { flagSnippets } from "./snippets";
import { TryFlag } from "./TryFlag";
import { ValueField } from "./ValueField";
import {
  emptyFlagDraft,
  type FlagDraft,
  flagBody,
  flagDraftOf,
  flagFieldLabel,
  formFlagErrors,
  newRule,
  type RuleDraft,
  rolloutWarnings,
  withValueType,
} from "./flag-draft";

const flags = api["ab-testing"].flags;
/** Paths flagBody checks: when it stops reporting one, it is fixed. */
const LOCALLY_CHECKED = /^(key|default_value|rules|rules\.\d+\.(condition|rollout_percentage|value))$/;

/** `/flags/new`, `/flags/new?copy=<key>` (a clone, not saved until created) and `/flags/<key>`. */
export function FlagForm({ flagKey, copyOf }: { flagKey?: string; copyOf?: string }) {
  const source = flagKey ?? copyOf;
  const existing = useAsync(() => (source === undefined ? Promise.resolve(null) : findFlagByKey(source)), [source]);
  if (existing.status === "error") return <ErrorBox error={existing.error} onRetry={existing.reload} />;
  if (existing.status === "loading") return <Loading label="Loading flag…" />;
  if (source !== undefined && existing.data === null)
    return (
      <section>
        <h1>Flag not found</h1>
        <p>
          No flag has the key <code>{source}</code>. <Link href="/flags">Go to the flags</Link>.
        </p>
      </section>
    );
  if (copyOf !== undefined && existing.data)
    return <FlagFormBody key={`copy:${copyOf}`} flag={null} copied={existing.data} />;
  return <FlagFormBody key={flagKey ?? "new"} flag={existing.data} />;
}

/** A clone's draft: everything the flag serves, under the next key. */
const cloneDraft = (f: Flag): FlagDraft => ({ ...flagDraftOf(f), key: copyKey(f.key) });

function FlagFormBody({ flag, copied }: { flag: Flag | null; copied?: Flag }) {
  const writable = canWrite(useMe());
  const [draft, setDraft, latest] = useDraft<FlagDraft>(() =>
    flag ? flagDraftOf(flag) : copied ? cloneDraft(copied) : emptyFlagDraft(),
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const refused = useRefusalFocus();

  /**
   * The next draft. An error the form checks itself goes as soon as the check no longer finds it;
   * one only the server can find (a description too long) stays until the next submit.
   */
  const update = (change: (d: FlagDraft) => FlagDraft) => {
    const next = setDraft(change);
    if (Object.keys(errors).length === 0) return;
    const left = keepUnfixed(errors, flagBody(next).errors, (path) => LOCALLY_CHECKED.test(path));
    setErrors(left);
    if (Object.keys(left).length === 0) setMessage(null);
  };
  const set = <K extends keyof FlagDraft>(k: K, v: FlagDraft[K]) => update((d) => ({ ...d, [k]: v }));
  const setRule = (i: number, patch: Partial<RuleDraft>) =>
    update((d) => ({ ...d, rules: d.rules.map((r, j) => (j === i ? { ...r, ...patch } : r)) }));
  const moveRule = (i: number, by: -1 | 1) => {
    // Errors are keyed by rule position: after a move they would name the wrong rule.
    setErrors({});
    setMessage(null);
    setDraft((d) => {
      const rules = [...d.rules];
      const [rule] = rules.splice(i, 1);
      if (rule) rules.splice(i + by, 0, rule);
      return { ...d, rules };
    });
  };
  const removeRule = (i: number) => {
    setErrors({});
    setMessage(null);
    setDraft((d) => ({ ...d, rules: d.rules.filter((_, j) => j !== i) }));
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const { body, errors: local } = flagBody(latest.current);
    if (Object.keys(local).length) {
      setErrors(local);
      setMessage("The flag was not saved. Please fix:");
      refused();
      return;
    }
    setBusy(true);
    setErrors({});
    setMessage(null);
    try {
      if (flag) await unwrap(flags[":id"].$patch({ param: { id: flag.id }, json: body }));
      else await unwrap(flags.$post({ json: body }));
      navigate("/flags");
    } catch (err) {
      if (err instanceof ApiError) {
        setErrors(formFlagErrors(err.fieldErrors()));
        setMessage(
          err.status === 409 ? `A flag with the key "${body.key}" exists already.` : refusalMessage(err, "flag"),
        );
      } else setMessage(String(err));
      refused();
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!flag) return;
    try {
      await unwrap(flags[":id"].$delete({ param: { id: flag.id } }));
      navigate("/flags");
    } catch (err) {
      setMessage(err instanceof Error ? err.message : String(err));
    }
  };

  // The saved flag's staleness (what clients get now), not the draft's.
  const stale = flag ? staleness(flag, Date.now()) : null;
  const ruleWarnings = joinWarnings(unreachableWarnings(draft.rules), rolloutWarnings(flag, draft.rules));
  return (
    <section aria-labelledby="flag-form-h">
      <p class="crumbs">
        <Link href="/flags">Feature flags</Link>
        {flag && (
          <>
            {" / "}
            <span class="mono">{flag.key}</span>
          </>
        )}
      </p>
      <div class="page-head">
        <h1 id="flag-form-h">{flag ? `Edit ${flag.key}` : "New flag"}</h1>
        {flag && writable && (
          <Link href={`/flags/new?copy=${encodeURIComponent(flag.key)}`} class="btn">
            Clone
          </Link>
        )}
      </div>
      {copied && (
        <p class="notice" data-testid="copy-note">
          A clone of <Link href={flagHref(copied.key)}>{copied.key}</Link>: its type, default, rules and on/off under a
          new key. Nothing is saved until you create it, and no client asks for the new key until your code does.
        </p>
      )}
      {stale && (
        <p class="notice" data-testid="flag-stale">
          {staleNote(stale)} Clients that still ask for it get the same value from <code>GET /config</code> until it is
          deleted.
        </p>
      )}
      <form class="form" onSubmit={submit} noValidate>
        <ErrorSummary errors={errors} message={message} labelOf={flagFieldLabel} />
        <fieldset disabled={!writable}>
          <legend>Flag</legend>
          <div class="grid-2">
            <Field
              path="key"
              label="Key"
              error={errors.key}
              help={
                flag
                  ? "Your code asks for the flag by this key: renaming it breaks clients that use the old one."
                  : "What your code asks for, e.g. new-checkout: lowercase letters, digits, - and _."
              }
            >
              {(a) => (
                <input
                  {...a}
                  class="mono"
                  required
                  autocomplete="off"
                  spellcheck={false}
                  value={draft.key}
                  onInput={(e) => set("key", e.currentTarget.value)}
                />
              )}
            </Field>
            <Field
              path="value_type"
              label="Type"
              error={errors.value_type}
              help="What the flag serves: on/off, a text, a number or any JSON."
            >
              {(a) => (
                <select
                  {...a}
                  value={draft.value_type}
                  onChange={(e) => {
                    const type = FLAG_VALUE_TYPES.find((t) => t === e.currentTarget.value);
                    if (type) update((d) => withValueType(d, type));
                  }}
                >
                  {FLAG_VALUE_TYPES.map((t) => (
                    <option key={t} value={t}>
                      {t}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <ValueField
              type={draft.value_type}
              path="default_value"
              label="Default value"
              help="Served when no rule holds the user, and to everyone while the flag is off."
              value={draft.default_value}
              error={errors.default_value}
              onValue={(v) => set("default_value", v)}
            />
            <div class="field">
              <label class="check">
                <input
                  type="checkbox"
                  id="f-enabled"
                  checked={draft.enabled}
                  onChange={(e) => set("enabled", e.currentTarget.checked)}
                />{" "}
                On: serve the rules
              </label>
              <p class="help">Off: every user gets the default value; the rules are kept for when it is on again.</p>
            </div>
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
        </fieldset>
        <RulesEditor
          draft={draft}
          errors={errors}
          warnings={ruleWarnings}
          disabled={!writable}
          onRule={setRule}
          onMove={moveRule}
          onRemove={removeRule}
          onAdd={() => update((d) => ({ ...d, rules: [...d.rules, newRule(d)] }))}
        />
        {writable && (
          <div class="actions">
            <button type="submit" class="btn btn-primary" disabled={busy}>
              {busy ? "Saving…" : flag ? "Save flag" : "Create flag"}
            </button>
            <Link href="/flags" class="btn">
              Cancel
            </Link>
          </div>
        )}
      </form>
      <div class="form-width">
        <TryFlag draft={draft} />
        {flag && (
          <section class="card integration" aria-labelledby="flag-code-h" data-testid="flag-code">
            <h2 id="flag-code-h">Use it in code</h2>
            <SnippetTabs snippets={flagSnippets(flag, location.origin)} codeId="flag-snippet" />
            <p class="help">
              The SDKs refresh the config with its ETag and evaluate every flag locally; a changed flag reaches them at
              their next refresh. Every route: <a href="/api/docs">API reference</a>.
            </p>
          </section>
        )}
        {flag && (
          <ChangeHistory
            headingId="flag-history-h"
            deps={[flag.id, flag.updated_at]}
            load={(cursor) =>
              unwrap(flags[":id"].history.$get({ param: { id: flag.id }, query: cursor ? { cursor } : {} }))
            }
          />
        )}
      </div>
      {writable && flag && (
        <DangerZone
          headingId="flag-danger-h"
          label="Delete flag…"
          subject={flag.key}
          onDelete={remove}
          help={
            <>
              Clients that still ask for <code>{flag.key}</code> get their own fallback (the SDKs: null) once their
              config refreshes.
            </>
          }
        />
      )}
    </section>
  );
}
