/**
 * The experiment vocabulary, written once: statuses, lifecycle moves, variant types, the key
 * pattern, the variant limit, the percentage rule, and the wire shapes of an evaluated
 * experiment and an assignment. Drizzle (src/db/schema.ts), zod (schemas.ts, results-schemas.ts,
 * src/assignment/*schema*), the SDK (src/sdk/) and the dashboard (web/src/) derive from here.
 *
 * Zod-free and free of runtime imports on purpose: the SDK and the dashboard bundle this module,
 * and the dashboard's build guard (web/vite.config.ts) lists it as browser-safe. (The type-only
 * imports below are erased when bundling.)
 */
import type { ClientFlag } from "../flags/model";
import type { Condition, Namespace, NotInExperimentReason } from "../targeting/model";

export const EXPERIMENT_STATUSES = ["draft", "running", "paused", "completed"] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];

export const VARIANT_TYPES = ["control", "treatment"] as const;
export type VariantType = (typeof VARIANT_TYPES)[number];

const LIFECYCLE_ACTIONS = ["start", "pause", "complete"] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];

/** Which statuses each action leaves from, and where it lands (docs/guide: draft -> running <-> paused -> completed). */
export const TRANSITIONS: Readonly<
  Record<LifecycleAction, { readonly from: readonly ExperimentStatus[]; readonly to: ExperimentStatus }>
> = {
  start: { from: ["draft", "paused"], to: "running" },
  pause: { from: ["running"], to: "paused" },
  complete: { from: ["running", "paused"], to: "completed" },
};

/** The actions allowed from `status`, in LIFECYCLE_ACTIONS order (the dashboard's buttons). */
export const legalActions = (status: ExperimentStatus): LifecycleAction[] =>
  LIFECYCLE_ACTIONS.filter((action) => TRANSITIONS[action].from.includes(status));

/** Started and not completed: enrolled users exist, so coverage may only rise (lifecycle.ts). */
export const isLive = (status: ExperimentStatus): boolean => status === "running" || status === "paused";

/** Has run and enrolls no one now: assignment answers without an exposure (src/assignment/). */
export const isStopped = (status: ExperimentStatus): boolean => status === "paused" || status === "completed";

/** Experiment and variant keys. */
export const KEY_MAX_LENGTH = 64;
export const KEY_PATTERN = new RegExp(`^[a-z0-9_-]{1,${KEY_MAX_LENGTH}}$`);
export const KEY_RULE = `1-${KEY_MAX_LENGTH} characters of [a-z0-9_-]`;
export const KEY_MESSAGE = `must be ${KEY_RULE}`;

/**
 * `GET /experiments?q=`: a text found in the key or the name, ASCII letters in either case (SQLite's
 * lower() folds only those). Bounded so a search is never a large parameter.
 */
export const SEARCH_MAX_LENGTH = 100;

/** Variants per experiment: bounds a list that is never paginated. */
export const MAX_VARIANTS = 50;

/** Percentages (traffic, coverage) are 0-100 in hundredths: one basis point is one bucket. */
const PERCENT_DECIMALS = 2;
export const FULL_BASIS_POINTS = 10_000;
export const PERCENT_MESSAGE = `must be a percentage from 0 to 100 with at most ${PERCENT_DECIMALS} decimals`;

/**
 * A percentage as an exact integer of basis points, or null when it is not one: outside 0-100,
 * not finite, or with more than 2 decimals. `k / 100 === p` holds exactly when `p` is the double
 * nearest to a number of hundredths (33.33 is; 49.999 and 0.001 are not), so nothing is rounded
 * before it is checked, and sums of basis points are exact integer arithmetic.
 */
export function percentBasisPoints(p: number): number | null {
  if (!Number.isFinite(p) || p < 0 || p > 100) return null;
  const bp = Math.round(p * 100);
  return bp / 100 === p ? bp : null;
}

/** docs/contract.md's Variant, which is also its evaluation shape in GET /config. */
export interface ClientVariant {
  id: string;
  key: string;
  variant_name: string;
  variant_type: VariantType;
  model_version: string | null;
  config: Record<string, unknown>;
  /** Percentage 0-100; only its first two decimals count (see bucketing.toBasisPoints). */
  traffic_percentage: number;
}

