/** Rows to API shapes: snake_case, ISO-8601 UTC times, derived fields (seed default, traffic_split). */
import type { VariantRow } from "../db/schema";
import { withDefaults } from "./analysis-settings";
import type { ClientExperiment, ClientVariant } from "./model";
import type { ExperimentWithVariants } from "./repository";
import type { ExperimentOut } from "./schemas";

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

type VariantFields = Pick<
  VariantRow,
  "id" | "key" | "variantName" | "variantType" | "modelVersion" | "config" | "trafficPercentage"
>;

/**
 * A variant in the API is exactly its evaluation shape (docs/contract.md's Variant), so this one function
 * also builds the variants of assignment's client view (src/assignment/read-model.ts).
 */
export function presentVariant(v: VariantFields): ClientVariant {
  return {
    id: v.id,
    key: v.key,
    variant_name: v.variantName,
    variant_type: v.variantType,
    model_version: v.modelVersion,
    config: v.config,
    traffic_percentage: v.trafficPercentage,
  };
}

export function presentExperiment(e: ExperimentWithVariants): ExperimentOut {
  return {
    id: e.id,
    key: e.key,
    experiment_name: e.experimentName,
    description: e.description,
    hypothesis: e.hypothesis,
    status: e.status,
    primary_metric: e.primaryMetric,
    secondary_metrics: e.secondaryMetrics,
    guardrail_metrics: e.guardrailMetrics,
    planned_users_per_variant: e.plannedUsersPerVariant,
    analysis_settings: withDefaults(e.analysisSettings),
    coverage: e.coverage,
    seed: e.seed ?? e.key,
    variants: e.variants.map(presentVariant),
    traffic_split: Object.fromEntries(e.variants.map((v) => [v.key, v.trafficPercentage])),
    targeting: e.targeting,
    namespace: e.namespace,
    scheduled_start_at: isoOrNull(e.scheduledStartAt),
    scheduled_end_at: isoOrNull(e.scheduledEndAt),
    winner_variant_id: e.winnerVariantId,
    created_at: iso(e.createdAt),
    updated_at: iso(e.updatedAt),
    started_at: isoOrNull(e.startedAt),
    completed_at: isoOrNull(e.completedAt),
  };
}

/**
 * The fields the history speaks of, under their API names: every field a PATCH can change (status
 * moves are their own actions). A PATCH that changes none of them writes nothing (update-service.ts).
 */
export function auditedExperimentFields(e: ExperimentWithVariants) {
  const out = presentExperiment(e);
  return {
    key: out.key,
    experiment_name: out.experiment_name,
    description: out.description,
    hypothesis: out.hypothesis,
    primary_metric: out.primary_metric,
    secondary_metrics: out.secondary_metrics,
    guardrail_metrics: out.guardrail_metrics,
    planned_users_per_variant: out.planned_users_per_variant,
    analysis_settings: out.analysis_settings,
    coverage: out.coverage,
    seed: out.seed,
    variants: out.variants,
    targeting: out.targeting,
    namespace: out.namespace,
    scheduled_start_at: out.scheduled_start_at,
    scheduled_end_at: out.scheduled_end_at,
  };
}

/**
 * The evaluation shape (model.ts) of an experiment: assignment's config and cache, and the results
 * route's attribution by bucket, read experiments through it. The seed defaults to the key here, once.
 */
export function toClientExperiment(e: ExperimentWithVariants): ClientExperiment {
  return {
    id: e.id,
    key: e.key,
    status: e.status,
    seed: e.seed ?? e.key,
    coverage: e.coverage,
    winner_variant_id: e.winnerVariantId,
    variants: e.variants.map(presentVariant),
    targeting: e.targeting,
    namespace: e.namespace,
  };
}
