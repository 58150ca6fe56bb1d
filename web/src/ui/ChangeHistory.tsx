import { fmtTime } from "./format";
import { actionLabel, changeLines, type HistoryEntry } from "./change-history";
import { Empty, ErrorBox, Loading } from "./status";
import { useAsync } from "./use-async";

/**
 * Who changed what, newest first: the audit history of one flag, experiment or metric. `load`
 * fetches the first page (50 changes; the API pages further with its cursor).
 */
export function ChangeHistory({
  load,
  deps,
  headingId,
}: {
  load: () => Promise<{ items: HistoryEntry[]; next_cursor: string | null }>;
  deps: unknown[];
  headingId: string;
}) {
  const history = useAsync(load, deps);
  return (
    <section class="card change-history" aria-labelledby={headingId}>
      <h2 id={headingId}>History</h2>
      {history.status === "error" && <ErrorBox error={history.error} onRetry={history.reload} />}
      {history.status === "loading" && !history.data && <Loading label="Loading history…" />}
      {history.data?.items.length === 0 && <Empty>No changes recorded yet.</Empty>}
      {history.data && history.data.items.length > 0 && (
        <ol class="history-entries" data-testid="change-history">
          {history.data.items.map((e, i) => (
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
                  {changeLines(e).map((line) => (
                    <li key={line}>{line}</li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ol>
      )}
      {history.data?.next_cursor && <p class="muted small">Older changes: GET the history with its next_cursor.</p>}
    </section>
  );
}
