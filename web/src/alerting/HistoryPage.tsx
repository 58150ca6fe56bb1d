import { useEffect, useRef, useState } from "preact/hooks";
import { RULE_FINGERPRINT_PREFIX } from "../../../src/streaming/model";
import { streaming, unwrap } from "../api/client";
import { wholeList } from "../api/pages";
import type { Alert } from "../api/types";
import { navigate, useLocation } from "../router";
import { useSourceName } from "../sources/store";
import { fmtDate, fmtTime } from "../ui/format";
import { Badge, Empty, ErrorBox, Loading } from "../ui/status";
import { useAsync } from "../ui/use-async";
import { AlertingNav } from "./AlertingNav";
import { alertMatches, queryTerms } from "./history-search";
import { buildTimeline, fmtDuration } from "./timeline";

const PAGE = 100;

/** Resolved alerts, loaded a page at a time, searched in the browser over everything loaded. */
function useResolved() {
  const [pages, setPages] = useState<{ items: Alert[]; next: string | null; loading: boolean; error: unknown }>({
    items: [],
    next: null,
    loading: true,
    error: null,
  });
  const load = async (cursor: string | null) => {
    setPages((p) => ({ ...p, loading: true, error: null }));
    try {
      const res = await unwrap(
        streaming.alerts.$get({ query: { status: "resolved", limit: String(PAGE), ...(cursor ? { cursor } : {}) } }),
      );
      setPages((p) => ({
        items: cursor ? [...p.items, ...res.items] : res.items,
        next: res.next_cursor,
        loading: false,
        error: null,
      }));
    } catch (error) {
      setPages((p) => ({ ...p, loading: false, error }));
    }
  };
  useEffect(() => {
    load(null);
  }, []);
  return { ...pages, more: () => pages.next && load(pages.next), reload: () => load(null) };
}

export function HistoryPage() {
  const { query } = useLocation();
  const q = query.get("q") ?? "";
  const selected = query.get("alert");
  const resolved = useResolved();
  const sourceName = useSourceName();
  const terms = queryTerms(q);
  const nameOf = (id: string) => {
    const n = sourceName(id);
    return n.known ? n.name : undefined;
  };
  const shown = resolved.items.filter((a) => alertMatches(a, terms, nameOf));
  const setParams = (next: { q?: string; alert?: string | null }) => {
    const p = new URLSearchParams(location.search);
    if (next.q !== undefined) next.q ? p.set("q", next.q) : p.delete("q");
    if (next.alert !== undefined) next.alert ? p.set("alert", next.alert) : p.delete("alert");
    const s = p.toString();
    navigate(`/alerting/history${s ? `?${s}` : ""}`, next.q !== undefined);
  };

  return (
    <section aria-labelledby="history-h">
      <h1 id="history-h">Alert history</h1>
      <AlertingNav current="/alerting/history" />
      {selected && <AlertDetail id={selected} onClose={() => setParams({ alert: null })} />}
      <search class="toolbar">
        <label for="history-q">Search resolved alerts</label>
        <input
          id="history-q"
          type="search"
          value={q}
          placeholder="title, note, person…"
          onInput={(e) => setParams({ q: e.currentTarget.value })}
        />
        <span class="muted small" role="status">
          {resolved.loading && resolved.items.length === 0
            ? ""
            : `${shown.length} of ${resolved.items.length} loaded${resolved.next ? " (more available)" : ""}`}
        </span>
      </search>
      {resolved.error !== null && <ErrorBox error={resolved.error} onRetry={resolved.reload} />}
      {resolved.loading && resolved.items.length === 0 && <Loading label="Loading resolved alerts…" />}
      {!resolved.loading && resolved.items.length === 0 && resolved.error === null && (
        <Empty>No resolved alerts yet.</Empty>
      )}
      {shown.length > 0 && (
        <ul class="op-cards history-list" data-testid="history-list">
          {shown.map((a) => (
            <li key={a.id} class="card op-card" data-alert-id={a.id}>
              <div class="op-card-head">
                <Badge kind={a.severity}>{a.severity}</Badge>
                <a
                  href={`/alerting/history?alert=${encodeURIComponent(a.id)}`}
                  onClick={(e) => {
                    e.preventDefault();
                    setParams({ alert: a.id });
                  }}
                >
                  {a.title}
                </a>
              </div>
              <p class="small muted">
                Opened {fmtDate(a.created_at)} · resolved {fmtDate(a.resolved_at)}
                {a.resolved_by && ` by ${a.resolved_by}`} · {a.notes.length} note{a.notes.length === 1 ? "" : "s"}
                {a.source_id && ` · ${sourceName(a.source_id).name}`}
              </p>
            </li>
          ))}
        </ul>
      )}
      {resolved.items.length > 0 && shown.length === 0 && <Empty>No loaded alert matches “{q}”.</Empty>}
      {resolved.next && (
        <button type="button" class="btn" onClick={resolved.more} disabled={resolved.loading}>
          {resolved.loading ? "Loading…" : "Load older alerts"}
        </button>
      )}
    </section>
  );
}

