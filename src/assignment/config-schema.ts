/**
 * zod mirror of the config shapes in src/experiments/model.ts (experiments, variants), with the
 * targeting and namespace schemas of src/targeting/schemas.ts and the flags of flag-config-schema.ts:
 * GET /config's declared response, as named OpenAPI components. The compile-time checks at the end
 * keep it equal to the model's types. Kept apart so the SDK, which imports the plain types, never
 * pulls in zod.
 */
import { z } from "@hono/zod-openapi";
import {
  type ClientConfig,
  type ClientExperiment,
  type ClientVariant,
  EXPERIMENT_STATUSES,
  VARIANT_TYPES,
} from "../experiments/model";
import type { ClientFlag } from "../flags/model";
import { ConditionSchema, NamespaceSchema } from "../targeting/schemas";
import { clientFlagSchema } from "./flag-config-schema";

const clientVariantSchema = z
  .object({
    id: z.string(),
    key: z.string(),
    variant_name: z.string(),
    variant_type: z.enum(VARIANT_TYPES),
    model_version: z.string().nullable(),
    config: z.record(z.string(), z.unknown()),
    traffic_percentage: z.number().min(0).max(100),
  })
  .openapi("ConfigVariant");

const clientExperimentSchema = z
  .object({
    id: z.string(),
    key: z.string(),
    status: z.enum(EXPERIMENT_STATUSES),
    seed: z.string(),
    coverage: z.number().min(0).max(100),
    winner_variant_id: z.string().nullable(),
    variants: z.array(clientVariantSchema).openapi({ description: "In creation order (bucket ranges follow it)" }),
    // The request schemas of targeting and namespace: what is served was validated by them when saved.
    // A union with null, not .nullable(): the OpenAPI generator drops the null of a nullable named
    // schema (test/integration/config-schema.test.ts checks the served body against the document).
    targeting: z
      .union([ConditionSchema, z.null()])
      .optional()
      .openapi({ description: "Who may enter (docs/targeting.md); null or absent: everyone" }),
    namespace: z
      .union([NamespaceSchema, z.null()])
      .optional()
      .openapi({ description: "The experiment's layer; null or absent: none" }),
  })
  .openapi("ConfigExperiment");

export const clientConfigSchema = z
  .object({
    generated_at: z.string().openapi({ format: "date-time" }),
    experiments: z.array(clientExperimentSchema).openapi({ description: "The running experiments, in config order" }),
    stopped_experiments: z
      .array(clientExperimentSchema)
      .optional()
      .openapi({
        description:
          "The paused and completed experiments, oldest first, each with only the variant it answers everyone " +
          "(paused: the control; completed: the winner, or the control); answered with `in_experiment: false`",
      }),
    flags: z
      .array(clientFlagSchema)
      .optional()
      .openapi({ description: "Every feature flag of the organization, for local evaluation (docs/flags.md)" }),
  })
  .openapi("ClientConfig");

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
