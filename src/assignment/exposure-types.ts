/**
 * `POST /api/v1/ab-testing/exposures` (docs/contract.md): exposures that clients assigned locally with an
 * SDK report in batches. Zod-free: the route's schemas and the SDKs derive from it.
 */

/** At most this many exposures per request. */
export const MAX_EXPOSURES_PER_REQUEST = 1000;

/** One exposure as a client reports it. `timestamp`: ISO-8601 or epoch ms; default: now. */
export interface ExposureInput {
  experiment_key: string;
  variant_key: string;
  user_id: string;
  timestamp?: string | number;
}

/**
 * Why the server refused one exposure. The server checks what it can without the user's
 * attributes: the experiment exists and runs, and its bucketing (namespace, coverage, ranges) gives
 * this user this variant. Targeting is the client's to apply (attributes are not sent).
 */
export const EXPOSURE_REJECT_REASONS = [
  "unknown_experiment",
  "not_running",
  "namespace",
  "coverage",
  "variant_mismatch",
  "timestamp_out_of_range",
] as const;
export type ExposureRejectReason = (typeof EXPOSURE_REJECT_REASONS)[number];

/** The 202 body. accepted + duplicates + rejected.length = the number sent. */
export interface ExposureReport {
  /** Newly stored (first exposure of the pair). */
  accepted: number;
  /** Valid, but the pair was already stored (first exposure wins) or repeated in the batch. */
  duplicates: number;
  rejected: { index: number; reason: ExposureRejectReason }[];
}
