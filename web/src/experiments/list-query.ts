import { SEARCH_MAX_LENGTH } from "../../../src/experiments/model";
import type { ExperimentStatus } from "../api/types";
import { withQuery } from "../ui/search";
import { STATUSES } from "./status";

/** What the experiments list shows: kept in the URL, so a filtered list can be shared and reloaded. */
export interface ListFilter {
  status: ExperimentStatus | undefined;
  /** The search as typed (the server trims it); "" is none. */
  q: string;
}

/** A status from a URL or a select; anything else (also "", meaning all) is no status. */
export const statusOf = (value: string | null): ExperimentStatus | undefined =>
  (STATUSES as readonly (string | null)[]).includes(value) ? (value as ExperimentStatus) : undefined;

/** The filter a URL asks for; a search is cut to what the API takes. */
export function readListFilter(query: URLSearchParams): ListFilter {
  return { status: statusOf(query.get("status")), q: (query.get("q") ?? "").slice(0, SEARCH_MAX_LENGTH) };
}

/** The list's address for a filter: only the parts that filter anything. */
export const listHref = (filter: ListFilter): string =>
  withQuery("/experiments", { status: filter.status, q: filter.q.trim() ? filter.q : undefined });

/** The API query for one page of the list. */
export function listApiQuery(filter: ListFilter, limit: number, cursor: string | undefined): Record<string, string> {
  return {
    limit: String(limit),
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.q.trim() ? { q: filter.q.trim() } : {}),
    ...(cursor ? { cursor } : {}),
  };
}
