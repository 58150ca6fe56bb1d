import { useEffect, useState } from "preact/hooks";
import { streaming } from "../api/client";
import { wholeList } from "../api/pages";
import type { Source } from "../api/types";

/**
 * The organization's data sources, shared by every view that shows a source by name. One list in
 * memory: a source created or edited on the sources page is seen at once everywhere, and a view
 * that meets an id it does not know refetches (throttled) instead of printing the id.
 */
let sources: Source[] | null = null;
let error: unknown = null;
let inflight: Promise<void> | null = null;
const listeners = new Set<() => void>();
/**
 * Ids we refetched for. Events name only sources that existed when they were accepted, so an id
 * still unknown after a fetch started later belongs to a deleted source: asking again is useless.
 */
const askedFor = new Set<string>();

const emit = () => {
  for (const l of listeners) l();
};

export function refreshSources(): Promise<void> {
  inflight ??= wholeList(streaming.sources.$get)
    .then(
      (res) => {
        sources = res.items;
        error = null;
      },
      (err: unknown) => {
        error = err;
      },
    )
    .finally(() => {
      inflight = null;
      emit();
    });
  return inflight;
}

/** A source our own call created or changed: shown at once, newest first like the API. */
export function upsertSource(s: Source): void {
  const list = sources ?? [];
  sources = list.some((x) => x.id === s.id) ? list.map((x) => (x.id === s.id ? s : x)) : [s, ...list];
  emit();
}

export function removeSource(id: string): void {
  sources = (sources ?? []).filter((x) => x.id !== id);
  emit();
}

export function useSources(): { sources: Source[] | null; error: unknown } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = () => setTick((n) => n + 1);
    listeners.add(l);
    if (sources === null) refreshSources();
    return () => {
      listeners.delete(l);
    };
  }, []);
  return { sources, error };
}

/** A short, non-wrapping stand-in for a source we cannot name (deleted, or not yet fetched). */
export const shortId = (id: string): string => (id.length > 10 ? `${id.slice(0, 8)}…` : id);

/**
 * A source's name by id. An id not in the list triggers one refetch, so a source created elsewhere
 * a moment ago is named on the next render instead of shown as a UUID.
 */
export function useSourceName(): (id: string | null) => { name: string; known: boolean } {
  const { sources: list } = useSources();
  const byId = new Map((list ?? []).map((s) => [s.id, s.name]));
  return (id) => {
    if (!id) return { name: "—", known: true };
    const name = byId.get(id);
    if (name !== undefined) return { name, known: true };
    if (list !== null && !inflight && !askedFor.has(id)) {
      askedFor.add(id);
      queueMicrotask(refreshSources);
    }
    return { name: "Unknown source", known: false };
  };
}
