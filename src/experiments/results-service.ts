/** Recording results and computing the analysis (docs/contract.md "Results analysis"). */
import type { Db } from "../db/client";
import { conflict, type FieldError, unprocessable } from "../http/problem";
import { buildAnalysis, centralFromShifted, type MetricAggregate, needsShiftedPass } from "./analysis";
import { recordResultsConflict } from "./lifecycle";
import * as results from "./results-repository";
import type { ResultInput } from "./results-schemas";
import { loadExperiment } from "./service";

/**
 * Stores every row or none. `pathOf(i)` prefixes field paths as the client sent them
 * (`results.3.` for a batch, nothing for a single result).
 */
export async function recordResults(
  db: Db,
  orgId: string,
  experimentId: string,
  rows: readonly ResultInput[],
  pathOf: (i: number) => string,
): Promise<number> {
  const experiment = await loadExperiment(db, orgId, experimentId);
  const reason = recordResultsConflict(experiment.status);
  if (reason) throw conflict(reason);

  const variantIds = new Set(experiment.variants.map((v) => v.id));
  const foreign: FieldError[] = [];
  rows.forEach((r, i) => {
    if (r.variant_id !== undefined && !variantIds.has(r.variant_id)) {
      foreign.push({ path: `${pathOf(i)}variant_id`, message: "not a variant of this experiment" });
    }
  });
  if (foreign.length > 0) throw unprocessable("results name variants of another experiment", foreign);

  const now = Date.now();
  const outcome = await results.insertResults(
    db,
    orgId,
    experimentId,
    rows.map((r) => ({
      metricName: r.metric_name,
      metricValue: r.metric_value,
      userId: r.user_id ?? null,
      variantId: r.variant_id ?? null,
      recordedAt: r.recorded_at ?? now,
    })),
  );
  if (outcome.ok && outcome.inserted === rows.length) return outcome.inserted;
  if (!outcome.ok) {
    // Only now pay for the diagnosis: the happy path is a single statement.
    const needExposure = rows.flatMap((r) =>
      r.variant_id === undefined && r.user_id !== undefined ? [r.user_id] : [],
    );
    const unexposed = await results.findUnexposedUsers(db, orgId, experimentId, needExposure);
    const errors = rows.flatMap((r, i) =>
      r.variant_id === undefined && r.user_id !== undefined && unexposed.has(r.user_id)
        ? [{ path: `${pathOf(i)}user_id`, message: `user '${r.user_id}' was never exposed to this experiment` }]
        : [],
    );
    if (errors.length > 0) {
      throw unprocessable("results without variant_id need a user exposed to the experiment", errors);
    }
  }
  await loadExperiment(db, orgId, experimentId); // 404 if deleted meanwhile
  throw conflict("the experiment changed concurrently; retry");
}

export async function analyzeExperiment(db: Db, orgId: string, experimentId: string) {
  const experiment = await loadExperiment(db, orgId, experimentId);
  const { groups, exposures } = await results.loadAggregates(db, orgId, experimentId);

  const suspects = groups.filter(needsShiftedPass);
  const refined = new Map<(typeof groups)[number], MetricAggregate["aggregates"]>();
  if (suspects.length > 0) {
    const shifted = suspects.map((g) => ({
      metric_name: g.metric_name,
      variant_id: g.variant_id,
      shift: g.sum / g.count,
    }));
    const sums = await results.shiftedSums(db, orgId, experimentId, shifted);
    suspects.forEach((g, i) => {
      const s = sums[i];
      const shift = shifted[i]?.shift ?? 0;
      if (s) refined.set(g, centralFromShifted(g.count, shift, s.sumD, s.sumD2, g.min, g.max));
    });
  }

  return buildAnalysis({
    experimentId: experiment.id,
    status: experiment.status,
    primaryMetric: experiment.primaryMetric,
    variants: experiment.variants.map((v) => ({
      id: v.id,
      variant_type: v.variantType,
      traffic_percentage: v.trafficPercentage,
    })),
    exposures,
    aggregates: groups.map((g) => ({
      metric_name: g.metric_name,
      variant_id: g.variant_id,
      aggregates: refined.get(g) ?? g,
    })),
  });
}
