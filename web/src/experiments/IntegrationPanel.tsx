import { useState } from "preact/hooks";
import type { Experiment } from "../api/types";
import { useMe } from "../auth/session-context";
import { snippets } from "./snippets";

/** Copies text; says so in a live region. Falls back to selecting it when the clipboard is refused. */
function CopyButton({ text, label, target }: { text: string; label: string; target?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      const el = target ? document.getElementById(target) : null;
      if (el) getSelection()?.selectAllChildren(el);
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

/** How to call this experiment from code: its id and key, curl and SDK snippets, the API reference. */
export function IntegrationPanel({ experiment: e }: { experiment: Experiment }) {
  const me = useMe();
  const all = snippets(e, location.origin);
  const [shown, setShown] = useState(all[0]?.id ?? "assign");
  const current = all.find((s) => s.id === shown) ?? all[0];
  return (
    <section class="card integration" aria-labelledby="integration-h" data-testid="integration">
      <h2 id="integration-h">Integration</h2>
      <dl class="ids">
        <div>
          <dt>Experiment id</dt>
          <dd>
            <code id="integration-id">{e.id}</code> <CopyButton text={e.id} label="experiment id" />
          </dd>
        </div>
        <div>
          <dt>Key</dt>
          <dd>
            <code id="integration-key">{e.key}</code> <CopyButton text={e.key} label="experiment key" />
          </dd>
        </div>
      </dl>
      <fieldset class="snippet-tabs">
        <legend class="visually-hidden">Snippet</legend>
        {all.map((s) => (
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
          <pre id="integration-snippet" tabIndex={0} data-testid="snippet">
            <code>{current.code}</code>
          </pre>
          <CopyButton text={current.code} label={`${current.label} snippet`} target="integration-snippet" />
        </div>
      )}
      <p class="help">
        Tokens are scoped to your organization (<code>{me.org}</code>): mint them for it. Every route, with its request
        and response schemas: <a href="/api/docs">API reference</a>.
      </p>
    </section>
  );
}
