import type { Experiment } from "../api/types";
import { useMe } from "../auth/session-context";
import { CopyButton, SnippetTabs } from "../ui/Snippets";
import { snippets } from "./snippets";

/** How to call this experiment from code: its id and key, curl and SDK snippets, the API reference. */
export function IntegrationPanel({ experiment: e }: { experiment: Experiment }) {
  const me = useMe();
  const all = snippets(e, location.origin);
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
      <SnippetTabs snippets={all} codeId="integration-snippet" />
      <p class="help">
        Tokens are scoped to your organization (<code>{me.org}</code>): mint them for it. Every route, with its request
        and response schemas: <a href="/api/docs">API reference</a>.
      </p>
    </section>
  );
}
