import type { ComponentChildren } from "preact";

/**
 * A list's search toolbar (experiments, flags, metrics): a labelled search box whose text the page
 * keeps in the URL, the page's other filters beside it, and "n of m" when the page filters locally.
 */
export function SearchBox(p: {
  id: string;
  label: string;
  value: string;
  placeholder: string;
  onInput: (text: string) => void;
  maxLength?: number;
  /** Shown / all, for a list filtered in the browser. */
  count?: { shown: number; total: number };
  children?: ComponentChildren;
}) {
  return (
    <search class="toolbar">
      <label for={p.id}>{p.label}</label>
      <input
        id={p.id}
        type="search"
        value={p.value}
        maxLength={p.maxLength}
        placeholder={p.placeholder}
        onInput={(e) => p.onInput(e.currentTarget.value)}
      />
      {p.children}
      {p.count && (
        <span class="muted small" role="status">
          {p.count.shown} of {p.count.total}
        </span>
      )}
    </search>
  );
}
