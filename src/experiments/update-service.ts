/**
 * PATCH /experiments/:id. Round-trip friendly: a client may send back what it read (seed, variants,
 * traffic_split) with one field changed; only values that actually differ count as changes, so an
 * unchanged structural field on a running experiment is not a 409.
 */
import { diffFields } from "../audit/model";
import type { Db } from "../db/client";
import { nextUpdatedAt } from "../db/d1";
import { badRequest, conflict, type FieldError, unprocessable } from "../http/problem";
import { emitExperimentChanged } from "./events";
import { type StructuralField, scheduleConflict, updateConflict } from "./lifecycle";
import { isLive, metricRoleConflicts, scheduleOrderProblem } from "./model";
import { auditedExperimentFields, presentExperiment } from "./present";
import * as repo from "./repository";
import type { ExperimentPatchInput } from "./schemas";
import { auditOf, loadExperiment, toNewVariant } from "./service";

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

interface Plan {
  structural: StructuralField[];
  fields: repo.ExperimentFields;
  replaceVariants?: repo.NewVariant[];
  percentages?: Record<string, number>;
}

function plan(current: repo.ExperimentWithVariants, patch: ExperimentPatchInput): Plan {
  const structural: StructuralField[] = [];
  const fields: repo.ExperimentFields = {};
  if (patch.experiment_name !== undefined) fields.experimentName = patch.experiment_name;
  if (patch.description !== undefined) fields.description = patch.description;
  if (patch.hypothesis !== undefined) fields.hypothesis = patch.hypothesis;
  if (patch.primary_metric !== undefined) fields.primaryMetric = patch.primary_metric;
  if (patch.coverage !== undefined && patch.coverage !== current.coverage) fields.coverage = patch.coverage;
  // The reading of results changes in any status; settings merge into what is stored (null resets).
  if (patch.secondary_metrics !== undefined) fields.secondaryMetrics = patch.secondary_metrics;
  if (patch.guardrail_metrics !== undefined) fields.guardrailMetrics = patch.guardrail_metrics;
  if (patch.planned_users_per_variant !== undefined) fields.plannedUsersPerVariant = patch.planned_users_per_variant;
  if (patch.analysis_settings !== undefined)
    fields.analysisSettings =
      patch.analysis_settings === null ? null : { ...(current.analysisSettings ?? {}), ...patch.analysis_settings };
  // Targeting may change in any status (docs/targeting.md: users already exposed keep their
  // variant); the schedule too, the scheduler acting only on drafts and live experiments.
  if (patch.targeting !== undefined) fields.targeting = patch.targeting;
  if (patch.scheduled_start_at !== undefined) fields.scheduledStartAt = patch.scheduled_start_at;
  if (patch.scheduled_end_at !== undefined) fields.scheduledEndAt = patch.scheduled_end_at;
  // A namespace change moves users in or out of the layer: frozen once started, like the seed.
  if (patch.namespace !== undefined && !sameJson(patch.namespace, current.namespace)) {
    fields.namespace = patch.namespace;
    structural.push("namespace");
  }

  const key = patch.key ?? current.key;
  if (key !== current.key) {
    structural.push("key");
    fields.key = key;
  }
  // What bucketing uses is the effective seed: an explicit seed equal to the key is no change.
  if (patch.seed !== undefined && patch.seed !== current.seed) {
    fields.seed = patch.seed;
    if ((patch.seed ?? key) !== (current.seed ?? current.key)) structural.push("seed");
  }

  const result: Plan = { structural, fields };
  if (patch.variants !== undefined) {
    const existing = new Map(current.variants.map((v) => [v.key, v.id]));
    const next = patch.variants.map((v) => toNewVariant(v, existing.get(v.key)));
    const before = current.variants.map(
      ({ id, key, variantName, variantType, modelVersion, config, trafficPercentage }) => ({
        id,
        key,
        variantName,
        variantType,
        modelVersion,
        config,
        trafficPercentage,
      }),
    );
    if (!sameJson(next, before)) {
      structural.push("variants");
      result.replaceVariants = next;
    }
  }
  if (patch.traffic_split !== undefined) {
    const changed = current.variants.some(
      (v) => patch.traffic_split?.[v.key] !== undefined && patch.traffic_split[v.key] !== v.trafficPercentage,
    );
    if (changed) {
      structural.push("traffic_split");
      result.percentages = patch.traffic_split;
    }
  }
  return result;
}

function unknownSplitKeys(current: repo.ExperimentWithVariants, patch: ExperimentPatchInput): FieldError[] {
  const keys = new Set(current.variants.map((v) => v.key));
  return Object.keys(patch.traffic_split ?? {})
    .filter((k) => !keys.has(k))
    .map((k) => ({ path: `traffic_split.${k}`, message: `no variant with key '${k}'` }));
}

