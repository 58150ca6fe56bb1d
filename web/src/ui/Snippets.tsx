import { useState } from "preact/hooks";

/** A code snippet shown on a tab: what it is, its language, its text. */
export interface Snippet {
  id: string;
  label: string;
  language: "sh" | "ts" | "py";
  code: string;
}

/**
 * Copies text; says so in a live region. Without a clipboard (refused, or none outside a secure
 * context) it selects the text of `target` (an element, or a field's value) and says to copy it.
 */
export function CopyButton({ text, label, target }: { text: string; label: string; target?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      const el = target ? document.getElementById(target) : null;
      if (el instanceof HTMLInputElement) el.select();
      else if (el) getSelection()?.selectAllChildren(el);
      setState("failed");
    }
  };
  return (
    <>
      <button type="button" class="btn btn-small" onClick={copy} aria-label={`Copy ${label}`}>
        Copy
      </button>
      <span class="copy-status" role="status">
        {state === "copied" ? "Copied" : state === "failed" ? "Selected: press Ctrl+C to copy" : ""}
      </span>
    </>
  );
}

/** Snippets as tabs (one shown at a time), each with a copy button. */
export function SnippetTabs({ snippets, codeId }: { snippets: readonly Snippet[]; codeId: string }) {
  const [shown, setShown] = useState(snippets[0]?.id ?? "");
  const current = snippets.find((s) => s.id === shown) ?? snippets[0];
  return (
    <>
      <fieldset class="snippet-tabs">
        <legend class="visually-hidden">Snippet</legend>
        {snippets.map((s) => (
          <button
            key={s.id}
            type="button"
            class="btn btn-small"
            aria-pressed={s.id === shown}
            onClick={() => setShown(s.id)}
          >
            {s.label}
          </button>
        ))}
      </fieldset>
      {current && (
        <div class="snippet">
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable code block must be reachable by keyboard */}
          <pre id={codeId} tabIndex={0} data-testid="snippet">
            <code>{current.code}</code>
          </pre>
          <CopyButton text={current.code} label={`${current.label} snippet`} target={codeId} />
        </div>
      )}
    </>
  );
}
