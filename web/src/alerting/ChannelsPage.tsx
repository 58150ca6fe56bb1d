import { useState } from "preact/hooks";
import { ApiError, streaming, unwrap } from "../api/client";
import { wholeList } from "../api/pages";
import { canWrite, useMe } from "../auth/session-context";
import { ErrorSummary, Field, labelsFor, useDraft } from "../ui/Field";
import { CopyButton } from "../ui/Snippets";
import { plainErrors, refusalMessage } from "../ui/form-errors";
import { fmtTime } from "../ui/format";
import { Badge, Empty, ErrorBox, Loading } from "../ui/status";
import { TableHead, TableWrap } from "../ui/TableWrap";
import { useAsync } from "../ui/use-async";
import { SEVERITIES, type Severity } from "../../../src/streaming/model";
import { CHANNEL_TYPES, type ChannelType, NOTIFY_EVENTS, type NotifyEvent } from "../../../src/streaming/notify/model";
import { AlertingNav } from "./AlertingNav";
import type { Channel, ChannelCreated, Delivery } from "./types";

interface Form {
  name: string;
  type: ChannelType;
  url: string;
  min_severity: Severity;
  notify_on: NotifyEvent[];
}
const blank = (): Form => ({
  name: "",
  type: "webhook",
  url: "",
  min_severity: "warning",
  notify_on: [...NOTIFY_EVENTS],
});

/** Each field's label: shown by its Field and named by the error summary (one list, no DOM lookup). */
const CHANNEL_LABELS = {
  name: "Name",
  type: "Type",
  min_severity: "Minimum severity",
  url: "URL",
} as const;

export function ChannelsPage() {
  const me = useMe();
  const writable = canWrite(me);
  const channels = useAsync(() => wholeList(streaming.channels.$get), []);
  const [created, setCreated] = useState<ChannelCreated | null>(null);
  const [open, setOpen] = useState<string | null>(null);

  return (
    <section aria-labelledby="channels-h">
      <h1 id="channels-h">Notification channels</h1>
      <AlertingNav current="/alerting/channels" />
      {writable && (
        <ChannelForm
          onCreated={(c) => {
            setCreated(c);
            setOpen(c.id);
            channels.reload();
          }}
        />
      )}
      {created && (
        <div class="notice" role="status" data-testid="channel-secret">
          <p>
            <strong>Channel “{created.name}” created.</strong> Its signing secret is shown only now: store it where your
            receiver checks <code>X-Signature</code>.
          </p>
          <p>
            <label for="channel-secret">Secret</label>{" "}
            <input id="channel-secret" class="mono secret" readOnly value={created.secret} size={40} />{" "}
            <CopyButton text={created.secret} label="the secret" target="channel-secret" />
          </p>
          <button type="button" class="btn btn-small" onClick={() => setCreated(null)}>
            I have stored it
          </button>
        </div>
      )}
      <h2>Channels</h2>
      {channels.status === "error" && <ErrorBox error={channels.error} onRetry={channels.reload} />}
      {!channels.data && channels.status === "loading" && <Loading label="Loading channels…" />}
      {channels.data &&
        (channels.data.items.length === 0 ? (
          <Empty>No channels yet. Alerts reach only an open browser until one is added.</Empty>
        ) : (
          <ul class="op-cards" data-testid="channels-list">
            {channels.data.items.map((c) => (
              <ChannelCard
                key={c.id}
                channel={c}
                writable={writable}
                open={open === c.id}
                onToggle={() => setOpen(open === c.id ? null : c.id)}
                onChanged={channels.reload}
              />
            ))}
          </ul>
        ))}
    </section>
  );
}

