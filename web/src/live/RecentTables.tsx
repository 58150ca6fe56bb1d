import type { Prediction, StreamEvent } from "../api/types";
import { SourceCell } from "../sources/SourceCell";
import { fmtConfidence, fmtMs, fmtTime } from "../ui/format";
import { Empty } from "../ui/status";
import { TableWrap, TableHead } from "../ui/TableWrap";

const short = (v: unknown, max = 60): string => {
  const s = typeof v === "string" ? v : (JSON.stringify(v) ?? "");
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};

export function EventsTable({
  events,
  sourceName,
}: {
  events: StreamEvent[];
  /** The live view's names (from its snapshot); ids it does not know are looked up (SourceCell). */
  sourceName: (id: string | null) => string;
}) {
  return (
    <section class="panel" aria-labelledby="events-h">
      <h2 id="events-h">Recent events</h2>
      {events.length === 0 ? (
        <Empty>No events yet. POST them to /api/v1/streaming-analytics/events.</Empty>
      ) : (
        <TableWrap label="Recent events table" tall>
          <table data-testid="events-table">
            <TableHead columns={["Time", "Type", "Source", "Payload", "Processed"]} />
            <tbody>
              {events.map((e) => (
                <tr key={e.event_id}>
                  <td class="nowrap">{fmtTime(e.timestamp)}</td>
                  <td class="mono">{e.event_type}</td>
                  <SourceCell id={e.source_id} hint={e.source_id ? sourceName(e.source_id) : null} />
                  <td class="mono small">{e.payload ? short(e.payload) : "—"}</td>
                  <td>{e.processed ? "yes" : "no"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}

export function PredictionsTable({ predictions }: { predictions: Prediction[] }) {
  return (
    <section class="panel" aria-labelledby="preds-h">
      <h2 id="preds-h">Recent predictions</h2>
      {predictions.length === 0 ? (
        <Empty>No predictions yet.</Empty>
      ) : (
        <TableWrap label="Recent predictions table" tall>
          <table data-testid="predictions-table">
            <TableHead
              columns={[
                "Time",
                "Model",
                "Prediction",
                { label: "Confidence", num: true },
                { label: "Latency", num: true },
              ]}
            />
            <tbody>
              {predictions.map((p) => (
                <tr key={p.id}>
                  <td class="nowrap">{fmtTime(p.timestamp)}</td>
                  <td>
                    {p.model_name}
                    {p.model_version && <span class="muted small"> {p.model_version}</span>}
                  </td>
                  <td class="mono small">{short(p.prediction, 40)}</td>
                  <td class="num">{fmtConfidence(p.confidence)}</td>
                  <td class="num nowrap">{p.latency_ms === null ? "—" : `${fmtMs(p.latency_ms)} ms`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}
