import { useState } from "preact/hooks";
import { ApiError, streaming, unwrap } from "../api/client";
import { wholeList } from "../api/pages";
import { canWrite, useMe } from "../auth/session-context";
import { useSourceName, useSources } from "../sources/store";
import { ErrorSummary, Field, labelsFor, useDraft } from "../ui/Field";
import { plainMessage, refusalMessage } from "../ui/form-errors";
import { fmtDate } from "../ui/format";
import { Badge, Empty, ErrorBox, Loading } from "../ui/status";
import { useAsync } from "../ui/use-async";
import { SEVERITIES } from "../../../src/streaming/model";
import { AlertingNav } from "./AlertingNav";
import { newSilenceForm, SILENCE_DURATIONS, type SilenceForm, silenceBody } from "./silence-form";
import type { Silence } from "./types";

/** Each field's label: shown by its Field and named by the error summary (one list, no DOM lookup). */
const SILENCE_LABELS = {
  rule_id: "Rule",
  severity: "Severity",
  source_id: "Source",
  fingerprint: "Fingerprint (optional)",
  duration: "For",
  comment: "Comment",
} as const;

export function SilencesPage() {
  const me = useMe();
  const writable = canWrite(me);
  const silences = useAsync(() => wholeList(streaming.silences.$get), []);
  const rules = useAsync(() => wholeList(streaming["alert-rules"].$get), []);
  const ruleName = (id: string) => rules.data?.items.find((r) => r.id === id)?.name ?? "a deleted rule";

  return (
    <section aria-labelledby="silences-h">
      <h1 id="silences-h">Silences</h1>
      <AlertingNav current="/alerting/silences" />
      <p class="muted">A silenced alert is still recorded and shown; it is just not sent to any channel.</p>
      {writable && <SilenceFormCard rules={rules.data?.items ?? []} onCreated={silences.reload} />}
      <h2>Silences</h2>
      {silences.status === "error" && <ErrorBox error={silences.error} onRetry={silences.reload} />}
      {!silences.data && silences.status === "loading" && <Loading label="Loading silences…" />}
      {silences.data &&
        (silences.data.items.length === 0 ? (
          <Empty>No silences.</Empty>
        ) : (
          <ul class="op-cards" data-testid="silences-list">
            {silences.data.items.map((s) => (
              <SilenceCard key={s.id} silence={s} writable={writable} ruleName={ruleName} onExpired={silences.reload} />
            ))}
          </ul>
        ))}
    </section>
  );
}

function SilenceCard(props: {
  silence: Silence;
  writable: boolean;
  ruleName: (id: string) => string;
  onExpired: () => void;
}) {
  const { silence: s, writable, ruleName, onExpired } = props;
  const sourceName = useSourceName();
  const [error, setError] = useState<unknown>(null);
  const m = s.matchers;
  const parts = [
    m.rule_id && `rule “${ruleName(m.rule_id)}”`,
    m.severity && `severity ${m.severity}`,
    m.source_id && `source ${sourceName(m.source_id).name}`,
    m.fingerprint && `fingerprint ${m.fingerprint}`,
  ].filter(Boolean);
  const expire = async () => {
    try {
      await unwrap(streaming.silences[":id"].$delete({ param: { id: s.id } }));
      onExpired();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <li class="card op-card" data-silence-id={s.id}>
      <div class="op-card-head">
        <strong>{parts.join(" and ")}</strong>
        <Badge kind={s.active ? "running" : "completed"}>{s.active ? "active" : "ended"}</Badge>
      </div>
      <p class="small muted">
        {fmtDate(s.starts_at)} to {fmtDate(s.ends_at)} · by {s.created_by}
      </p>
      {s.comment && <p class="small">{s.comment}</p>}
      {writable && s.active && (
        <button type="button" class="btn btn-small" onClick={expire}>
          Expire now<span class="visually-hidden"> the silence of {parts.join(" and ")}</span>
        </button>
      )}
      {error !== null && <ErrorBox error={error} />}
    </li>
  );
}

function SilenceFormCard({ rules, onCreated }: { rules: { id: string; name: string }[]; onCreated: () => void }) {
  const [form, setForm, latest] = useDraft<SilenceForm>(newSilenceForm);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { sources } = useSources();
  const set = (k: keyof SilenceForm) => (e: Event) =>
    setForm((f) => ({ ...f, [k]: (e.currentTarget as HTMLInputElement).value }));

  const submit = async (e: Event) => {
    e.preventDefault();
    setErrors({});
    setMessage(null);
    const parsed = silenceBody(latest.current, Date.now());
    if ("error" in parsed) {
      setMessage(parsed.error);
      return;
    }
    setBusy(true);
    try {
      await unwrap(streaming.silences.$post({ json: parsed.body }));
      setForm(newSilenceForm());
      onCreated();
    } catch (err) {
      if (err instanceof ApiError) {
        // The API names matcher fields `matchers.<name>`; the form's fields carry the bare name.
        const byField: Record<string, string> = {};
        for (const [path, msg] of Object.entries(err.fieldErrors()))
          byField[path.replace(/^matchers\./, "")] = plainMessage(msg);
        setErrors(byField);
        setMessage(refusalMessage(err, "silence"));
      } else setMessage(String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card form op-form" onSubmit={submit} aria-labelledby="silence-form-h">
      <h2 id="silence-form-h">New silence</h2>
      <p class="help">Alerts matching every chosen field are silenced.</p>
      <ErrorSummary
        errors={errors}
        message={message}
        labelOf={labelsFor({ ...SILENCE_LABELS, ends_at: SILENCE_LABELS.duration })}
      />
      <div class="grid-2">
        <Field path="rule_id" label={SILENCE_LABELS.rule_id} error={errors.rule_id}>
          {(a) => (
            <select {...a} value={form.rule_id} onChange={set("rule_id")}>
              <option value="">Any rule</option>
              {rules.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field path="severity" label={SILENCE_LABELS.severity} error={errors.severity}>
          {(a) => (
            <select {...a} value={form.severity} onChange={set("severity")}>
              <option value="">Any severity</option>
              {SEVERITIES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field path="source_id" label={SILENCE_LABELS.source_id} error={errors.source_id}>
          {(a) => (
            <select {...a} value={form.source_id} onChange={set("source_id")}>
              <option value="">Any source</option>
              {(sources ?? []).map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field path="fingerprint" label={SILENCE_LABELS.fingerprint} error={errors.fingerprint}>
          {(a) => <input {...a} value={form.fingerprint} onInput={set("fingerprint")} spellcheck={false} />}
        </Field>
        <Field path="duration" label={SILENCE_LABELS.duration} error={errors.ends_at}>
          {(a) => (
            <select {...a} value={form.duration} onChange={set("duration")}>
              {SILENCE_DURATIONS.map((d) => (
                <option key={d.key} value={d.key}>
                  {d.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field path="comment" label={SILENCE_LABELS.comment} error={errors.comment}>
          {(a) => <input {...a} value={form.comment} onInput={set("comment")} maxLength={2000} />}
        </Field>
      </div>
      <div class="actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? "Creating…" : "Create silence"}
        </button>
      </div>
    </form>
  );
}
