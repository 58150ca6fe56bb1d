import { Link } from "../router";
import { shortId, useSourceName } from "./store";

/**
 * A table cell naming an event's source. Never a raw id: a source not yet in the list is fetched
 * (store.ts), and one that is gone shows a short id on one line, the full id in its tooltip.
 */
export function SourceCell({ id, hint }: { id: string | null; hint?: string | null }) {
  const lookup = useSourceName();
  if (!id) return <td class="source-cell muted">—</td>;
  const found = lookup(id);
  // The caller's own name (the live snapshot) counts when it is a name, not the id echoed back.
  const name = found.known ? found.name : hint && hint !== id ? hint : null;
  return (
    <td class="source-cell" title={name ? undefined : id}>
      {name ? (
        <Link href={`/sources#source-${id}`}>{name}</Link>
      ) : (
        <span class="muted">
          Unknown source <span class="mono">{shortId(id)}</span>
        </span>
      )}
    </td>
  );
}
