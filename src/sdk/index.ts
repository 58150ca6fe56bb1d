/**
 * Dependency-free client for local evaluation, for browsers and other Workers.
 * It fetches the evaluation config once (then revalidates with ETag) and assigns users with
 * the very modules the server uses, so a local answer equals `POST /assign`'s answer for
 * the same config. Like GrowthBook's SDK, the class only holds state and delegates.
 *
 *   const client = new ExperimentClient({ baseUrl, token });
 *   await client.refresh();
 *   const a = client.getVariant("checkout_button", userId); // Assignment | null
 */
import { evaluateAll, evaluateExperiment } from "../assignment/evaluate";
import type { Assignment, ClientConfig, ClientExperiment } from "../experiments/model";

export type {
  Assignment,
  ClientConfig,
  ClientExperiment,
  ClientVariant,
  ExperimentStatus,
  VariantType,
} from "../experiments/model";
export { EXPERIMENT_STATUSES, KEY_PATTERN, VARIANT_TYPES } from "../experiments/model";
export { bucketOf, fnv1a32, pickVariant } from "../assignment/bucketing";
export { evaluateExperiment } from "../assignment/evaluate";

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ExperimentClientOptions {
  /** Service origin, e.g. "https://experiments.example.com" (a trailing slash is fine). */
  baseUrl: string;
  /** JWT with the `assign` scope, or a function returning a fresh one (tokens expire). */
  token: string | (() => string | Promise<string>);
  /** Defaults to the global fetch; pass the binding's fetch from another Worker. */
  fetch?: FetchLike;
  /** ensureFresh() refetches when the config is older than this. Default 60. */
  refreshSeconds?: number;
  /** A config to evaluate with before the first refresh (e.g. rendered by the server). */
  initialConfig?: ClientConfig;
  /** Called on the first in-experiment answer per (experiment, user) in this client. */
  onExposure?: (assignment: Assignment, userId: string) => void;
}

export class ExperimentClientError extends Error {
  override readonly name = "ExperimentClientError";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

// Bounds the exposure de-duplication memory of a long-lived client.
const MAX_SEEN_EXPOSURES = 10_000;

export class ExperimentClient {
  readonly #url: string;
  readonly #token: ExperimentClientOptions["token"];
  readonly #fetch: FetchLike;
  readonly #refreshMs: number;
  readonly #onExposure: ExperimentClientOptions["onExposure"];
  #config: ClientConfig | null;
  #byKey = new Map<string, ClientExperiment>();
  #etag: string | null = null;
  #fetchedAt = 0;
  #inflight: Promise<boolean> | null = null;
  #seen = new Set<string>();

  constructor(options: ExperimentClientOptions) {
    this.#url = `${options.baseUrl.replace(/\/+$/, "")}/api/v1/ab-testing/config`;
    this.#token = options.token;
    // Wrapped rather than stored bare: browsers throw "Illegal invocation" when fetch is
    // called with a `this` other than window.
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#refreshMs = (options.refreshSeconds ?? 60) * 1000;
    this.#onExposure = options.onExposure;
    this.#config = null;
    if (options.initialConfig) this.#setConfig(options.initialConfig);
  }

  /** The config in use, or null before the first successful refresh. */
  get config(): ClientConfig | null {
    return this.#config;
  }

  /**
   * Fetches the config, revalidating with If-None-Match. Resolves true when the config
   * changed, false on 304. Concurrent calls share one request. On an error the previous
   * config stays in use and the returned promise rejects with ExperimentClientError.
   */
  refresh(): Promise<boolean> {
    this.#inflight ??= this.#doRefresh().finally(() => {
      this.#inflight = null;
    });
    return this.#inflight;
  }

  /** Refreshes only when the config is missing or older than refreshSeconds. */
  async ensureFresh(): Promise<void> {
    if (this.#config === null || Date.now() - this.#fetchedAt >= this.#refreshMs) {
      await this.refresh();
    }
  }

  /**
   * The user's assignment in the experiment with this key, evaluated locally; null when the
   * config does not hold it (unknown key, not loaded yet, draft).
   */
  getVariant(experimentKey: string, userId: string): Assignment | null {
    const experiment = this.#byKey.get(experimentKey);
    if (experiment === undefined) return null;
    const result = evaluateExperiment(experiment, userId);
    if (result.kind !== "assigned") return null;
    this.#expose(result.assignment, userId);
    return result.assignment;
  }

  /** The user's assignments in every experiment of the config, in config order. */
  getAssignments(userId: string): Assignment[] {
    const all = evaluateAll(this.#config?.experiments ?? [], userId);
    for (const a of all) this.#expose(a, userId);
    return all;
  }

  async #doRefresh(): Promise<boolean> {
    const token = typeof this.#token === "function" ? await this.#token() : this.#token;
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      accept: "application/json",
    };
    if (this.#etag !== null && this.#config !== null) headers["if-none-match"] = this.#etag;
    const res = await this.#fetch(this.#url, { method: "GET", headers });
    if (res.status === 304) {
      this.#fetchedAt = Date.now();
      return false;
    }
    if (!res.ok) {
      throw new ExperimentClientError(`GET config failed with ${res.status}`, res.status);
    }
    const body: unknown = await res.json().catch(() => undefined);
    if (!isClientConfig(body)) {
      throw new ExperimentClientError("GET config returned an unexpected body", res.status);
    }
    this.#setConfig(body);
    this.#etag = res.headers.get("etag");
    this.#fetchedAt = Date.now();
    return true;
  }

  #setConfig(config: ClientConfig): void {
    this.#config = config;
    this.#byKey = new Map(config.experiments.map((e) => [e.key, e]));
  }

  #expose(a: Assignment, userId: string): void {
    if (!a.in_experiment || this.#onExposure === undefined) return;
    const key = `${a.experiment_id}\u0000${userId}`;
    if (this.#seen.has(key)) return;
    if (this.#seen.size >= MAX_SEEN_EXPOSURES) this.#seen.clear();
    this.#seen.add(key);
    // A throwing callback must not break the caller's rendering path.
    try {
      this.#onExposure(a, userId);
    } catch {
      /* swallowed on purpose */
    }
  }
}

/**
 * A shallow structural check instead of a schema library: enough to refuse an HTML error
 * page or a different API version without giving the SDK a dependency.
 */
function isClientConfig(value: unknown): value is ClientConfig {
  if (typeof value !== "object" || value === null) return false;
  const { experiments } = value as { experiments?: unknown };
  if (!Array.isArray(experiments)) return false;
  return experiments.every((e: unknown) => {
    if (typeof e !== "object" || e === null) return false;
    const x = e as Record<string, unknown>;
    return (
      typeof x.id === "string" &&
      typeof x.key === "string" &&
      typeof x.seed === "string" &&
      typeof x.status === "string" &&
      typeof x.coverage === "number" &&
      Array.isArray(x.variants)
    );
  });
}
