import { useState } from "preact/hooks";
import { api, unwrap } from "../api/client";
import { SEARCH_MAX_LENGTH } from "../../../src/experiments/model";
import { canWrite, useMe } from "../auth/session-context";
import { Link, navigate, useLocation } from "../router";
import { fmtDate } from "../ui/format";
import { SearchBox } from "../ui/SearchBox";
import { Badge, Empty, ErrorBox, Loading } from "../ui/status";
import { useAsync } from "../ui/use-async";
import { audienceNotes, nextScheduled } from "./list-notes";
import { type ListFilter, listApiQuery, listHref, readListFilter, statusOf } from "./list-query";
import { STATUSES } from "./status";
import { TableWrap, TableHead } from "../ui/TableWrap";

const PAGE_SIZE = 20;

export function ExperimentList() {
  const me = useMe();
  const { query } = useLocation();
  const filter = readListFilter(query);
  const { status, q } = filter;
  const filterKey = listHref(filter);
  // Cursor pagination only moves forward; remembering the cursors we came through gives "Previous".
  // The stack belongs to one filter, so a filter change (also by the Back button) starts at page 1.
  const [stack, setStack] = useState<{ filterKey: string; cursors: (string | undefined)[] }>({
    filterKey,
    cursors: [undefined],
  });
  const cursors = stack.filterKey === filterKey ? stack.cursors : [undefined];
  const setCursors = (update: (c: (string | undefined)[]) => (string | undefined)[]) =>
    setStack({ filterKey, cursors: update(cursors) });
  const cursor = cursors[cursors.length - 1];

  const page = useAsync(
    () => unwrap(api["ab-testing"].experiments.$get({ query: listApiQuery(filter, PAGE_SIZE, cursor) })),
    [filterKey, cursor],
  );

  const setFilter = (next: Partial<ListFilter>) => navigate(listHref({ ...filter, ...next }), true);
  const searching = q.trim() !== "";

  return (
    <section aria-labelledby="exp-h">
      <div class="page-head">
        <h1 id="exp-h">Experiments</h1>
        {canWrite(me) && (
          <Link href="/experiments/new" class="btn btn-primary">
            New experiment
          </Link>
        )}
      </div>
      <SearchBox
        id="experiments-q"
        label="Search"
        value={q}
        maxLength={SEARCH_MAX_LENGTH}
        placeholder="name or key…"
        onInput={(text) => setFilter({ q: text })}
      >
        <label for="status-filter">Status</label>
        <select
          id="status-filter"
          value={status ?? ""}
          onChange={(e) => setFilter({ status: statusOf(e.currentTarget.value) })}
        >
          <option value="">All</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s[0]?.toUpperCase()}
              {s.slice(1)}
            </option>
          ))}
        </select>
        {page.status === "loading" && page.data && <Loading label="Updating…" />}
      </SearchBox>

      {page.status === "error" && <ErrorBox error={page.error} onRetry={page.reload} />}
      {page.status === "loading" && !page.data && <Loading label="Loading experiments…" />}
      {page.data &&
        (page.data.items.length === 0 ? (
          <Empty>
            {searching
              ? `No ${status ? `${status} ` : ""}experiment matches “${q.trim()}”.`
              : status
                ? `No ${status} experiments.`
                : "No experiments yet."}{" "}
            {canWrite(me) && !status && !searching && <Link href="/experiments/new">Create the first one</Link>}
          </Empty>
        ) : (
          <TableWrap label="Experiments table">
            <table>
              <caption class="visually-hidden">
                Experiments{status ? `, ${status}` : ""}
                {searching ? `, matching “${q.trim()}”` : ""}
              </caption>
              <TableHead
                columns={[
                  "Name",
                  "Status",
                  "Primary metric",
                  { label: "Variants", num: true },
                  { label: "Coverage", num: true },
                  "Updated",
                ]}
              />
              <tbody>
                {page.data.items.map((e) => {
                  const scheduled = nextScheduled(e);
                  return (
                    <tr key={e.id}>
                      <td>
                        <Link href={`/experiments/${encodeURIComponent(e.id)}`}>{e.experiment_name}</Link>
                        <div class="muted small mono">{e.key}</div>
                        {audienceNotes(e).map((note) => (
                          <div key={note} class="muted small" data-testid="audience-note">
                            {note}
                          </div>
                        ))}
                      </td>
                      <td>
                        <Badge kind={e.status}>{e.status}</Badge>
                        {scheduled && (
                          <div class="muted small" data-testid="schedule-note">
                            {scheduled.action} <time dateTime={scheduled.at}>{fmtDate(scheduled.at)}</time>
                          </div>
                        )}
                      </td>
                      <td>{e.primary_metric ?? "—"}</td>
                      <td class="num">{e.variants.length}</td>
                      <td class="num">{e.coverage}%</td>
                      <td>{fmtDate(e.updated_at)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableWrap>
        ))}
      {page.data && (cursors.length > 1 || page.data.next_cursor) && (
        <nav class="pager" aria-label="Pagination">
          <button
            type="button"
            class="btn"
            disabled={cursors.length <= 1}
            onClick={() => setCursors((c) => c.slice(0, -1))}
          >
            Previous
          </button>
          <span class="muted">Page {cursors.length}</span>
          <button
            type="button"
            class="btn"
            disabled={!page.data.next_cursor}
            onClick={() => {
              const next = page.data?.next_cursor;
              if (next) setCursors((c) => [...c, next]);
            }}
          >
            Next
          </button>
        </nav>
      )}
    </section>
  );
}
