import type { Env } from "../env";
import { emitExperimentChanged } from "../experiments/events";
import { orgObject } from "../streaming/org-stub";
import { deleteOrgRows } from "./org-data";

export interface DeletionProgress {
  done: boolean;
  /** D1 rows this call deleted. */
  rows: number;
}

/**
 * One step of deleting an organization's data: a bounded share of its D1 rows, and, once none are
 * left, its object's storage. Every step is idempotent, so a caller repeats until `done` (and a
 * repeat after that finds nothing and is done again); a failure part-way loses nothing but time.
 */
export async function deleteOrganizationData(env: Env, org: string, by: string): Promise<DeletionProgress> {
  const d1 = await deleteOrgRows(env.DB, org);
  if (d1.done) await orgObject(env, org).eraseAll();
  // This isolate's assignment cache forgets the organization now; others within their TTL.
  emitExperimentChanged(org);
  console.log(
    JSON.stringify({ level: "info", event: "org_data_deleted", org, by, d1_rows: d1.rows, complete: d1.done }),
  );
  return d1;
}
