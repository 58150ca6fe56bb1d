/**
 * The experiment lifecycle as a pure state machine over model.ts's TRANSITIONS table.
 * No I/O: the service asks these functions what is allowed and the repository enforces the same
 * answer atomically (conditional UPDATE ... WHERE status = <expected>).
 */
import type { FieldError } from "../http/problem";
import {
  type ExperimentStatus,
  FULL_BASIS_POINTS,
  type LifecycleAction,
  PERCENT_MESSAGE,
  percentBasisPoints,
  TRANSITIONS,
  type VariantType,
} from "./model";

export type { LifecycleAction } from "./model";

export type TransitionResult = { ok: true; to: ExperimentStatus } | { ok: false; reason: string };

export function transition(from: ExperimentStatus, action: LifecycleAction): TransitionResult {
  const rule = TRANSITIONS[action];
  if (rule.from.includes(from)) return { ok: true, to: rule.to };
  return { ok: false, reason: `cannot ${action} a ${from} experiment (allowed from: ${rule.from.join(", ")})` };
}

export interface VariantShape {
  key: string;
  variant_type: VariantType;
  traffic_percentage: number;
}

/**
 * Why the variants cannot run yet; empty when they can. Percentages are summed in exact basis
 * points, the unit bucketing uses, so 33.33 + 33.33 + 33.34 is exactly 100. A percentage with
 * more than 2 decimals is refused rather than rounded (49.999 + 50 must not start): writes refuse
 * it already, and this catches rows stored before they did.
 */
export function startReadiness(variants: readonly VariantShape[]): FieldError[] {
  const errors: FieldError[] = [];
  if (variants.length < 2) {
    errors.push({ path: "variants", message: `needs at least 2 variants, has ${variants.length}` });
  }
  const controls = variants.filter((v) => v.variant_type === "control").length;
  if (controls !== 1) {
    errors.push({ path: "variants", message: `needs exactly one control variant, has ${controls}` });
  }
  let total = 0;
  let inexact = false;
  variants.forEach((v, i) => {
    const bp = percentBasisPoints(v.traffic_percentage);
    if (bp === null) {
      inexact = true;
      errors.push({ path: `variants.${i}.traffic_percentage`, message: PERCENT_MESSAGE });
    } else total += bp;
  });
  if (variants.length > 0 && !inexact && total !== FULL_BASIS_POINTS) {
    errors.push({
      path: "traffic_split",
      message: `traffic percentages must sum to 100, they sum to ${total / 100}`,
    });
  }
  return errors;
}

/** Fields whose change would move users between variants: frozen once the experiment has run. */
const STRUCTURAL_FIELDS = ["key", "seed", "variants", "traffic_split", "namespace"] as const;
export type StructuralField = (typeof STRUCTURAL_FIELDS)[number];

export interface UpdateIntent {
  structural: readonly StructuralField[];
  coverage?: number;
}

/**
 * Whether an update may apply in `status`, or the 409 reason. Coverage may only rise while the
 * experiment is live (running or paused): raising it never moves an enrolled user (docs/contract.md
 * bucketing), lowering it would drop users mid-experiment. A completed experiment is frozen.
 */
export function updateConflict(status: ExperimentStatus, currentCoverage: number, intent: UpdateIntent): string | null {
  if (status !== "draft" && intent.structural.length > 0) {
    return `${intent.structural.join(", ")} can only change while the experiment is a draft (it is ${status})`;
  }
  const coverage = intent.coverage;
  if (coverage === undefined || coverage === currentCoverage || status === "draft") return null;
  if (status === "completed") return "coverage of a completed experiment cannot change";
  if (coverage < currentCoverage) {
    return `coverage may only rise while the experiment is ${status} (from ${currentCoverage} to ${coverage} would drop enrolled users)`;
  }
  return null;
}

/**
 * The scheduler starts drafts and completes drafts and live experiments (src/scheduling). A start
 * time set on an experiment that has started, or an end set on a completed one, would never act:
 * a 409 naming the field, rather than a stored time that means nothing (and, for a start, that
 * bounded every later end). Only changed values count, so a client may send back what it read;
 * clearing (null) is always allowed.
 */
export function scheduleConflict(
  status: ExperimentStatus,
  changed: { start?: number | null; end?: number | null },
): { path: "scheduled_start_at" | "scheduled_end_at"; message: string } | null {
  if (changed.start != null && status !== "draft") {
    return {
      path: "scheduled_start_at",
      message: `a scheduled start applies to drafts only (the experiment is ${status}); send null to clear it`,
    };
  }
  if (changed.end != null && status === "completed") {
    return { path: "scheduled_end_at", message: "the experiment is already completed; send null to clear it" };
  }
  return null;
}

export function deleteConflict(status: ExperimentStatus): string | null {
  return status === "running" ? "a running experiment cannot be deleted; pause or complete it first" : null;
}

export function addVariantConflict(status: ExperimentStatus): string | null {
  return status === "draft" ? null : `variants can only be added while the experiment is a draft (it is ${status})`;
}

/**
 * Results are accepted from the first start on, including after completion: conversions
 * often arrive late (purchases days after exposure), and GrowthBook-style analyses count them.
 * A draft has no exposures, so a result for it can only be a mistake.
 */
export function recordResultsConflict(status: ExperimentStatus): string | null {
  return status === "draft" ? "results are accepted once the experiment has started (it is a draft)" : null;
}
