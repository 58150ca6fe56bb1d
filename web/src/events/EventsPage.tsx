import { useEffect, useRef, useState } from "preact/hooks";
import { streaming, unwrap } from "../api/client";
import type { StreamEvent } from "../api/types";
import { navigate, useLocation } from "../router";
import { SourceCell } from "../sources/SourceCell";
import { useSources } from "../sources/store";
import { fmtDate } from "../ui/format";
import { Empty, ErrorBox, Loading } from "../ui/status";
import { TableHead, TableWrap } from "../ui/TableWrap";
import { Field, useDraft } from "../ui/Field";
import {
  type EventFilters,
  filtersToSearch,
  PROCESSED_CHOICES,
  parseFilters,
  RANGES,
  rangeError,
  toApiQuery,
} from "./filters";

const PAGE = 50;

const preview = (payload: unknown): string => {
  const s = payload === null || payload === undefined ? "" : JSON.stringify(payload);
  return s.length > 80 ? `${s.slice(0, 79)}…` : s || "—";
};

export function EventsPage() {
  const { query } = useLocation();
  const filters = parseFilters(query);
  const search = filtersToSearch(filters);
  const [draft, setDraft, latest] = useDraft<EventFilters>(filters);
  // A reversed custom range is refused at its "To" field (a shared link with one too), never asked for.
  const [rangeProblem, setRangeProblem] = useState(() => rangeError(filters));
  const [rows, setRows] = useState<{ items: StreamEvent[]; next: string | null; loading: boolean; error: unknown }>({
    items: [],
    next: null,
    loading: true,
    error: null,
  });
  const [open, setOpen] = useState<StreamEvent | null>(null);
  const generation = useRef(0);
  const { sources } = useSources();

  // The URL is the truth (Back and shared links work); the form edits a draft of it. The draft is
  // reset only when the URL changes: resetting it on mount too (effects run after the first paint)
  // wiped whatever had been typed into the form in between.
  const draftOf = useRef(search);
  useEffect(() => {
    if (draftOf.current === search) return;
    draftOf.current = search;
    const parsed = parseFilters(new URLSearchParams(search));
    setDraft(parsed);
    setRangeProblem(rangeError(parsed));
  }, [search]);

  const load = async (cursor: string | null) => {
    const gen = ++generation.current;
    const q = toApiQuery(parseFilters(new URLSearchParams(search)), Date.now());
    if ("error" in q) {
      setRows({ items: [], next: null, loading: false, error: null });
      return;
    }
    setRows((r) => ({ ...r, loading: true, error: null }));
    try {
      const res = await unwrap(
        streaming.events.$get({ query: { ...q.query, limit: String(PAGE), ...(cursor ? { cursor } : {}) } }),
      );
      if (gen !== generation.current) return;
      setRows((r) => ({
        items: cursor ? [...r.items, ...res.items] : res.items,
        next: res.next_cursor,
        loading: false,
        error: null,
      }));
    } catch (error) {
      if (gen === generation.current) setRows((r) => ({ ...r, loading: false, error }));
    }
  };
  useEffect(() => {
    setOpen(null);
    load(null);
  }, [search]);

  const apply = (e: Event) => {
    e.preventDefault();
    const problem = rangeError(latest.current);
    setRangeProblem(problem);
    if (problem) document.getElementById("f-until")?.focus();
    else navigate(`/events${filtersToSearch(latest.current)}`);
  };
  const set = (k: keyof EventFilters) => (e: Event) => {
    const next = setDraft((d) => ({ ...d, [k]: (e.currentTarget as HTMLInputElement).value }));
    // The message goes as soon as the range is right (or no longer custom).
    if (rangeProblem) setRangeProblem(rangeError(next));
  };

  return (
    <section aria-labelledby="events-page-h">
      <h1 id="events-page-h">Events</h1>
      <form class="card filters" onSubmit={apply} aria-label="Event filters" data-testid="event-filters">
        <div class="field">
          <label for="ev-type">Event type</label>
          <input id="ev-type" value={draft.type} onInput={set("type")} spellcheck={false} />
        </div>
        <div class="field">
          <label for="ev-source">Source</label>
          <select id="ev-source" value={draft.source} onChange={set("source")}>
            <option value="">Any source</option>
            {(sources ?? []).map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="ev-processed">Processed</label>
          <select id="ev-processed" value={draft.processed} onChange={set("processed")}>
            {PROCESSED_CHOICES.map((c) => (
              <option key={c.key} value={c.key}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="ev-range">Time</label>
          <select id="ev-range" value={draft.range} onChange={set("range")}>
            {RANGES.map((r) => (
              <option key={r.key} value={r.key}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
        {draft.range === "custom" && (
          <>
            <Field path="since" label="From">
              {(a) => <input {...a} type="datetime-local" value={draft.since} onInput={set("since")} />}
            </Field>
            <Field path="until" label="To" error={rangeProblem ?? undefined}>
              {(a) => <input {...a} type="datetime-local" value={draft.until} onInput={set("until")} />}
            </Field>
          </>
        )}
        <div class="actions">
          <button type="submit" class="btn btn-primary">
            Apply filters
          </button>
          {search && (
            <button type="button" class="btn" onClick={() => navigate("/events")}>
              Clear
            </button>
          )}
        </div>
      </form>

      {open && <PayloadPanel event={open} onClose={() => setOpen(null)} />}
      {rows.error !== null && <ErrorBox error={rows.error} onRetry={() => load(null)} />}
      {rows.loading && rows.items.length === 0 && <Loading label="Loading events…" />}
      {!rows.loading && rows.items.length === 0 && rows.error === null && !rangeError(filters) && (
        <Empty>No events match these filters.</Empty>
      )}
      {rows.items.length > 0 && (
        <TableWrap label="Events table">
          <table data-testid="event-browser">
            <TableHead columns={["Time", "Type", "Source", "Payload", { label: "Actions", hidden: true }]} />
            <tbody>
              {rows.items.map((e) => (
                <tr key={e.event_id} data-event-id={e.event_id}>
                  <td class="nowrap">{fmtDate(e.timestamp)}</td>
                  <td class="mono">{e.event_type}</td>
                  <SourceCell id={e.source_id} />
                  <td class="mono small payload-cell">{preview(e.payload)}</td>
                  <td>
                    <button type="button" class="btn btn-small" onClick={() => setOpen(e)}>
                      View
                      <span class="visually-hidden">
                        {" "}
                        payload of {e.event_type} at {fmtDate(e.timestamp)}
                      </span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {rows.next && (
        <button type="button" class="btn" onClick={() => load(rows.next)} disabled={rows.loading}>
          {rows.loading ? "Loading…" : "Load older events"}
        </button>
      )}
    </section>
  );
}

function PayloadPanel({ event: e, onClose }: { event: StreamEvent; onClose: () => void }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), [e.event_id]);
  return (
    <article
      class="card payload-panel"
      aria-labelledby="payload-h"
      data-testid="payload-panel"
      onKeyDown={(k) => k.key === "Escape" && onClose()}
    >
      <div class="page-head">
        <h2 id="payload-h" tabIndex={-1} ref={ref}>
          <span class="mono">{e.event_type}</span> at {fmtDate(e.timestamp)}
        </h2>
        <button type="button" class="btn btn-small" onClick={onClose}>
          Close
        </button>
      </div>
      <dl class="facts">
        <div>
          <dt>Event id</dt>
          <dd class="mono small break">{e.event_id}</dd>
        </div>
        <div>
          <dt>Received</dt>
          <dd>{fmtDate(e.received_at)}</dd>
        </div>
        <div>
          <dt>Processed</dt>
          <dd>{e.processed ? `yes, ${fmtDate(e.processed_at)}` : "no"}</dd>
        </div>
      </dl>
      <h3 id="payload-body-h">Payload</h3>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable block must be reachable by keyboard */}
      <section class="payload" tabIndex={0} aria-labelledby="payload-body-h">
        <pre data-testid="payload">{e.payload === null ? "(no payload)" : JSON.stringify(e.payload, null, 2)}</pre>
      </section>
    </article>
  );
}
