import type { ComponentChildren } from "preact";

/**
 * A horizontally (or vertically) scrolling table container. It is focusable and named so keyboard
 * users can scroll it too (axe: scrollable-region-focusable), which matters on phones where wide
 * tables scroll sideways.
 */
export function TableWrap({ label, tall, children }: { label: string; tall?: boolean; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <section class={tall ? "table-wrap tall" : "table-wrap"} aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}

/**
 * A header column: its label, right-aligned when it heads numbers. `hidden`: the label is for
 * screen readers only (a column of row buttons); a header cell must never be empty (axe:
 * empty-table-header), or a screen reader announces the cells under it without a name.
 */
export type Column = string | { label: string; num: true } | { label: string; hidden: true };

/** The header row every data table shares: scoped column headers, numeric ones right-aligned. */
export function TableHead({ columns }: { columns: readonly Column[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c) =>
          typeof c === "string" ? (
            <th scope="col" key={c}>
              {c}
            </th>
          ) : "hidden" in c ? (
            <th scope="col" key={c.label}>
              <span class="visually-hidden">{c.label}</span>
            </th>
          ) : (
            <th scope="col" class="num" key={c.label}>
              {c.label}
            </th>
          ),
        )}
      </tr>
    </thead>
  );
}
