/**
 * Dependency-free client for local evaluation, for browsers and other Workers.
 * It fetches the evaluation config once (then revalidates with ETag) and assigns users and
 * evaluates flags with the very modules the server uses, so a local answer equals the server's
 * answer for the same config. Like GrowthBook's SDK, the class only holds state and delegates.
 *
 *   const client = new ExperimentClient({ baseUrl, token, reportExposures: true });
 *   await client.refresh();
 *   const a = client.getVariant("checkout_button", userId, { country: "US" }); // Assignment | null
 *   const f = client.getFlag("new_checkout", userId, { country: "US" });      // { value, rule_index, reason }
 */
import { evaluateExperiment } from "../evaluation/evaluate";
import type { Assignment, ClientConfig, ClientExperiment } from "../experiments/model";
import { evaluateFlag, evaluateFlags } from "../flags/evaluate";
import type { ClientFlag, FlagEvaluation } from "../flags/model";
import { type Attributes, CONDITION_LIMITS } from "../targeting/model";
import { budgetShares } from "../targeting/condition";
import { ExposureReporter, type ExposureReporterOptions } from "./exposures";

export type {
  Assignment,
  ClientConfig,
  ClientExperiment,
  ClientVariant,
  ExperimentStatus,
  VariantType,
} from "../experiments/model";
export { EXPERIMENT_STATUSES, KEY_PATTERN, VARIANT_TYPES } from "../experiments/model";
export { bucketOf, fnv1a32, inNamespace, inRollout, namespaceBucket, pickVariant } from "../evaluation/bucketing";
export { evaluateExperiment } from "../evaluation/evaluate";
export { evaluateFlag, evaluateFlags } from "../flags/evaluate";
export type { ClientFlag, FlagEvaluation, FlagReason, FlagRule } from "../flags/model";
export { evalCondition } from "../targeting/condition";
export type { Attributes, Condition, Namespace, NotInExperimentReason } from "../targeting/model";
export {
  type ExposureInput,
  type ExposureReport,
  ExposureReporter,
  type ExposureReporterOptions,
  type Scheduler,
} from "./exposures";