function AlertDetail({ id, onClose }: { id: string; onClose: () => void }) {
  const alert = useAsync(() => unwrap(streaming.alerts[":id"].$get({ param: { id } })), [id]);
  // Rule actions are recorded as `rule:<id>`; the rule's name is what a user knows it by.
  const rules = useAsync(() => wholeList(streaming["alert-rules"].$get), []);
  const ruleNames = new Map((rules.data?.items ?? []).map((r) => [`${RULE_FINGERPRINT_PREFIX}${r.id}`, r.name]));
  const actor = (by: string) => {
    const name = ruleNames.get(by);
    return name === undefined ? by : `rule “${name}”`;
  };
  const headingRef = useRef<HTMLHeadingElement>(null);
  const sourceName = useSourceName();
  useEffect(() => {
    if (alert.data) headingRef.current?.focus();
  }, [alert.data?.id]);
  if (alert.status === "error") return <ErrorBox error={alert.error} onRetry={alert.reload} />;
  if (!alert.data) return <Loading label="Loading alert…" />;
  const a = alert.data;
  const t = buildTimeline(a);
  return (
    <article class="card alert-detail" aria-labelledby="alert-detail-h" data-testid="alert-detail">
      <div class="page-head">
        <h2 id="alert-detail-h" tabIndex={-1} ref={headingRef}>
          {a.title}
        </h2>
        <button type="button" class="btn btn-small" onClick={onClose}>
          Close
        </button>
      </div>
      <p>
        <Badge kind={a.severity}>{a.severity}</Badge> <Badge kind={a.status}>{a.status}</Badge>
        {a.silenced && <Badge kind="silenced">silenced</Badge>}
      </p>
      {a.message && <p>{a.message}</p>}
      <dl class="facts">
        <div>
          <dt>Opened</dt>
          <dd>{fmtDate(a.created_at)}</dd>
        </div>
        <div>
          <dt>Time to acknowledge</dt>
          <dd>{fmtDuration(t.toAcknowledgeMs)}</dd>
        </div>
        <div>
          <dt>Time to resolve</dt>
          <dd>{fmtDuration(t.toResolveMs)}</dd>
        </div>
        <div>
          <dt>Occurrences</dt>
          <dd>{a.occurrences}</dd>
        </div>
        {a.source_id && (
          <div>
            <dt>Source</dt>
            <dd>{sourceName(a.source_id).name}</dd>
          </div>
        )}
      </dl>
      <h3>Timeline</h3>
      <ol class="timeline" data-testid="alert-timeline">
        {t.entries.map((e, i) => (
          <li key={`${e.at}-${i}`} class={`tl-${e.action}`}>
            <span class="tl-time">
              <time dateTime={e.at}>{fmtTime(e.at)}</time>
              <span class="muted small"> +{fmtDuration(e.offsetMs)}</span>
            </span>
            <span class="tl-what">
              <strong>{e.action}</strong>
              {e.by && <span class="muted"> by {actor(e.by)}</span>}
              {e.note && <span class="tl-note">“{e.note}”</span>}
            </span>
          </li>
        ))}
      </ol>
    </article>
  );
}
