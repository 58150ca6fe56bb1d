/**
 * zod mirror of the config shapes in src/experiments/model.ts for the server (OpenAPI for GET /config, and
 * validating a cached config). Kept apart so the SDK, which imports the plain types,
 * never pulls in zod.
 */
import { z } from "zod";
import {
  type ClientConfig,
  type ClientExperiment,
  type ClientVariant,
  EXPERIMENT_STATUSES,
  VARIANT_TYPES,
} from "../experiments/model";
import type { ClientFlag } from "../flags/model";
import { clientFlagSchema } from "./flag-config-schema";

const clientVariantSchema = z.object({
  id: z.string(),
  key: z.string(),
  variant_name: z.string(),
  variant_type: z.enum(VARIANT_TYPES),
  model_version: z.string().nullable(),
  config: z.record(z.string(), z.unknown()),
  traffic_percentage: z.number().min(0).max(100),
});

const clientExperimentSchema = z.object({
  id: z.string(),
  key: z.string(),
  status: z.enum(EXPERIMENT_STATUSES),
  seed: z.string(),
  coverage: z.number().min(0).max(100),
  winner_variant_id: z.string().nullable(),
  variants: z.array(clientVariantSchema),
  // Output shapes: saved conditions were validated on the way in (src/targeting/schema.ts).
  targeting: z.record(z.string(), z.unknown()).nullable().optional(),
  namespace: z.object({ key: z.string(), start: z.number(), end: z.number() }).nullable().optional(),
});

export const clientConfigSchema = z.object({
  generated_at: z.string(),
  experiments: z.array(clientExperimentSchema),
  flags: z.array(clientFlagSchema).optional(),
});

// Compile-time guarantee that the schema and the hand-written types never drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameVariant: Same<z.infer<typeof clientVariantSchema>, ClientVariant> = true;
const sameExperiment: Same<z.infer<typeof clientExperimentSchema>, ClientExperiment> = true;
const sameConfig: Same<z.infer<typeof clientConfigSchema>, ClientConfig> = true;
void sameVariant;
void sameExperiment;
void sameConfig;
const sameFlag: Same<z.infer<typeof clientFlagSchema>, ClientFlag> = true;
void sameFlag;
