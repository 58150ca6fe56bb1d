import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";

/**
 * The "Delete" section of an experiment, flag or metric page: one button that asks first, then
 * "Yes, delete <key>" or "Keep it". What happens after (navigate, show the error) is the page's.
 */
export function DangerZone(p: {
  headingId: string;
  /** The first button: "Delete flag…". */
  label: string;
  /** The key the confirming button names. */
  subject: string;
  onDelete: () => void;
  /** What deleting keeps or breaks, above the buttons. */
  help?: ComponentChildren;
  /** Below the buttons: the page's error after a refused delete. */
  children?: ComponentChildren;
}) {
  const [asking, setAsking] = useState(false);
  return (
    <section class="danger-zone" aria-labelledby={p.headingId}>
      <h2 id={p.headingId}>Delete</h2>
      {p.help && <p class="help">{p.help}</p>}
      {asking ? (
        <div class="actions">
          <button type="button" class="btn btn-danger" onClick={p.onDelete}>
            Yes, delete {p.subject}
          </button>
          <button type="button" class="btn" onClick={() => setAsking(false)}>
            Keep it
          </button>
        </div>
      ) : (
        <button type="button" class="btn btn-danger" onClick={() => setAsking(true)}>
          {p.label}
        </button>
      )}
      {p.children}
    </section>
  );
}
