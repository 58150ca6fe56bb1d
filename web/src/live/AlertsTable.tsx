import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { streaming, unwrap } from "../api/client";
import type { Alert } from "../api/types";
import { canWrite, useMe } from "../auth/session-context";
import { Link } from "../router";
import { useSourceName } from "../sources/store";
import { useDraft } from "../ui/Field";
import { fmtTime } from "../ui/format";
import { Badge, Empty, ErrorBox } from "../ui/status";
import { type AlertAction, SEVERITIES } from "../../../src/streaming/model";
import { focusTarget, type PendingFocus } from "./alert-focus";

type Action = AlertAction;
/** Most severe first (the model lists them least severe first). */
const severityRank = (s: Alert["severity"]) => -SEVERITIES.indexOf(s);

/**
 * Active alerts as cards: the actions sit under the title at every width (a table pushed them off a
 * phone's screen). After an action, focus returns to the alert's card, or, when a resolved alert
 * leaves the list, to the next one (or the heading), so a keyboard user never lands on <body>.
 */
export function AlertsTable({
  alerts,
  onUpdated,
}: {
  alerts: ReadonlyMap<string, Alert>;
  onUpdated: (a: Alert) => void;
}) {
  const me = useMe();
  const writable = canWrite(me);
  const [acting, setActing] = useState<{ id: string; action: Action } | null>(null);
  /** Where focus goes after an action; `leaves`: the alert was resolved and will leave the list. */
  const [focusAfter, setFocusAfter] = useState<PendingFocus | null>(null);
  const [announce, setAnnounce] = useState("");
  const listRef = useRef<HTMLUListElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const sourceName = useSourceName();
  // Open before acknowledged, then most severe, then newest: what needs a human comes first.
  const rows = [...alerts.values()].sort(
    (a, b) =>
      Number(a.status !== "open") - Number(b.status !== "open") ||
      severityRank(a.severity) - severityRank(b.severity) ||
      b.created_at.localeCompare(a.created_at),
  );

  // A layout effect, so focus moves in the same frame the list changes. For a resolved alert, wait
  // until the live store (which renders at most 4 times a second) has dropped it: focusing its card
  // before that would lose focus to <body> the moment the card unmounts.
  useLayoutEffect(() => {
    if (!focusAfter) return;
    const cards = [...(listRef.current?.querySelectorAll<HTMLElement>("[data-alert-id]") ?? [])];
    const target = focusTarget(
      focusAfter,
      cards.map((c) => c.dataset.alertId ?? ""),
      alerts.has(focusAfter.id),
    );
    if (target.kind === "wait") return;
    (target.kind === "card" ? cards.find((c) => c.dataset.alertId === target.id) : headingRef.current)?.focus();
    setFocusAfter(null);
  }, [focusAfter, alerts]);

  return (
    <section class="panel" aria-labelledby="alerts-h">
      <h2 id="alerts-h" tabIndex={-1} ref={headingRef}>
        Active alerts
      </h2>
      <p class="visually-hidden" role="status">
        {announce}
      </p>
      {rows.length === 0 ? (
        <Empty>
          No open or acknowledged alerts. Resolved ones are in the <Link href="/alerting/history">alert history</Link>.
        </Empty>
      ) : (
        <ul class="alert-cards" data-testid="alerts-table" ref={listRef}>
          {rows.map((a, index) => (
            <AlertCard
              key={a.id}
              alert={a}
              source={a.source_id ? sourceName(a.source_id).name : null}
              writable={writable}
              acting={acting?.id === a.id ? acting.action : null}
              setActing={(action) => {
                // A new action overrides a focus move still waiting for a resolved alert to leave.
                setFocusAfter(null);
                setActing(action ? { id: a.id, action } : null);
              }}
              onUpdated={(u, action) => {
                setActing(null);
                setAnnounce(`${action === "acknowledge" ? "Acknowledged" : "Resolved"} “${u.title}”.`);
                setFocusAfter({ id: u.id, index, leaves: u.status === "resolved" });
                onUpdated(u);
              }}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

interface CardProps {
  alert: Alert;
  source: string | null;
  writable: boolean;
  acting: Action | null;
  setActing: (a: Action | null) => void;
  onUpdated: (a: Alert, action: Action) => void;
}

function AlertCard({ alert: a, source, writable, acting, setActing, onUpdated }: CardProps) {
  const [note, setNote, typed] = useDraft("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [returnTo, setReturnTo] = useState<Action | null>(null);
  const noteId = `note-${a.id}`;
  const titleId = `alert-title-${a.id}`;
  const noteRef = useRef<HTMLTextAreaElement>(null);
  const buttons = { acknowledge: useRef<HTMLButtonElement>(null), resolve: useRef<HTMLButtonElement>(null) };
  // Focus the note once when the form opens (a ref callback would refocus on every live re-render).
  // A layout effect runs in the same commit as the render the click caused (a microtask), so keys
  // typed right after the click land in the note; a plain effect waits for the next frame, and on a
  // busy machine the first words went to the button instead.
  useLayoutEffect(() => {
    if (acting) noteRef.current?.focus();
  }, [acting]);
  // A cancelled form gives focus back to the button that opened it.
  useEffect(() => {
    if (returnTo && !acting) {
      buttons[returnTo].current?.focus();
      setReturnTo(null);
    }
  }, [returnTo, acting]);

  const cancel = () => {
    // Move focus now, while the form is still there: once it unmounts with focus inside it, the
    // browser drops focus to <body>, and a later effect can lose the race with a live re-render.
    if (acting) buttons[acting].current?.focus();
    setReturnTo(acting);
    setActing(null);
    setError(null);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!acting) return;
    setBusy(true);
    setError(null);
    const ep = streaming.alerts[":id"];
    const args = { param: { id: a.id }, json: typed.current.trim() ? { note: typed.current.trim() } : {} };
    try {
      const updated = await unwrap(acting === "acknowledge" ? ep.acknowledge.$post(args) : ep.resolve.$post(args));
      setNote("");
      onUpdated(updated, acting);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const last = a.notes[a.notes.length - 1];
  return (
    <li class={`alert-card sev-${a.severity}`} data-alert-id={a.id} tabIndex={-1} aria-labelledby={titleId}>
      <div class="alert-card-head">
        <Badge kind={a.severity}>{a.severity}</Badge>
        <strong id={titleId} class="alert-title">
          {a.title}
        </strong>
        <Badge kind={a.status}>{a.status}</Badge>
      </div>
      {a.message && <p class="muted small alert-message">{a.message}</p>}
      <p class="small muted alert-meta">
        Opened {fmtTime(a.created_at)} · seen {a.occurrences}×{source && <> · {source}</>}
        {a.acknowledged_by && <> · acknowledged by {a.acknowledged_by}</>}
        {a.silenced && <> · silenced</>}
      </p>
      {last && (
        <p class="small muted">
          Last note: “{last.text}” — {last.by}
        </p>
      )}
      {writable && (
        <div class="row-actions">
          {a.status === "open" && (
            <button
              type="button"
              class="btn btn-small"
              ref={buttons.acknowledge}
              aria-expanded={acting === "acknowledge"}
              aria-controls={`${noteId}-form`}
              onClick={() => (acting === "acknowledge" ? cancel() : setActing("acknowledge"))}
            >
              Acknowledge<span class="visually-hidden"> {a.title}</span>
            </button>
          )}
          <button
            type="button"
            class="btn btn-small"
            ref={buttons.resolve}
            aria-expanded={acting === "resolve"}
            aria-controls={`${noteId}-form`}
            onClick={() => (acting === "resolve" ? cancel() : setActing("resolve"))}
          >
            Resolve<span class="visually-hidden"> {a.title}</span>
          </button>
        </div>
      )}
      {acting && (
        <form
          id={`${noteId}-form`}
          class="inline-form action-form"
          onSubmit={submit}
          onKeyDown={(e) => {
            if (e.key === "Escape") {
              e.preventDefault();
              cancel();
            }
          }}
        >
          <label for={noteId}>
            Note for {acting === "acknowledge" ? "acknowledging" : "resolving"} “{a.title}” (optional)
          </label>
          <textarea
            id={noteId}
            rows={2}
            value={note}
            maxLength={5000}
            onInput={(e) => setNote(e.currentTarget.value)}
            ref={noteRef}
          />
          <div class="actions">
            <button type="submit" class="btn btn-primary" disabled={busy}>
              {busy ? "Saving…" : acting === "acknowledge" ? "Acknowledge alert" : "Resolve alert"}
            </button>
            <button type="button" class="btn" onClick={cancel}>
              Cancel
            </button>
          </div>
          {error !== null && <ErrorBox error={error} />}
        </form>
      )}
    </li>
  );
}
