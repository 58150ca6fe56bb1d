import { useState } from "preact/hooks";
import { api, unwrap } from "../api/client";
import { canWrite, useMe } from "../auth/session-context";
import { Link, navigate, useLocation } from "../router";
import { fmtTime } from "../ui/format";
import { Badge, Empty, ErrorBox, Loading } from "../ui/status";
import { SearchBox } from "../ui/SearchBox";
import { TableHead, TableWrap } from "../ui/TableWrap";
import { useAsync } from "../ui/use-async";
import { type Flag, flagHref, listAllFlags } from "./catalogue";
import { flagListHref, flagMatches, ruleSummary, shownValue, toggleWarning } from "./flag-draft";
import { STALE_AFTER_DAYS, type Staleness, staleness } from "./flag-health";

/** Rules shown in a row; the rest are counted. */
const RULES_SHOWN = 3;

/** Every feature flag: whether it is on, what it serves by default, and how many rules decide. */
export function FlagList() {
  const me = useMe();
  const writable = canWrite(me);
  const { query } = useLocation();
  const q = query.get("q") ?? "";
  const staleOnly = query.get("stale") === "1";
  const list = useAsync(listAllFlags, []);
  // Read once per render, so the list, its count and each row's hint agree.
  const now = Date.now();
  const staleById = new Map((list.data ?? []).map((f) => [f.id, staleness(f, now)]));
  const shown = list.data?.filter((f) => flagMatches(f, q) && (!staleOnly || staleById.get(f.id))) ?? [];
  const staleCount = [...staleById.values()].filter(Boolean).length;
  // The search and the pick live in the URL, so a filtered list can be shared and survives a reload.
  const search = (text: string) => navigate(flagListHref(text, staleOnly), true);
  return (
    <section aria-labelledby="flags-h">
      <div class="page-head">
        <h1 id="flags-h">Feature flags</h1>
        {writable && (
          <Link href="/flags/new" class="btn btn-primary">
            New flag
          </Link>
        )}
      </div>
      <p class="muted">
        A flag gives each user a value: the first rule whose condition matches and whose rollout holds them, otherwise
        the default. Edge clients and the SDKs evaluate flags locally from <code>GET /config</code>; raising a rollout
        never takes the value away from a user who had it.
      </p>
      {list.status === "error" && <ErrorBox error={list.error} onRetry={list.reload} />}
      {list.status === "loading" && !list.data && <Loading label="Loading flags…" />}
      {list.data?.length === 0 && <Empty>No flags yet. Create one to roll a change out gradually.</Empty>}
      {list.data && list.data.length > 0 && (
        <>
          <SearchBox
            id="flags-q"
            label="Search flags"
            value={q}
            placeholder="key or description…"
            onInput={search}
            count={{ shown: shown.length, total: list.data.length }}
          >
            <label class="check">
              <input
                type="checkbox"
                id="flags-stale"
                checked={staleOnly}
                onChange={(e) => navigate(flagListHref(q, e.currentTarget.checked), true)}
              />{" "}
              Stale only ({staleCount})
            </label>
          </SearchBox>
          {shown.length === 0 ? (
            <Empty>
              {staleOnly && !q
                ? `No stale flag: every flag still serves different users different values, or changed in the last ${STALE_AFTER_DAYS} days.`
                : `No ${staleOnly ? "stale " : ""}flag matches “${q}”.`}
            </Empty>
          ) : (
            <TableWrap label="Flags table">
              <table data-testid="flags-table" class="stack-on-phone">
                <TableHead
                  columns={[
                    "Key",
                    "Status",
                    "Type",
                    "Default",
                    "Rules",
                    "Updated",
                    ...(writable ? [{ label: "Actions", hidden: true } as const] : []),
                  ]}
                />
                <tbody>
                  {shown.map((f) => (
                    <FlagRow
                      key={f.id}
                      flag={f}
                      writable={writable}
                      onChanged={list.reload}
                      stale={staleById.get(f.id) ?? null}
                    />
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
        </>
      )}
    </section>
  );
}

/**
 * One flag, with its switch: the kill switch an incident needs without opening the flag. It says
 * what the change will do and asks first, since it reaches every client at its next refresh.
 */
function FlagRow({
  flag: f,
  writable,
  onChanged,
  stale,
}: {
  flag: Flag;
  writable: boolean;
  onChanged: () => void;
  stale: Staleness | null;
}) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const toggle = async () => {
    setBusy(true);
    setError(null);
    try {
      await unwrap(api["ab-testing"].flags[":id"].$patch({ param: { id: f.id }, json: { enabled: !f.enabled } }));
      setConfirming(false);
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const verb = f.enabled ? "Turn off" : "Turn on";
  return (
    <tr data-flag-key={f.key}>
      <th scope="row">
        <Link href={flagHref(f.key)} class="mono">
          {f.key}
        </Link>
        {f.description && <div class="muted small">{f.description}</div>}
      </th>
      <td data-label="Status">
        <Badge kind={f.enabled ? "flag-on" : "flag-off"}>{f.enabled ? "on" : "off"}</Badge>
        {stale && (
          <div class="muted small" data-testid="flag-stale">
            stale: {stale.value} for everyone, unchanged {stale.days} days
          </div>
        )}
      </td>
      <td data-label="Type">{f.value_type}</td>
      <td class="mono" data-label="Default">
        {shownValue(f.value_type, f.default_value)}
      </td>
      <td data-label="Rules">
        {f.rules.length === 0 ? (
          <span class="muted small">none: everyone gets the default</span>
        ) : (
          <ol class="flag-rule-summary small mono">
            {f.rules.slice(0, RULES_SHOWN).map((r, i) => (
              <li key={i}>{ruleSummary(f.value_type, r)}</li>
            ))}
            {f.rules.length > RULES_SHOWN && <li class="muted">and {f.rules.length - RULES_SHOWN} more</li>}
          </ol>
        )}
      </td>
      <td class="nowrap" data-label="Updated">
        {fmtTime(f.updated_at)}
      </td>
      {writable && (
        <td>
          {confirming ? (
            <div class="flag-confirm">
              <p class="small">{toggleWarning(f)}</p>
              <div class="row-actions">
                <button
                  type="button"
                  class={`btn btn-small${f.enabled ? " btn-danger" : " btn-primary"}`}
                  disabled={busy}
                  onClick={toggle}
                >
                  {verb} {f.key}
                </button>
                <button type="button" class="btn btn-small" onClick={() => setConfirming(false)}>
                  Cancel
                </button>
              </div>
            </div>
          ) : (
            <button type="button" class="btn btn-small" onClick={() => setConfirming(true)}>
              {verb}…<span class="visually-hidden"> {f.key}</span>
            </button>
          )}
          {error !== null && <ErrorBox error={error} />}
        </td>
      )}
    </tr>
  );
}