/** An experiment as a client needs it to assign users locally (GET /config). */
export interface ClientExperiment {
  id: string;
  key: string;
  status: ExperimentStatus;
  /** Hash seed; the server fills in the default (the key), so clients never guess it. */
  seed: string;
  /** Percentage 0-100 of users enrolled; only its first two decimals count. */
  coverage: number;
  winner_variant_id: string | null;
  /** In creation order: the order defines the bucket ranges. */
  variants: ClientVariant[];
  /** Who may enter (a condition over attributes, src/targeting/); null or absent: everyone. */
  targeting?: Condition | null;
  /** The experiment's layer; null or absent: none. */
  namespace?: Namespace | null;
}

export interface ClientConfig {
  /** ISO-8601 UTC. */
  generated_at: string;
  experiments: ClientExperiment[];
  /**
   * Paused and completed experiments, so a client answers them as the server does (the control;
   * the winner or the control) with `in_experiment: false`. Each carries only the variant it
   * answers (src/evaluation/evaluate.ts, stoppedVariant): the answer never depends on a bucket, and a config keeps every
   * completed experiment.
   */
  stopped_experiments?: ClientExperiment[];
  /** Feature flags, evaluated locally like experiments (src/flags/evaluate.ts). */
  flags?: ClientFlag[];
}

/** Why `POST /assign` without named keys gave no assignment: the organization runs no experiment. */
export const EMPTY_ASSIGNMENTS_REASON = "no_running_experiments";

/** docs/contract.md's Assignment. */
export interface Assignment {
  experiment_id: string;
  experiment_key: string;
  variant_id: string;
  variant_key: string;
  variant_name: string;
  variant_type: VariantType;
  model_version: string | null;
  config: Record<string, unknown>;
  in_experiment: boolean;
  /** Why the answer is not an exposure; present exactly when `in_experiment` is false. */
  reason?: NotInExperimentReason | null;
}

/**
 * Why a schedule is out of order, or null: the end must come after the start. `stored` names the
 * time a PATCH did not send (taken from the experiment); the error then goes on the one it did
 * send, with the stored time shown. The schema checks a body's own pair; update-service.ts the
 * pair a PATCH leaves.
 */
export function scheduleOrderProblem(
  start: number | null | undefined,
  end: number | null | undefined,
  stored: "start" | "end" | null = null,
): { path: "scheduled_start_at" | "scheduled_end_at"; message: string } | null {
  if (start == null || end == null || end > start) return null;
  if (stored === "end") {
    return {
      path: "scheduled_start_at",
      message: `must be before scheduled_end_at (stored: ${new Date(end).toISOString()})`,
    };
  }
  const shown = stored === "start" ? ` (stored: ${new Date(start).toISOString()})` : "";
  return { path: "scheduled_end_at", message: `must be after scheduled_start_at${shown}` };
}

/** The metrics an experiment names, by role. */
export interface NamedMetrics {
  primary_metric: string | null;
  secondary_metrics: readonly string[];
  guardrail_metrics: readonly string[];
}

/**
 * A metric has one role. Named as secondary and guardrail, the analysis read it as secondary only
 * (the first role), so its guardrail could never fail, and nothing said so. Each later naming is
 * an error at its path, naming the role it already has.
 */
export function metricRoleConflicts(
  m: NamedMetrics,
): { field: "secondary_metrics" | "guardrail_metrics"; index: number; message: string }[] {
  const seen = new Map<string, string>();
  if (m.primary_metric) seen.set(m.primary_metric, "the primary metric");
  const errors: ReturnType<typeof metricRoleConflicts> = [];
  const check = (list: readonly string[], field: "secondary_metrics" | "guardrail_metrics", role: string) =>
    list.forEach((key, index) => {
      const had = seen.get(key);
      if (had !== undefined && had !== role) {
        errors.push({ field, index, message: `'${key}' is already ${had}: a metric has one role` });
      } else seen.set(key, role);
    });
  check(m.secondary_metrics, "secondary_metrics", "a secondary metric");
  check(m.guardrail_metrics, "guardrail_metrics", "a guardrail metric");
  return errors;
}