/** An answer of the SDK: the server's Assignment (with `reason` when it is not an exposure). */
export type ClientAssignment = Assignment;

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
  /**
   * Report exposures to `POST /exposures` in batches (first in-experiment answer per experiment
   * and user): `true` for the defaults, or the batching options (maxBatch, flushIntervalMs, clock,
   * scheduler...). Call `flushExposures()` before the process or page goes away.
   */
  reportExposures?: boolean | Omit<ExposureReporterOptions, "baseUrl" | "token" | "fetch">;
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
  readonly #reporter: ExposureReporter | null;
  #config: ClientConfig | null;
  #byKey = new Map<string, ClientExperiment>();
  #flags = new Map<string, ClientFlag>();
  #etag: string | null = null;
  #fetchedAt = 0;
  #inflight: Promise<boolean> | null = null;
  #seen = new Set<string>();
  /** Variants this client answered in-experiment, by experiment key and user: they keep the user there. */
  #shown = new Map<string, string>();

  constructor(options: ExperimentClientOptions) {
    this.#url = `${options.baseUrl.replace(/\/+$/, "")}/api/v1/ab-testing/config`;
    this.#token = options.token;
    // Wrapped rather than stored bare: browsers throw "Illegal invocation" when fetch is
    // called with a `this` other than window.
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#refreshMs = (options.refreshSeconds ?? 60) * 1000;
    this.#onExposure = options.onExposure;
    const report = options.reportExposures;
    this.#reporter =
      report === undefined || report === false
        ? null
        : new ExposureReporter({
            ...(report === true ? {} : report),
            baseUrl: options.baseUrl,
            token: options.token,
            fetch: this.#fetch,
          });
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
   * config does not hold it (unknown key, not loaded yet, draft). `attributes` feed the
   * experiment's targeting (`id` defaults to userId); an answer that is not an exposure carries
   * `reason` (targeting, namespace, coverage, paused, completed). A paused experiment answers the
   * control and a completed one its winner (or the control), as `POST /assign` does.
   *
   * A user this client already answered in-experiment keeps that variant when a targeting change
   * would now leave them out (docs/targeting.md). `exposed` (`{ experiment_key: variant_key }`)
   * carries earlier answers this client did not give itself (another process, a stored cookie).
   */
  getVariant(
    experimentKey: string,
    userId: string,
    attributes?: Attributes,
    exposed?: Readonly<Record<string, string>>,
  ): ClientAssignment | null {
    const experiment = this.#byKey.get(experimentKey);
    if (experiment === undefined) return null;
    return this.#assign(experiment, userId, attributes, { steps: CONDITION_LIMITS.stepBudget }, exposed);
  }

  /** The user's assignments in every experiment of the config, in config order (`exposed`: as getVariant). */
  getAssignments(
    userId: string,
    attributes?: Attributes,
    exposed?: Readonly<Record<string, string>>,
  ): ClientAssignment[] {
    const out: ClientAssignment[] = [];
    const experiments = this.#config?.experiments ?? [];
    const share = budgetShares(CONDITION_LIMITS.stepBudget, experiments.length);
    for (const e of experiments) {
      const a = this.#assign(e, userId, attributes, share(), exposed);
      if (a !== null) out.push(a);
    }
    return out;
  }

  /**
   * The flag's value for this user, evaluated locally: `{ value, rule_index, reason }` exactly as
   * `POST /flags/evaluate` answers; reason `not_found` (value null) for a key not in the config.
   */
  getFlag(flagKey: string, userId: string, attributes?: Attributes): FlagEvaluation {
    const flag = this.#flags.get(flagKey);
    if (flag === undefined) return { value: null, rule_index: null, reason: "not_found" };
    return evaluateFlag(flag, userId, attributes);
  }

  /** Every flag of the config (or those named) for this user, keyed by flag key. */
  getFlags(userId: string, attributes?: Attributes, keys?: readonly string[]): Record<string, FlagEvaluation> {
    return evaluateFlags(this.#config?.flags ?? [], userId, attributes, keys);
  }

  /** Sends the exposures queued for `POST /exposures` now (no-op without reportExposures). */
  flushExposures(): Promise<void> {
    return this.#reporter?.flush() ?? Promise.resolve();
  }

  /** The exposure reporter's counters, or null without reportExposures. */
  get exposureStats(): ExposureReporter["stats"] | null {
    return this.#reporter?.stats ?? null;
  }

  #assign(
    experiment: ClientExperiment,
    userId: string,
    attributes: Attributes | undefined,
    budget: { steps: number },
    exposed: Readonly<Record<string, string>> | undefined,
  ): ClientAssignment | null {
    const shownKey = `${experiment.key}\u0000${userId}`;
    const given = exposed !== undefined && Object.hasOwn(exposed, experiment.key) ? exposed[experiment.key] : undefined;
    const result = evaluateExperiment(experiment, userId, attributes, budget, given ?? this.#shown.get(shownKey));
    if (result.kind !== "assigned") return null;
    const a = result.assignment;
    if (a.in_experiment && this.#shown.get(shownKey) !== a.variant_key) {
      if (this.#shown.size >= MAX_SEEN_EXPOSURES) this.#shown.clear();
      this.#shown.set(shownKey, a.variant_key);
    }
    this.#expose(a, userId);
    return a;
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
    // Stopped first, so a key that is (malformed config) in both answers as running.
    this.#byKey = new Map([...(config.stopped_experiments ?? []), ...config.experiments].map((e) => [e.key, e]));
    this.#flags = new Map((config.flags ?? []).map((f) => [f.key, f]));
  }

  #expose(a: Assignment, userId: string): void {
    if (!a.in_experiment || (this.#onExposure === undefined && this.#reporter === null)) return;
    const key = `${a.experiment_id}\u0000${userId}`;
    if (this.#seen.has(key)) return;
    if (this.#seen.size >= MAX_SEEN_EXPOSURES) this.#seen.clear();
    this.#seen.add(key);
    this.#reporter?.add({ experiment_key: a.experiment_key, variant_key: a.variant_key, user_id: userId });
    if (this.#onExposure === undefined) return;
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
  const { experiments, flags, stopped_experiments } = value as {
    experiments?: unknown;
    flags?: unknown;
    stopped_experiments?: unknown;
  };
  if (!Array.isArray(experiments) || !experiments.every(isClientExperiment)) return false;
  if (
    stopped_experiments !== undefined &&
    !(Array.isArray(stopped_experiments) && stopped_experiments.every(isClientExperiment))
  )
    return false;
  return flags === undefined || (Array.isArray(flags) && flags.every(isClientFlag));
}

function isClientExperiment(e: unknown): boolean {
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
}

function isClientFlag(f: unknown): boolean {
  if (typeof f !== "object" || f === null) return false;
  const x = f as Record<string, unknown>;
  return typeof x.key === "string" && typeof x.enabled === "boolean" && Array.isArray(x.rules);
}
