/**
 * The evaluation config: exactly what a client needs to assign users locally.
 * The server's per-isolate cache and `GET /api/v1/ab-testing/config` share this shape, so
 * the SDK evaluates with the same code over the same data as `POST /assign`.
 *
 * Plain types only (no zod): the SDK imports this module and must stay dependency-free.
 * The zod schema mirroring it lives in ./config-schema.ts for the server.
 */

import type { ClientFlag } from "../flags/model";
import type { Condition, Namespace } from "../targeting/model";

export type ExperimentStatus = "draft" | "running" | "paused" | "completed";
export type VariantType = "control" | "treatment";

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
  /** Who may enter (a condition over attributes); null or absent: everyone. */
  targeting?: Condition | null;
  /** The experiment's layer; null or absent: none. */
  namespace?: Namespace | null;
}

export interface ClientConfig {
  /** ISO-8601 UTC. */
  generated_at: string;
  experiments: ClientExperiment[];
  /** Feature flags, evaluated locally like experiments (src/flags/evaluate.ts). */
  flags?: ClientFlag[];
}

/** API.md's Assignment. */
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
}
