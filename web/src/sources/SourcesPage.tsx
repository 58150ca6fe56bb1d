import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, streaming, unwrap } from "../api/client";
import type { Source } from "../api/types";
import { canWrite, useMe } from "../auth/session-context";
import { connectLive } from "../live/socket";
import { ErrorSummary, Field, labelsFor, useDraft } from "../ui/Field";
import { plainErrors, refusalMessage } from "../ui/form-errors";
import { fmtNum, fmtTime } from "../ui/format";
import { CopyButton } from "../ui/Snippets";
import { Badge, Empty, ErrorBox, Loading } from "../ui/status";
import { TableHead, TableWrap } from "../ui/TableWrap";
import { throttled } from "../ui/throttle";
import { SOURCE_TYPES, type SourceType } from "../../../src/streaming/model";
import { refreshSources, removeSource, upsertSource, useSources } from "./store";

const POLL_MS = 10_000;
/** Events arriving refresh health at most this often (the live socket can carry thousands a second). */
const EVENT_REFRESH_MS = 2000;

interface Form {
  name: string;
  source_type: SourceType;
  description: string;
}
const blank = (): Form => ({ name: "", source_type: "http", description: "" });

/** Health follows events as they arrive: refetch when the socket reports events, and on a slow timer. */
function useLiveHealth(): void {
  useEffect(() => {
    const refresh = throttled(refreshSources, EVENT_REFRESH_MS);
    const socket = connectLive(
      (m) => {
        if (m.type === "events" || m.type === "snapshot") refresh.soon();
      },
      () => {},
    );
    refreshSources();
    const poll = setInterval(() => document.visibilityState === "visible" && refreshSources(), POLL_MS);
    return () => {
      socket.close();
      clearInterval(poll);
      refresh.cancel();
    };
  }, []);
}

export function SourcesPage() {
  const me = useMe();
  const writable = canWrite(me);
  const { sources, error } = useSources();
  const [editing, setEditing] = useState<Source | null>(null);
  useLiveHealth();

  return (
    <section aria-labelledby="sources-h">
      <div class="page-head">
        <h1 id="sources-h">Data sources</h1>
      </div>
      <p class="muted">
        Where events come from. Events name their source with <code>source_id</code>; health follows their arrival.
      </p>
      {writable && <SourceForm key={editing?.id ?? "new"} editing={editing} onDone={() => setEditing(null)} />}
      {error !== null && <ErrorBox error={error} onRetry={refreshSources} />}
      {sources === null && error === null && <Loading label="Loading sources…" />}
      {sources !== null &&
        (sources.length === 0 ? (
          <Empty>No data sources yet. Events without a source still count.</Empty>
        ) : (
          <TableWrap label="Data sources table">
            <table data-testid="sources-table">
              <TableHead
                columns={[
                  "Name",
                  "Type",
                  "Health",
                  "Last event",
                  { label: "Events (5 min)", num: true },
                  ...(writable ? ["Actions"] : []),
                ]}
              />
              <tbody>
                {sources.map((s) => (
                  <SourceRow key={s.id} source={s} writable={writable} onEdit={() => setEditing(s)} />
                ))}
              </tbody>
            </table>
          </TableWrap>
        ))}
    </section>
  );
}

function SourceRow({ source: s, writable, onEdit }: { source: Source; writable: boolean; onEdit: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const remove = async () => {
    try {
      await unwrap(streaming.sources[":id"].$delete({ param: { id: s.id } }));
      removeSource(s.id);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <tr id={`source-${s.id}`} data-source-id={s.id}>
      <th scope="row">
        {s.name}
        {s.description && <div class="muted small">{s.description}</div>}
        {/* What events send as source_id: the one thing a new source needs from this page. */}
        <div class="muted small source-id">
          <span>source_id </span>
          <code id={`source-id-${s.id}`}>{s.id}</code>{" "}
          <CopyButton text={s.id} label={`the source_id of ${s.name}`} target={`source-id-${s.id}`} />
        </div>
      </th>
      <td>{s.source_type}</td>
      <td>
        <Badge kind={`health-${s.health.status}`}>{s.health.status}</Badge>
      </td>
      <td class="nowrap">{fmtTime(s.health.last_event_at)}</td>
      <td class="num">{fmtNum(s.health.events_last_5m)}</td>
      {writable && (
        <td>
          <div class="row-actions">
            <button type="button" class="btn btn-small" onClick={onEdit}>
              Edit<span class="visually-hidden"> {s.name}</span>
            </button>
            {confirming ? (
              <>
                <button type="button" class="btn btn-small btn-danger" onClick={remove}>
                  Delete {s.name}?
                </button>
                <button type="button" class="btn btn-small" onClick={() => setConfirming(false)}>
                  Keep
                </button>
              </>
            ) : (
              <button type="button" class="btn btn-small btn-danger" onClick={() => setConfirming(true)}>
                Delete<span class="visually-hidden"> {s.name}</span>
              </button>
            )}
          </div>
          {error !== null && <ErrorBox error={error} />}
        </td>
      )}
    </tr>
  );
}

/** Each field's label: shown by its Field and named by the error summary (one list, no DOM lookup). */
const SOURCE_LABELS = {
  name: "Name",
  source_type: "Type",
  description: "Description (optional)",
} as const;

function SourceForm({ editing, onDone }: { editing: Source | null; onDone: () => void }) {
  const [form, setForm, latest] = useDraft<Form>(() =>
    editing
      ? { name: editing.name, source_type: editing.source_type, description: editing.description ?? "" }
      : blank(),
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (editing) nameRef.current?.focus();
  }, [editing]);
  const set = (k: keyof Form) => (e: Event) =>
    setForm((f) => ({ ...f, [k]: (e.currentTarget as HTMLInputElement).value }));

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setMessage(null);
    const form = latest.current;
    const body = { name: form.name, source_type: form.source_type, description: form.description.trim() || undefined };
    try {
      const saved = editing
        ? await unwrap(
            streaming.sources[":id"].$patch({
              param: { id: editing.id },
              json: { ...body, description: form.description.trim() || null },
            }),
          )
        : await unwrap(streaming.sources.$post({ json: body }));
      upsertSource(saved);
      setForm(blank());
      onDone();
    } catch (err) {
      if (err instanceof ApiError) {
        setErrors(plainErrors(err.fieldErrors()));
        setMessage(refusalMessage(err, "source"));
      } else setMessage(String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card form op-form" onSubmit={submit} aria-labelledby="source-form-h">
      <h2 id="source-form-h">{editing ? `Edit ${editing.name}` : "New data source"}</h2>
      <ErrorSummary errors={errors} message={message} labelOf={labelsFor(SOURCE_LABELS)} />
      <div class="grid-3">
        <Field path="name" label={SOURCE_LABELS.name} error={errors.name}>
          {(a) => <input {...a} ref={nameRef} value={form.name} onInput={set("name")} required maxLength={200} />}
        </Field>
        <Field path="source_type" label={SOURCE_LABELS.source_type} error={errors.source_type}>
          {(a) => (
            <select {...a} value={form.source_type} onChange={set("source_type")}>
              {SOURCE_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field path="description" label={SOURCE_LABELS.description} error={errors.description}>
          {(a) => <input {...a} value={form.description} onInput={set("description")} maxLength={2000} />}
        </Field>
      </div>
      <div class="actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? "Saving…" : editing ? "Save changes" : "Create source"}
        </button>
        {editing && (
          <button type="button" class="btn" onClick={onDone}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
