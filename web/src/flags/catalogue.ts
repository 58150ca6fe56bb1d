import type { InferResponseType } from "hono/client";
import { api } from "../api/client";
import { wholeList } from "../api/pages";

const flags = api["ab-testing"].flags;
export type Flag = InferResponseType<(typeof flags)[":id"]["$get"], 200>;

/** Every flag of the organization, following the cursor (500 a page), by key. */
export async function listAllFlags(): Promise<Flag[]> {
  const { items } = await wholeList(flags.$get);
  return items.sort((a, b) => a.key.localeCompare(b.key));
}

/** Flags are addressed by key in the dashboard's URLs (`/flags/<key>`), by id in the API. */
export async function findFlagByKey(key: string): Promise<Flag | null> {
  return (await listAllFlags()).find((f) => f.key === key) ?? null;
}

export const flagHref = (key: string) => `/flags/${encodeURIComponent(key)}`;
