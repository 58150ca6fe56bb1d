import { type ClientRequestOptions, type ClientResponse, hc } from "hono/client";
import type { SuccessStatusCode } from "hono/utils/http-status";
// Type-only: the Worker's route tree gives the client its paths, inputs and outputs; nothing of the
// server is bundled (verbatimModuleSyntax erases these imports; the build's size check would notice).
import type { AppType } from "../../../src/app";
import type { Problem } from "../../../src/http/problem";
import { getToken, setToken } from "../auth/session";
import { withBookmarks } from "./bookmark";

/** An answer other than 2xx, with the problem+json body when the server sent one. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | null;
  constructor(status: number, problem: Problem | null, fallback: string) {
    super(problem?.detail ?? problem?.title ?? fallback);
    this.status = status;
    this.problem = problem;
  }
  /** Field errors keyed by their dotted path (`variants.1.traffic_percentage`). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.problem?.errors ?? []) out[e.path] ??= e.message;
    return out;
  }
}

// Every call carries the latest D1 bookmark, so a read after a save sees the save (bookmark.ts).
const bookmarked = withBookmarks((input, init) => fetch(input, init));

const authedFetch: typeof fetch = async (input, init) => {
  const res = await bookmarked.fetch(input, init);
  // An expired or revoked token: drop it so the sign-in screen shows instead of endless errors.
  if (res.status === 401 && getToken()) setToken(null);
  return res;
};

const authHeaders = (): Record<string, string> => {
  const token = getToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
};

const options: ClientRequestOptions = { headers: authHeaders, fetch: authedFetch };

const client = hc<AppType>(location.origin, options);
export const api = client.api.v1;

export const streaming = api["streaming-analytics"];

export type SuccessBody<R> =
  R extends ClientResponse<infer B, infer S, infer _F> ? (S extends SuccessStatusCode ? B : never) : never;

async function toError(res: Response): Promise<ApiError> {
  let problem: Problem | null = null;
  try {
    problem = (await res.json()) as Problem;
  } catch {
    /* not JSON: keep the status text */
  }
  return new ApiError(res.status, problem, `${res.status} ${res.statusText}`);
}

const UNREACHABLE = "The service cannot be reached. Check your connection and try again.";

/** Awaits a typed call and returns its success body, or throws an ApiError carrying the problem. */
export async function unwrap<R extends ClientResponse<unknown, number, string>>(
  call: Promise<R>,
): Promise<SuccessBody<R>> {
  let res: R;
  try {
    res = await call;
  } catch {
    throw new ApiError(0, null, UNREACHABLE);
  }
  if (res.status === 204) return undefined as SuccessBody<R>;
  if (!res.ok) throw await toError(res as unknown as Response);
  return (await res.json()) as SuccessBody<R>;
}

/** The one untyped call (see `streaming` above): a single-use ticket for the WebSocket. */
export function fetchWsTicket(): Promise<{ ticket: string; expires_in: number }> {
  return unwrap(streaming["ws-ticket"].$post());
}