function ChannelCard(props: {
  channel: Channel;
  writable: boolean;
  open: boolean;
  onToggle: () => void;
  onChanged: () => void;
}) {
  const { channel: c, writable, open, onToggle, onChanged } = props;
  const [error, setError] = useState<unknown>(null);
  const [testResult, setTestResult] = useState<Delivery | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [logVersion, setLogVersion] = useState(0);
  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const test = () =>
    act(async () => {
      setTestResult(await unwrap(streaming.channels[":id"].test.$post({ param: { id: c.id } })));
      setLogVersion((n) => n + 1);
    });
  const toggle = () =>
    act(async () => {
      await unwrap(streaming.channels[":id"].$patch({ param: { id: c.id }, json: { enabled: !c.enabled } }));
      onChanged();
    });
  const remove = () =>
    act(async () => {
      await unwrap(streaming.channels[":id"].$delete({ param: { id: c.id } }));
      onChanged();
    });
  const logId = `deliveries-${c.id}`;

  return (
    <li class="card op-card" data-channel-id={c.id}>
      <div class="op-card-head">
        <strong>{c.name}</strong>
        <Badge kind={c.enabled ? "channel-on" : "channel-off"}>{c.enabled ? "enabled" : "disabled"}</Badge>
        <span class="muted small">{c.type}</span>
      </div>
      <p class="small mono url">{c.url}</p>
      <p class="small muted">
        {c.min_severity} and above · on {c.notify_on.join(", ")}
      </p>
      <div class="row-actions">
        {writable && (
          <button type="button" class="btn btn-small" onClick={test} disabled={busy}>
            Send test<span class="visually-hidden"> to {c.name}</span>
          </button>
        )}
        <button type="button" class="btn btn-small" aria-expanded={open} aria-controls={logId} onClick={onToggle}>
          Delivery log<span class="visually-hidden"> of {c.name}</span>
        </button>
        {writable && (
          <button type="button" class="btn btn-small" onClick={toggle} disabled={busy}>
            {c.enabled ? "Disable" : "Enable"}
            <span class="visually-hidden"> {c.name}</span>
          </button>
        )}
        {writable &&
          (confirming ? (
            <>
              <button type="button" class="btn btn-small btn-danger" onClick={remove} disabled={busy}>
                Delete {c.name}?
              </button>
              <button type="button" class="btn btn-small" onClick={() => setConfirming(false)}>
                Keep
              </button>
            </>
          ) : (
            <button type="button" class="btn btn-small btn-danger" onClick={() => setConfirming(true)}>
              Delete<span class="visually-hidden"> {c.name}</span>
            </button>
          ))}
      </div>
      {testResult && (
        <p class="small" role="status" data-testid="test-result">
          Test {testResult.status === "delivered" ? "delivered" : `not delivered yet (${testResult.status})`}
          {testResult.last_status_code !== null && `: HTTP ${testResult.last_status_code}`}
          {testResult.last_error && ` — ${testResult.last_error}`}
        </p>
      )}
      {error !== null && <ErrorBox error={error} />}
      {open && <DeliveryLog id={logId} channelId={c.id} version={logVersion} />}
    </li>
  );
}

