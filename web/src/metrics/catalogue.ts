import type { InferResponseType } from "hono/client";
import { api, unwrap } from "../api/client";
import { collectPages } from "../api/pages";

const metrics = api["ab-testing"].metrics;
export type Metric = InferResponseType<(typeof metrics)[":id"]["$get"], 200>;

/** Every definition of the organization, following the cursor (catalogues are small; 500 a page). */
export async function listAllMetrics(): Promise<Metric[]> {
  const all = await collectPages((cursor) =>
    unwrap(metrics.$get({ query: { limit: "500", ...(cursor ? { cursor } : {}) } })),
  );
  return all.sort((a, b) => a.name.localeCompare(b.name));
}

/** The catalogue is addressed by key in the dashboard's URLs (`/metrics/<key>`), by id in the API. */
export async function findMetricByKey(key: string): Promise<Metric | null> {
  return (await listAllMetrics()).find((m) => m.key === key) ?? null;
}

export const metricHref = (key: string) => `/metrics/${encodeURIComponent(key)}`;
export const defineMetricHref = (key: string) => `/metrics/new?name=${encodeURIComponent(key)}`;
