import { useEffect, useRef, useState } from "preact/hooks";
import { streaming, unwrap } from "../api/client";
import type { Alert } from "../api/types";
import { canWrite, useMe } from "../auth/session-context";
import { fmtTime } from "../ui/format";
import { Badge, Empty, ErrorBox } from "../ui/status";
import { TableWrap } from "../ui/TableWrap";

const SEVERITY_RANK: Record<Alert["severity"], number> = { critical: 0, error: 1, warning: 2, info: 3 };
type Action = "acknowledge" | "resolve";

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
  // Open before acknowledged, then most severe, then newest: what needs a human comes first.
  const rows = [...alerts.values()].sort(
    (a, b) =>
      Number(a.status !== "open") - Number(b.status !== "open") ||
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      b.created_at.localeCompare(a.created_at),
  );

  return (
    <section class="panel" aria-labelledby="alerts-h">
      <h2 id="alerts-h">Active alerts</h2>
      {rows.length === 0 ? (
        <Empty>No open or acknowledged alerts.</Empty>
      ) : (
        <TableWrap label="Active alerts table">
          <table data-testid="alerts-table">
            <thead>
              <tr>
                <th scope="col">Severity</th>
                <th scope="col">Alert</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">
                  Seen
                </th>
                <th scope="col">Opened</th>
                {writable && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((a) => (
                <AlertRow
                  key={a.id}
                  alert={a}
                  writable={writable}
                  acting={acting?.id === a.id ? acting.action : null}
                  setActing={(action) => setActing(action ? { id: a.id, action } : null)}
                  onUpdated={(u) => {
                    setActing(null);
                    onUpdated(u);
                  }}
                />
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}

interface RowProps {
  alert: Alert;
  writable: boolean;
  acting: Action | null;
  setActing: (a: Action | null) => void;
  onUpdated: (a: Alert) => void;
}

function AlertRow({ alert: a, writable, acting, setActing, onUpdated }: RowProps) {
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const noteId = `note-${a.id}`;
  const noteRef = useRef<HTMLTextAreaElement>(null);
  // Focus the note once when the form opens (a ref callback would refocus on every live re-render).
  useEffect(() => {
    if (acting) noteRef.current?.focus();
  }, [acting]);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!acting) return;
    setBusy(true);
    setError(null);
    const ep = streaming.alerts[":id"];
    const args = { param: { id: a.id }, json: note.trim() ? { note: note.trim() } : {} };
    try {
      const updated = await unwrap(acting === "acknowledge" ? ep.acknowledge.$post(args) : ep.resolve.$post(args));
      setNote("");
      onUpdated(updated);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <tr data-alert-id={a.id}>
        <td>
          <Badge kind={a.severity}>{a.severity}</Badge>
        </td>
        <td>
          <strong>{a.title}</strong>
          {a.message && <div class="muted small">{a.message}</div>}
          {a.notes.length > 0 && (
            <div class="small muted">
              Last note: “{a.notes[a.notes.length - 1]?.text}” — {a.notes[a.notes.length - 1]?.by}
            </div>
          )}
        </td>
        <td>
          <Badge kind={a.status}>{a.status}</Badge>
          {a.acknowledged_by && <div class="small muted">by {a.acknowledged_by}</div>}
        </td>
        <td class="num">{a.occurrences}×</td>
        <td>{fmtTime(a.created_at)}</td>
        {writable && (
          <td>
            <div class="row-actions">
              {a.status === "open" && (
                <button
                  type="button"
                  class="btn btn-small"
                  aria-expanded={acting === "acknowledge"}
                  aria-controls={`${noteId}-form`}
                  onClick={() => setActing(acting === "acknowledge" ? null : "acknowledge")}
                >
                  Acknowledge<span class="visually-hidden"> {a.title}</span>
                </button>
              )}
              <button
                type="button"
                class="btn btn-small"
                aria-expanded={acting === "resolve"}
                aria-controls={`${noteId}-form`}
                onClick={() => setActing(acting === "resolve" ? null : "resolve")}
              >
                Resolve<span class="visually-hidden"> {a.title}</span>
              </button>
            </div>
          </td>
        )}
      </tr>
      {acting && (
        <tr class="action-row">
          <td colSpan={writable ? 6 : 5}>
            <form id={`${noteId}-form`} class="inline-form" onSubmit={submit}>
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
                <button type="button" class="btn" onClick={() => setActing(null)}>
                  Cancel
                </button>
              </div>
              {error !== null && <ErrorBox error={error} />}
            </form>
          </td>
        </tr>
      )}
    </>
  );
}
