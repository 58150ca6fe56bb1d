import { canWrite, useMe } from "../auth/session-context";
import { Link, navigate, useLocation } from "../router";
import { TableHead, TableWrap } from "../ui/TableWrap";
import { Empty, ErrorBox, Loading } from "../ui/status";
import { SearchBox } from "../ui/SearchBox";
import { matchesWords, withQuery } from "../ui/search";
import { useAsync } from "../ui/use-async";
import { listAllMetrics, type Metric, metricHref } from "./catalogue";
import { DIRECTION_LABELS, FORMAT_LABELS, KIND_LABELS } from "./labels";

/** Every word typed is in the metric's name, key or description. */
const metricMatches = (m: Pick<Metric, "key" | "name" | "description">, query: string): boolean =>
  matchesWords([m.key, m.name, m.description], query);

const capping = (m: Metric) =>
  m.capping === null ? "—" : m.capping.type === "absolute" ? `at ${m.capping.value}` : `at p${m.capping.value * 100}`;

/** The metric catalogue: how each metric_name is read, judged and shown in results. */
export function MetricList() {
  const me = useMe();
  const list = useAsync(listAllMetrics, []);
  const { query } = useLocation();
  const q = query.get("q") ?? "";
  const shown = list.data?.filter((m) => metricMatches(m, q)) ?? [];
  // The search lives in the URL, as on the flags list, so a filtered list can be shared.
  const search = (text: string) => navigate(withQuery("/metrics", { q: text }), true);
  return (
    <section aria-labelledby="metrics-h">
      <div class="page-head">
        <h1 id="metrics-h">Metrics</h1>
        {canWrite(me) && (
          <Link href="/metrics/new" class="btn btn-primary">
            New metric
          </Link>
        )}
      </div>
      <p class="muted">
        A definition tells the analysis how to read the results that carry its key as <code>metric_name</code>: per user
        or per event, which direction is good, and how to show the numbers. Experiments pick their primary, secondary
        and guardrail metrics from here.
      </p>
      {list.status === "error" && <ErrorBox error={list.error} onRetry={list.reload} />}
      {list.status === "loading" && !list.data && <Loading label="Loading metrics…" />}
      {list.data?.length === 0 && (
        <Empty>
          No metrics defined yet. Results with an undefined metric name are analysed as a sum per user, higher is
          better, shown as a number.
        </Empty>
      )}
      {list.data && list.data.length > 0 && (
        <SearchBox
          id="metrics-q"
          label="Search metrics"
          value={q}
          placeholder="name, key or description…"
          onInput={search}
          count={{ shown: shown.length, total: list.data.length }}
        />
      )}
      {list.data && list.data.length > 0 && shown.length === 0 && <Empty>No metric matches “{q}”.</Empty>}
      {shown.length > 0 && (
        <TableWrap label="Metric definitions">
          <table data-testid="metrics-table">
            <TableHead columns={["Name", "Key", "Kind", "Good when", "Format", "Capping"]} />
            <tbody>
              {shown.map((m) => (
                <tr key={m.id}>
                  <th scope="row">
                    <Link href={metricHref(m.key)}>{m.name}</Link>
                  </th>
                  <td class="mono">{m.key}</td>
                  <td>{KIND_LABELS[m.kind].label}</td>
                  <td>{DIRECTION_LABELS[m.direction]}</td>
                  <td>
                    {FORMAT_LABELS[m.format]}
                    {m.currency ? ` (${m.currency})` : ""}
                  </td>
                  <td>{capping(m)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}
