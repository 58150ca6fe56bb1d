/**
 * Which D1 tables hold an organization's rows, in the order they can be emptied: children before
 * the parents their foreign keys point to. Pure: it works on a plain description of the schema, so
 * the ordering is tested case by case; src/ops/org-data.ts derives that description from drizzle.
 */

export interface TableInfo {
  name: string;
  /** Whether the table carries an `org_id` column (every tenant table does). */
  hasOrgId: boolean;
  /** Tables this one's foreign keys reference. */
  parents: readonly string[];
}

/** Tenant tables, each after every tenant table that references it; throws on a foreign-key cycle. */
export function deletionOrder(tables: readonly TableInfo[]): string[] {
  const tenant = new Map(tables.filter((t) => t.hasOrgId).map((t) => [t.name, t]));
  const children = new Map<string, string[]>();
  for (const t of tenant.values()) {
    for (const p of t.parents) {
      if (p !== t.name && tenant.has(p)) children.set(p, [...(children.get(p) ?? []), t.name]);
    }
  }
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  // Depth-first: a table is emitted only after all of its children; names sorted for a stable order.
  const visit = (name: string) => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") throw new Error(`foreign-key cycle through ${name}`);
    state.set(name, "visiting");
    for (const child of [...(children.get(name) ?? [])].sort()) visit(child);
    state.set(name, "done");
    order.push(name);
  };
  for (const name of [...tenant.keys()].sort()) visit(name);
  return order;
}
