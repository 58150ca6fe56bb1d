import type { Source } from "../api/types";
import { fmtNum, fmtTime } from "../ui/format";
import { Badge, Empty } from "../ui/status";
import { TableWrap, TableHead } from "../ui/TableWrap";

export function SourcesTable({ sources }: { sources: Source[] }) {
  return (
    <section class="panel" aria-labelledby="sources-h">
      <h2 id="sources-h">Data sources</h2>
      {sources.length === 0 ? (
        <Empty>No data sources registered. Events without a source still count.</Empty>
      ) : (
        <TableWrap label="Data sources table">
          <table>
            <TableHead columns={["Name", "Type", "Health", "Last event", { label: "Events (5 min)", num: true }]} />
            <tbody>
              {sources.map((s) => (
                <tr key={s.id}>
                  <th scope="row">
                    {s.name}
                    {s.description && <div class="muted small">{s.description}</div>}
                  </th>
                  <td>{s.source_type}</td>
                  <td>
                    <Badge kind={`health-${s.health.status}`}>{s.health.status}</Badge>
                  </td>
                  <td>{fmtTime(s.health.last_event_at)}</td>
                  <td class="num">{fmtNum(s.health.events_last_5m)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}
