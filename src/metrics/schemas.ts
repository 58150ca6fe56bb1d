/** Request and response schemas of `/metrics` (docs/contract.md "Metric catalogue"), derived from model.ts. */
import { z } from "@hono/zod-openapi";
import { givenOnce, listOf, pageQueryFields } from "../http/params";
import {
  CAPPING_TYPES,
  CURRENCY_PATTERN,
  cappingProblem,
  currencyProblem,
  DIRECTIONS,
  FORMATS,
  METRIC_KEY_CHARS,
  METRIC_KEY_MAX,
  METRIC_KEY_PATTERN,
  METRIC_KEY_RULE,
  METRIC_KINDS,
  type MetricFormat,
  normaliseMetricKey,
} from "./model";

/**
 * The rule of every metric name, with `error` for every way to miss when given (else zod's length
 * words, which the dashboard's forms turn into "This can't be empty." and the like).
 */
const metricKey = (error?: string) =>
  z
    .string(error === undefined ? undefined : { error })
    .transform(normaliseMetricKey)
    .pipe(
      z
        .string()
        .min(1, error === undefined ? undefined : { error })
        .max(METRIC_KEY_MAX, error === undefined ? undefined : { error })
        .regex(METRIC_KEY_PATTERN, error ?? "must not contain control characters"),
    )
    .openapi({ type: "string", description: METRIC_KEY_RULE, example: "conversion" });

/** Every metric name in a body: results' `metric_name`, experiments' metric lists, catalogue keys. */
export const MetricKey = metricKey();

/**
 * A metric key as a query parameter (a list's filter, a timeseries' metric), given once: one
 * message saying what it takes, for a repeat and for an empty, long or control-character key alike.
 */
export const MetricKeyQuery = givenOnce(metricKey(`must be ${METRIC_KEY_CHARS}, given once`), METRIC_KEY_CHARS);

const Iso = z.string().openapi({ format: "date-time", example: "2026-11-29T12:00:00.000Z" });
const Name = z.string().trim().min(1).max(200);
const Currency = z.string().regex(CURRENCY_PATTERN, "an ISO 4217 code such as USD");

const CappingIn = z
  .strictObject({ type: z.enum(CAPPING_TYPES), value: z.number() })
  .superRefine((c, ctx) => {
    const problem = cappingProblem(c);
    if (problem) ctx.addIssue({ code: "custom", path: ["value"], message: problem });
  })
  .openapi("Capping", {
    description:
      "absolute: per-user values above `value` become `value`; percentile: above the pooled quantile `value` (0-1)",
  });

const checkCurrency = (format: MetricFormat | undefined, currency: string | null | undefined, ctx: z.RefinementCtx) => {
  const problem = currencyProblem(format ?? "number", currency);
  if (problem) ctx.addIssue({ code: "custom", path: ["currency"], message: problem });
};

export const MetricIn = z
  .strictObject({
    key: MetricKey,
    name: Name.optional().openapi({ description: "Display name; defaults to the key" }),
    description: z.string().max(10_000).nullable().optional(),
    kind: z.enum(METRIC_KINDS).optional().openapi({ description: "Default mean" }),
    direction: z.enum(DIRECTIONS).optional().openapi({ description: "Default increase" }),
    format: z.enum(FORMATS).optional().openapi({ description: "Default number" }),
    currency: Currency.nullable().optional(),
    capping: CappingIn.nullable().optional(),
  })
  .superRefine((m, ctx) => checkCurrency(m.format, m.currency, ctx))
  .openapi("MetricIn", {
    example: {
      key: "revenue",
      name: "Revenue per user",
      kind: "mean",
      direction: "increase",
      format: "currency",
      currency: "USD",
      capping: { type: "percentile", value: 0.99 },
    },
  });
export type MetricInput = z.infer<typeof MetricIn>;

/** Every field optional; a currency is checked against the format the metric will have (service). */
export const MetricPatch = z
  .strictObject({
    key: MetricKey.optional(),
    name: Name.optional(),
    description: z.string().max(10_000).nullable().optional(),
    kind: z.enum(METRIC_KINDS).optional(),
    direction: z.enum(DIRECTIONS).optional(),
    format: z.enum(FORMATS).optional(),
    currency: Currency.nullable().optional(),
    capping: CappingIn.nullable().optional().openapi({ description: "null removes the capping" }),
  })
  .openapi("MetricPatch");
export type MetricPatchInput = z.infer<typeof MetricPatch>;

export const Metric = z
  .object({
    id: z.string(),
    key: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    kind: z.enum(METRIC_KINDS),
    direction: z.enum(DIRECTIONS),
    format: z.enum(FORMATS),
    currency: z.string().nullable(),
    capping: z.object({ type: z.enum(CAPPING_TYPES), value: z.number() }).nullable(),
    created_at: Iso,
    updated_at: Iso,
  })
  .openapi("Metric");
export type MetricOut = z.infer<typeof Metric>;

export const MetricPage = listOf(Metric, "MetricPage");

export const MetricListQuery = z.object({
  key: MetricKeyQuery.optional().openapi({
    description:
      "Only the metric definition with exactly this key (0 or 1 item): how to find one by key, as the :id routes take ids",
    example: "revenue",
  }),
  ...pageQueryFields,
});
