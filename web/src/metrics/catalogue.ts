import type { InferResponseType } from "hono/client";
import { api } from "../api/client";
import { wholeList } from "../api/pages";

const metrics = api["ab-testing"].metrics;
export type Metric = InferResponseType<(typeof metrics)[":id"]["$get"], 200>;

/** Every definition of the organization, following the cursor (catalogues are small; 500 a page). */
export async function listAllMetrics(): Promise<Metric[]> {
  const { items } = await wholeList(metrics.$get);
  return items.sort((a, b) => a.name.localeCompare(b.name));
}

/** The catalogue is addressed by key in the dashboard's URLs (`/metrics/<key>`), by id in the API. */
export async function findMetricByKey(key: string): Promise<Metric | null> {
  return (await listAllMetrics()).find((m) => m.key === key) ?? null;
}

export const metricHref = (key: string) => `/metrics/${encodeURIComponent(key)}`;
export const defineMetricHref = (key: string) => `/metrics/new?name=${encodeURIComponent(key)}`;