function DeliveryLog({ id, channelId, version }: { id: string; channelId: string; version: number }) {
  const log = useAsync(
    () => unwrap(streaming.channels[":id"].deliveries.$get({ param: { id: channelId }, query: { limit: "50" } })),
    [channelId, version],
  );
  return (
    <div id={id} class="delivery-log">
      <div class="page-head">
        <h3>Delivery log</h3>
        <button type="button" class="btn btn-small" onClick={log.reload}>
          Refresh
        </button>
      </div>
      {log.status === "error" && <ErrorBox error={log.error} onRetry={log.reload} />}
      {!log.data && log.status === "loading" && <Loading label="Loading deliveries…" />}
      {log.data &&
        (log.data.items.length === 0 ? (
          <Empty>Nothing sent yet.</Empty>
        ) : (
          <TableWrap label="Delivery log table">
            <table data-testid="delivery-log">
              <TableHead
                columns={[
                  "Created",
                  "Event",
                  "Status",
                  { label: "Attempts", num: true },
                  "Last answer",
                  "Next attempt",
                ]}
              />
              <tbody>
                {log.data.items.map((d) => (
                  <tr key={d.id}>
                    <td class="nowrap">{fmtTime(d.created_at)}</td>
                    <td>{d.event}</td>
                    <td>
                      <Badge kind={`delivery-${d.status}`}>{d.status}</Badge>
                    </td>
                    <td class="num">{d.attempts}</td>
                    <td class="small">
                      {d.last_status_code !== null ? `HTTP ${d.last_status_code}` : ""}
                      {d.last_error ? ` ${d.last_error}` : ""}
                      {d.last_status_code === null && !d.last_error ? "—" : ""}
                    </td>
                    <td class="nowrap">{fmtTime(d.next_attempt_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        ))}
    </div>
  );
}

function ChannelForm({ onCreated }: { onCreated: (c: ChannelCreated) => void }) {
  const [form, setForm, latest] = useDraft<Form>(blank);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof Form) => (e: Event) =>
    setForm((f) => ({ ...f, [k]: (e.currentTarget as HTMLInputElement).value }));
  const toggleEvent = (ev: NotifyEvent) =>
    setForm((f) => ({
      ...f,
      notify_on: f.notify_on.includes(ev) ? f.notify_on.filter((x) => x !== ev) : [...f.notify_on, ev],
    }));

  const submit = async (e: Event) => {
    e.preventDefault();
    setErrors({});
    setMessage(null);
    const form = latest.current;
    if (form.notify_on.length === 0) {
      setErrors({ notify_on: "Pick at least one alert change to send." });
      return;
    }
    setBusy(true);
    try {
      const created = await unwrap(streaming.channels.$post({ json: { ...form, enabled: true } }));
      setForm(blank());
      onCreated(created);
    } catch (err) {
      if (err instanceof ApiError) {
        setErrors(plainErrors(err.fieldErrors()));
        setMessage(refusalMessage(err, "channel"));
      } else setMessage(String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card form op-form" onSubmit={submit} aria-labelledby="channel-form-h">
      <h2 id="channel-form-h">New channel</h2>
      <ErrorSummary errors={errors} message={message} labelOf={labelsFor(CHANNEL_LABELS)} />
      <div class="grid-2">
        <Field path="name" label={CHANNEL_LABELS.name} error={errors.name}>
          {(a) => <input {...a} value={form.name} onInput={set("name")} maxLength={200} />}
        </Field>
        <Field path="type" label={CHANNEL_LABELS.type} error={errors.type}>
          {(a) => (
            <select {...a} value={form.type} onChange={set("type")}>
              {CHANNEL_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t === "webhook" ? "Webhook (signed JSON)" : "Slack incoming webhook"}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          path="url"
          label={CHANNEL_LABELS.url}
          error={errors.url}
          help="https only (http://127.0.0.1 or localhost when the deployment allows it)."
        >
          {(a) => <input {...a} type="url" value={form.url} onInput={set("url")} spellcheck={false} />}
        </Field>
        <Field path="min_severity" label={CHANNEL_LABELS.min_severity} error={errors.min_severity}>
          {(a) => (
            <select {...a} value={form.min_severity} onChange={set("min_severity")}>
              {SEVERITIES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <fieldset class={`checks${errors.notify_on ? " has-error" : ""}`}>
        <legend>Send when an alert is</legend>
        {NOTIFY_EVENTS.map((ev) => (
          <label key={ev} class="check">
            <input type="checkbox" checked={form.notify_on.includes(ev)} onChange={() => toggleEvent(ev)} /> {ev}
          </label>
        ))}
        {errors.notify_on && <p class="field-error">{errors.notify_on}</p>}
      </fieldset>
      <div class="actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? "Creating…" : "Create channel"}
        </button>
      </div>
    </form>
  );
}
