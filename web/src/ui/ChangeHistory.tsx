import { useState } from "preact/hooks";
import { fmtTime } from "./format";
import { actionLabel, changeLines, type HistoryEntry } from "./change-history";
import { Empty, ErrorBox, Loading } from "./status";
import { useAsync } from "./use-async";

type HistoryPage = { items: HistoryEntry[]; next_cursor: string | null };

/** Older pages fetched after `first`: they belong to that first page and are dropped when it reloads. */
interface Older {
  first: HistoryPage;
  items: HistoryEntry[];
  next_cursor: string | null;
}

/**
 * Who changed what, newest first: the audit history of one flag, experiment or metric. `load(cursor)`
 * fetches a page (the API's 50 changes); "Show older changes" follows the cursor and appends.
 */
export function ChangeHistory({
  load,
  deps,
  headingId,
  labels,
}: {
  load: (cursor: string | undefined) => Promise<HistoryPage>;
  deps: unknown[];
  headingId: string;
  /** Names for ids the changes carry (an experiment's variant ids → keys). */
  labels?: ReadonlyMap<string, string>;
}) {
  const history = useAsync(() => load(undefined), deps);
  const [olderState, setOlder] = useState<Older | null>(null);
  const [busy, setBusy] = useState(false);
  const [olderError, setOlderError] = useState<unknown>(null);
  const first = history.data;
  // A reload of the first page (a new change saved) starts the list again from the newest.
  const older = olderState && olderState.first === first ? olderState : null;
  const items = first ? [...first.items, ...(older?.items ?? [])] : [];
  const nextCursor = older ? older.next_cursor : (first?.next_cursor ?? null);

  const showOlder = async () => {
    if (!first || !nextCursor) return;
    setBusy(true);
    setOlderError(null);
    try {
      const page = await load(nextCursor);
      setOlder({ first, items: [...(older?.items ?? []), ...page.items], next_cursor: page.next_cursor });
    } catch (error) {
      setOlderError(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card change-history" aria-labelledby={headingId}>
      <h2 id={headingId}>History</h2>
      {history.status === "error" && <ErrorBox error={history.error} onRetry={history.reload} />}
      {history.status === "loading" && !first && <Loading label="Loading history…" />}
      {first?.items.length === 0 && <Empty>No changes recorded yet.</Empty>}
      {items.length > 0 && (
        <ol class="history-entries" data-testid="change-history">
          {items.map((e, i) => (
            <li key={`${e.at}-${i}`}>
              <div>
                <strong>{actionLabel(e.action)}</strong> by <span class="mono">{e.actor}</span>
                <span class="muted small">
                  {" · "}
                  <time dateTime={e.at}>{fmtTime(e.at)}</time>
                </span>
              </div>
              {e.reason && <p class="small">{e.reason}</p>}
              {Object.keys(e.changes).length > 0 && (
                <ul class="small mono change-lines">
                  {changeLines(e, labels).map((line) => (
                    <li key={line}>{line}</li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ol>
      )}
      {olderError !== null && <ErrorBox error={olderError} onRetry={showOlder} />}
      {nextCursor && olderError === null && (
        <button type="button" class="btn" disabled={busy} aria-busy={busy} onClick={showOlder}>
          {busy ? "Loading older changes…" : "Show older changes"}
        </button>
      )}
    </section>
  );
}
