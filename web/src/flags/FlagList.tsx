import { canWrite, useMe } from "../auth/session-context";
import { Link } from "../router";
import { fmtTime } from "../ui/format";
import { Badge, Empty, ErrorBox, Loading } from "../ui/status";
import { TableHead, TableWrap } from "../ui/TableWrap";
import { useAsync } from "../ui/use-async";
import { flagHref, listAllFlags } from "./catalogue";
import { valueText } from "./flag-draft";

/** Every feature flag: whether it is on, what it serves by default, and how many rules decide. */
export function FlagList() {
  const me = useMe();
  const list = useAsync(listAllFlags, []);
  return (
    <section aria-labelledby="flags-h">
      <div class="page-head">
        <h1 id="flags-h">Feature flags</h1>
        {canWrite(me) && (
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
        <TableWrap label="Flags table">
          <table data-testid="flags-table">
            <TableHead columns={["Key", "Status", "Type", "Default", { label: "Rules", num: true }, "Updated"]} />
            <tbody>
              {list.data.map((f) => (
                <tr key={f.id} data-flag-key={f.key}>
                  <th scope="row">
                    <Link href={flagHref(f.key)} class="mono">
                      {f.key}
                    </Link>
                    {f.description && <div class="muted small">{f.description}</div>}
                  </th>
                  <td>
                    <Badge kind={f.enabled ? "flag-on" : "flag-off"}>{f.enabled ? "on" : "off"}</Badge>
                  </td>
                  <td>{f.value_type}</td>
                  <td class="mono">{valueText(f.value_type, f.default_value) || '""'}</td>
                  <td class="num">{f.rules.length}</td>
                  <td class="nowrap">{fmtTime(f.updated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}