/**
 * The schema checks the order of a start and an end sent together; here one sent alone is checked
 * against the stored other, so a PATCH cannot leave an end before the start (the scheduler would
 * then complete a running experiment at an end that comes first).
 */
function scheduleOrderError(current: repo.ExperimentWithVariants, patch: ExperimentPatchInput): FieldError | null {
  // Once started, the stored start is spent: it no longer bounds the end (a new one is a 409).
  if (current.status !== "draft" && patch.scheduled_start_at === undefined) return null;
  const start = patch.scheduled_start_at === undefined ? current.scheduledStartAt : patch.scheduled_start_at;
  const end = patch.scheduled_end_at === undefined ? current.scheduledEndAt : patch.scheduled_end_at;
  const stored = patch.scheduled_end_at === undefined ? "end" : patch.scheduled_start_at === undefined ? "start" : null;
  return scheduleOrderProblem(start, end, stored);
}

/** The experiment as it will be once the plan applies: what the history compares against. */
function planned(current: repo.ExperimentWithVariants, p: Plan): repo.ExperimentWithVariants {
  const base = { orgId: current.orgId, experimentId: current.id, createdAt: current.createdAt };
  const variants = p.replaceVariants
    ? p.replaceVariants.map((v, position) => ({ ...v, ...base, position }))
    : current.variants.map((v) => ({ ...v, trafficPercentage: p.percentages?.[v.key] ?? v.trafficPercentage }));
  return { ...current, ...p.fields, variants };
}

export async function updateExperiment(db: Db, orgId: string, id: string, patch: ExperimentPatchInput, actor: string) {
  const current = await loadExperiment(db, orgId, id);
  const unknown = unknownSplitKeys(current, patch);
  if (unknown.length > 0) throw unprocessable("traffic_split names unknown variants", unknown);
  const order = scheduleOrderError(current, patch);
  if (order !== null) throw badRequest("request validation failed", [order]);
  const changedTime = (sent: number | null | undefined, stored: number | null) =>
    sent !== undefined && sent !== stored ? sent : undefined;
  const timing = scheduleConflict(current.status, {
    start: changedTime(patch.scheduled_start_at, current.scheduledStartAt),
    end: changedTime(patch.scheduled_end_at, current.scheduledEndAt),
  });
  if (timing !== null) throw conflict(timing.message, [timing]);
  // Only when the patch names metrics: an experiment stored before the check keeps its other edits.
  const namesMetrics = [patch.primary_metric, patch.secondary_metrics, patch.guardrail_metrics].some(
    (f) => f !== undefined,
  );
  const roles = !namesMetrics
    ? []
    : metricRoleConflicts({
        primary_metric: patch.primary_metric === undefined ? current.primaryMetric : patch.primary_metric,
        secondary_metrics: patch.secondary_metrics ?? current.secondaryMetrics ?? [],
        guardrail_metrics: patch.guardrail_metrics ?? current.guardrailMetrics ?? [],
      });
  if (roles.length > 0) {
    throw badRequest(
      "request validation failed",
      roles.map((r) => ({ path: `${r.field}.${r.index}`, message: r.message })),
    );
  }
  const p = plan(current, patch);
  const reason = updateConflict(current.status, current.coverage, {
    structural: p.structural,
    ...(p.fields.coverage !== undefined ? { coverage: p.fields.coverage } : {}),
  });
  if (reason) {
    // Name the field when it is coverage alone, so a form shows the reason beside it.
    throw conflict(reason, p.structural.length === 0 ? [{ path: "coverage", message: reason }] : undefined);
  }

  const live = isLive(current.status);
  const now = nextUpdatedAt(current.updatedAt, Date.now());
  const changes = diffFields(auditedExperimentFields(current), auditedExperimentFields(planned(current, p)));
  // Nothing would change (`{}`, or values equal to the stored ones): a no-op, so updated_at, the
  // history and the edge caches stay as they are.
  if (Object.keys(changes).length === 0) return presentExperiment(current);
  const audit = auditOf(orgId, id, actor, now, "updated", changes);
  const applied = await repo.updateExperiment(
    db,
    orgId,
    id,
    {
      expectedStatus: current.status,
      expectedUpdatedAt: current.updatedAt,
      coverageAtMost: live && p.fields.coverage !== undefined ? p.fields.coverage : undefined,
      fields: p.fields,
      replaceVariants: p.replaceVariants,
      percentages: p.percentages,
      now,
    },
    audit,
  );
  if (!applied) {
    await loadExperiment(db, orgId, id); // 404 if it was deleted meanwhile
    throw conflict("the experiment changed concurrently; re-read it and retry");
  }
  emitExperimentChanged(orgId);
  // The version this request wrote, not a re-read: another PATCH may already have landed on it.
  return presentExperiment({ ...planned(current, p), updatedAt: now });
}
