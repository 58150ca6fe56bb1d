import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

/** DOM id for the input of an API field path (`variants.1.key` → `f-variants-1-key`). */
const fieldId = (path: string): string => `f-${path.replace(/[^A-Za-z0-9_-]/g, "-")}`;

interface FieldProps {
  path: string;
  label: string;
  error?: string | undefined;
  help?: string;
  /** Renders the control; receives the props that tie it to its label, help and error. */
  children: (a11y: {
    id: string;
    "aria-invalid": boolean;
    "aria-describedby": string | undefined;
  }) => ComponentChildren;
  class?: string;
}

/** A labelled control with its help text and, beside it, the API's validation message for its path. */
export function Field({ path, label, error, help, children, class: cls }: FieldProps) {
  const id = fieldId(path);
  const describedBy = [help ? `${id}-help` : "", error ? `${id}-err` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div class={`field${error ? " has-error" : ""}${cls ? ` ${cls}` : ""}`}>
      <label for={id}>{label}</label>
      {children({ id, "aria-invalid": Boolean(error), "aria-describedby": describedBy })}
      {help && (
        <p id={`${id}-help`} class="help">
          {help}
        </p>
      )}
      {error && (
        <p id={`${id}-err`} class="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * `labelOf` from a form's list of labels by API path: a nested path (`rules.2.condition`) falls back
 * to its top-level field's label, and only a path the form does not show at all is named as such.
 */
export const labelsFor =
  (labels: Readonly<Record<string, string>>) =>
  (path: string): string =>
    labels[path] ?? labels[path.split(".")[0] ?? ""] ?? path;

/** Every error at the top of a form, each a link to its field (the GOV.UK error-summary pattern). */
export function ErrorSummary({
  errors,
  message,
  labelOf,
}: {
  errors: Record<string, string>;
  message: string | null;
  /**
   * The field's label for an API path ("variants.2.config" → "Variant 3 config"), from the same
   * list the form labels its fields with (see `labelsFor`), so a message never names a path.
   */
  labelOf: (path: string) => string;
}) {
  const entries = Object.entries(errors);
  if (!message && entries.length === 0) return null;
  return (
    <div class="notice notice-error" role="alert" tabIndex={-1} id="form-errors">
      <p>
        <strong>{message ?? "Please fix the highlighted fields."}</strong>
      </p>
      {entries.length > 0 && (
        <ul>
          {entries.map(([path, msg]) => (
            <li key={path}>
              <a href={`#${fieldId(path)}`}>
                {labelOf(path)}: {msg}
              </a>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * For a form with an ErrorSummary: call the returned function on every refused submit, and focus
 * moves to the summary each time, even when its text is the same as the time before (a counter, not
 * the message, triggers it).
 */
export function useRefusalFocus(): () => void {
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (attempt) document.getElementById("form-errors")?.focus();
  }, [attempt]);
  return () => setAttempt((n) => n + 1);
}

/**
 * A form's draft, as `useState` gives it, plus `latest`: the draft as of the last `set`, which is
 * what a submit must read. Preact renders a change in a microtask, so a submit in the same task as
 * the last input (Enter as the field changes, a fast automated client) runs the previous render's
 * handler, whose `draft` is the one before that input. An updater given to `set` reads `latest` too,
 * so two changes before a render both count. `set` returns the new draft.
 */
export function useDraft<T>(init: T | (() => T)) {
  const [draft, setDraft] = useState(init);
  const latest = useRef(draft);
  const set = (next: T | ((d: T) => T)): T => {
    latest.current = next instanceof Function ? (next as (d: T) => T)(latest.current) : next;
    setDraft(latest.current);
    return latest.current;
  };
  return [draft, set, latest] as const;
}
