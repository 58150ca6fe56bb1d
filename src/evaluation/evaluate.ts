/**
 * Pure experiment evaluation: one experiment, one user, one answer. Shared by the server's
 * assignment routes and the client SDK so both answer identically for the same config.
 *
 * Convention for drafts: evaluation never throws. It returns a tagged result, and
 * `{ kind: "not_running" }` is what the server turns into 409 (a draft has no stable
 * variants or percentages yet, so there is nothing sound to answer). The SDK returns null.
 */
import type { Assignment, ClientExperiment, ClientVariant } from "../experiments/model";
import { budgetShares, evalCondition, withUserId } from "../targeting/condition";
import { type Attributes, CONDITION_LIMITS, type NotInExperimentReason } from "../targeting/model";
import type { Budget } from "../targeting/regex";
import { bucketOf, inNamespace, pickVariantOf } from "./bucketing";

export type Evaluation =
  | {
      kind: "assigned";
      assignment: Assignment;
      /** Why the answer is not an exposure; null exactly when `assignment.in_experiment`. */
      reason: NotInExperimentReason | null;
    }
  | {
      kind: "not_running";
      /** "draft": the API's 409; "no_variants": a config with nothing to answer (also 409). */
      reason: "draft" | "no_variants";
      experiment_id: string;
      experiment_key: string;
    };

const trafficOf = (v: ClientVariant): number => v.traffic_percentage;

/** The control, or the first variant if a (malformed) config has none. */
function controlOf(variants: readonly ClientVariant[]): ClientVariant | undefined {
  for (const v of variants) if (v.variant_type === "control") return v;
  return variants[0];
}

function toAssignment(e: ClientExperiment, v: ClientVariant, inExperiment: boolean): Assignment {
  return {
    experiment_id: e.id,
    experiment_key: e.key,
    variant_id: v.id,
    variant_key: v.key,
    variant_name: v.variant_name,
    variant_type: v.variant_type,
    model_version: v.model_version,
    config: v.config,
    in_experiment: inExperiment,
  };
}

/**
 * One user's answer. For a running experiment the user must, in this order, match `targeting`
 * (over `attributes`, whose `id` defaults to `userId`), fall in the `namespace` range, and fall in
 * a variant's bucket range (coverage); the first test they fail is the `reason`. `budget` bounds
 * the condition's work (shared across one request's evaluations, if given).
 *
 * `exposedVariantKey`: the variant this user was already shown in this experiment (the caller
 * remembers its earlier answers). A user who no longer matches a changed targeting keeps that
 * variant, in the experiment, when it is still their bucketed variant (namespace and coverage
 * still apply, and a key naming any other variant is ignored): targeting decides who enters,
 * never takes an exposed user out (docs/targeting.md).
 */
export function evaluateExperiment(
  experiment: ClientExperiment,
  userId: string,
  attributes?: Attributes,
  budget?: Budget,
  exposedVariantKey?: string,
): Evaluation {
  const { variants } = experiment;
  const control = controlOf(variants);
  if (experiment.status === "draft" || control === undefined) {
    return {
      kind: "not_running",
      reason: experiment.status === "draft" ? "draft" : "no_variants",
      experiment_id: experiment.id,
      experiment_key: experiment.key,
    };
  }

  // Paused: everyone sees the control, with the status as the reason; the bucketing itself is
  // untouched, so resuming gives every user back the variant they had. Completed: the winner.
  let variant = stoppedVariant(experiment) ?? control;
  let reason: NotInExperimentReason | null = experiment.status === "running" ? null : experiment.status;
  switch (experiment.status) {
    case "running": {
      reason = runningReason(experiment, userId, attributes, budget);
      // An exposed user failing targeting only: their bucket (which targeting never moves) decides.
      // Any other failure keeps the first reason, targeting.
      const sticky =
        reason === "targeting" && exposedVariantKey !== undefined && namespaceReason(experiment, userId) === null;
      if (sticky) reason = null;
      if (reason !== null) break;
      const n = bucketOf(experiment.seed, userId);
      const index = pickVariantOf(n, experiment.coverage, variants, trafficOf);
      const picked = index === null ? undefined : variants[index];
      if (picked === undefined) reason = sticky ? "targeting" : "coverage";
      else if (sticky && picked.key !== exposedVariantKey) reason = "targeting";
      else variant = picked;
      break;
    }
  }
  // reason is null exactly when the answer is an exposure: the SDK and the server answer alike.
  const assignment = { ...toAssignment(experiment, variant, reason === null), reason };
  return { kind: "assigned", assignment, reason };
}

/**
 * The variant a stopped experiment answers every user: paused, the control; completed, the winner,
 * or the control without one (or with a winner not among its variants). Also what GET /config
 * keeps of a stopped experiment (src/assignment/read-model.ts), so a client answers the same.
 */
export function stoppedVariant(
  experiment: Pick<ClientExperiment, "status" | "winner_variant_id" | "variants">,
): ClientVariant | undefined {
  const control = controlOf(experiment.variants);
  const winnerId = experiment.status === "completed" ? experiment.winner_variant_id : null;
  return (winnerId === null ? undefined : experiment.variants.find((v) => v.id === winnerId)) ?? control;
}

/** Targeting, then namespace: the gates before the coverage bucket. null: both pass. */
function runningReason(
  experiment: ClientExperiment,
  userId: string,
  attributes: Attributes | undefined,
  budget: Budget | undefined,
): NotInExperimentReason | null {
  const { targeting } = experiment;
  if (
    targeting != null &&
    !evalCondition(withUserId(attributes, userId), targeting, budget ?? { steps: CONDITION_LIMITS.stepBudget })
  ) {
    return "targeting";
  }
  return namespaceReason(experiment, userId);
}

const namespaceReason = (experiment: ClientExperiment, userId: string): NotInExperimentReason | null =>
  experiment.namespace != null && !inNamespace(userId, experiment.namespace) ? "namespace" : null;

/**
 * The variant a user's bucket holds, whatever the status and the targeting: null when the user is
 * outside the namespace or the coverage. Once an experiment has started this never changes for a
 * user inside it (seed, percentages and namespace are frozen at start; coverage only rises), so it
 * is the variant every in-experiment answer gave them, and will give them.
 */
export function bucketedVariant(experiment: ClientExperiment, userId: string): ClientVariant | null {
  if (namespaceReason(experiment, userId) !== null) return null;
  const { variants } = experiment;
  const index = pickVariantOf(bucketOf(experiment.seed, userId), experiment.coverage, variants, trafficOf);
  return index === null ? null : (variants[index] ?? null);
}

/**
 * Assignments for every evaluable experiment in `experiments` (drafts and empty ones are
 * skipped), in the given order. For `POST /assign` and the SDK's getAssignments.
 */
export function evaluateAll(
  experiments: readonly ClientExperiment[],
  userId: string,
  attributes?: Attributes,
  totalSteps: number = CONDITION_LIMITS.stepBudget,
): Assignment[] {
  const out: Assignment[] = [];
  const share = budgetShares(totalSteps, experiments.length);
  for (const e of experiments) {
    const r = evaluateExperiment(e, userId, attributes, share());
    if (r.kind === "assigned") out.push(r.assignment);
  }
  return out;
}
