/**
 * Checks a reported exposure (POST /exposures) against the server's own bucketing. Pure: the
 * caller supplies the experiment as the config holds it and the current time.
 *
 * What can be checked without the user's attributes is checked: the experiment runs, the user's
 * namespace position and coverage bucket enrol them, and their bucket gives the reported variant.
 * Targeting is not (attributes are not reported): a client that applied it simply reports fewer.
 */
import type { ClientExperiment } from "../experiments/model";
import { MAX_FUTURE_SKEW_MS } from "../http/time";
import { evaluateExperiment } from "../evaluation/evaluate";
import type { ExposureRejectReason } from "./exposure-types";

/** How late an exposure may be reported (an offline client catching up). */
export const MAX_REPORT_DELAY_MS = 30 * 24 * 60 * 60 * 1000;

export type ExposureCheck = { ok: true; variantId: string } | { ok: false; reason: ExposureRejectReason };

export function checkReportedExposure(
  experiment: ClientExperiment | undefined,
  variantKey: string,
  userId: string,
  at: number,
  now: number,
): ExposureCheck {
  if (experiment === undefined) return { ok: false, reason: "unknown_experiment" };
  if (experiment.status !== "running") return { ok: false, reason: "not_running" };
  if (at > now + MAX_FUTURE_SKEW_MS || at < now - MAX_REPORT_DELAY_MS) {
    return { ok: false, reason: "timestamp_out_of_range" };
  }
  const result = evaluateExperiment({ ...experiment, targeting: null }, userId);
  if (result.kind !== "assigned") return { ok: false, reason: "not_running" };
  if (result.reason === "namespace" || result.reason === "coverage") return { ok: false, reason: result.reason };
  if (result.reason !== null) return { ok: false, reason: "not_running" };
  if (result.assignment.variant_key !== variantKey) return { ok: false, reason: "variant_mismatch" };
  return { ok: true, variantId: result.assignment.variant_id };
}
