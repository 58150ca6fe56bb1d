import { sql } from "drizzle-orm";
import { EXPERIMENT_STATUSES, VARIANT_TYPES } from "../experiments/model";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { AUDIT_ENTITY_TYPES } from "../audit/model";
import { FLAG_VALUE_TYPES, type FlagRule, type FlagValue } from "../flags/model";
import { CAPPING_TYPES, DIRECTIONS, FORMATS, METRIC_KINDS } from "../metrics/model";

// Times are epoch milliseconds (integers); the API renders them as ISO-8601 UTC.
// Every table carries org_id and every query filters on it: one database, many organizations.

export const experiments = sqliteTable(
  "experiments",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    key: text("key").notNull(),
    experimentName: text("experiment_name").notNull(),
    description: text("description"),
    hypothesis: text("hypothesis"),
    status: text("status", { enum: EXPERIMENT_STATUSES }).notNull().default("draft"),
    primaryMetric: text("primary_metric"),
    coverage: real("coverage").notNull().default(100),
    // null means "use key"; stored as given so the API can tell a default from an explicit seed.
    seed: text("seed"),
    winnerVariantId: text("winner_variant_id"),
    // How results are read (docs/contract.md "Metric catalogue and per-user analysis"); change in any status.
    secondaryMetrics: text("secondary_metrics", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    guardrailMetrics: text("guardrail_metrics", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    plannedUsersPerVariant: integer("planned_users_per_variant"),
    // null: every setting at its default. Only the fields given are stored, so a default can still
    // change for old experiments; read through experiments/analysis-settings.ts (withDefaults).
    analysisSettings: text("analysis_settings", { mode: "json" }).$type<Record<string, unknown>>(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    startedAt: integer("started_at"),
    completedAt: integer("completed_at"),
    /** A targeting condition over user attributes (src/targeting); null: everyone. */
    targeting: text("targeting", { mode: "json" }).$type<Record<string, unknown>>(),
    /** `{ key, start, end }`: the user's namespace hash must fall in [start, end); null: no layer. */
    namespace: text("namespace", { mode: "json" }).$type<{ key: string; start: number; end: number }>(),
    scheduledStartAt: integer("scheduled_start_at"),
    scheduledEndAt: integer("scheduled_end_at"),
  },
  (t) => [
    uniqueIndex("experiments_org_key").on(t.orgId, t.key),
    // The Cron Trigger's scan across organizations reads only experiments with a schedule.
    index("experiments_scheduled_start").on(t.scheduledStartAt).where(sql`scheduled_start_at IS NOT NULL`),
    index("experiments_scheduled_end").on(t.scheduledEndAt).where(sql`scheduled_end_at IS NOT NULL`),
    // List pages: newest first within an organization, optionally by status.
    index("experiments_org_created").on(t.orgId, t.createdAt, t.id),
    index("experiments_org_status_created").on(t.orgId, t.status, t.createdAt, t.id),
  ],
);

export const variants = sqliteTable(
  "variants",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    experimentId: text("experiment_id")
      .notNull()
      .references(() => experiments.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    variantName: text("variant_name").notNull(),
    variantType: text("variant_type", { enum: VARIANT_TYPES }).notNull(),
    modelVersion: text("model_version"),
    config: text("config", { mode: "json" }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
    trafficPercentage: real("traffic_percentage").notNull(),
    // Creation order decides bucket ranges (docs/contract.md), so it is stored, not inferred from timestamps.
    position: integer("position").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("variants_experiment_key").on(t.experimentId, t.key),
    uniqueIndex("variants_experiment_position").on(t.experimentId, t.position),
  ],
);

/** One row per (experiment, user): the first exposure wins (INSERT ... ON CONFLICT DO NOTHING). */
export const exposures = sqliteTable(
  "exposures",
  {
    orgId: text("org_id").notNull(),
    experimentId: text("experiment_id")
      .notNull()
      .references(() => experiments.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull(),
    variantId: text("variant_id").notNull(),
    exposedAt: integer("exposed_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.experimentId, t.userId] }),
    index("exposures_experiment_variant").on(t.experimentId, t.variantId),
  ],
);

/** One row per recorded value, as the replaced system stored them, so any aggregation stays possible. */
export const results = sqliteTable(
  "results",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: text("org_id").notNull(),
    experimentId: text("experiment_id")
      .notNull()
      .references(() => experiments.id, { onDelete: "cascade" }),
    variantId: text("variant_id").notNull(),
    userId: text("user_id"),
    metricName: text("metric_name").notNull(),
    metricValue: real("metric_value").notNull(),
    recordedAt: integer("recorded_at").notNull(),
  },
  (t) => [
    // Covering index for the analysis: GROUP BY metric, variant reads only the index, in order.
    index("results_analysis").on(t.experimentId, t.metricName, t.variantId, t.metricValue),
    // A user's rows (re-folded when their exposure arrives) and the anonymous rows (user_id IS NULL).
    index("results_user").on(t.experimentId, t.userId, t.metricName),
  ],
);

/**
 * One row per (experiment, user, metric): the user's results folded into the sums the per-user
 * analysis needs, so it reads users, not rows. Kept by triggers (migrations/0003), never by
 * application code: every insert of a result folds it in; every insert, change or removal of an
 * exposure re-folds that user's rows against the new first exposure time.
 * `post_*`: rows at or after the first exposure (all rows while the user is not exposed, when
 * variant_id is NULL); `pre_*`: rows before it (the CUPED covariate).
 */
export const userMetricValues = sqliteTable(
  "user_metric_values",
  {
    orgId: text("org_id").notNull(),
    experimentId: text("experiment_id").notNull(),
    userId: text("user_id").notNull(),
    metricName: text("metric_name").notNull(),
    /** The exposure's variant; NULL while the user has no exposure. */
    variantId: text("variant_id"),
    postSum: real("post_sum").notNull(),
    postPositive: integer("post_positive").notNull(),
    postRows: integer("post_rows").notNull(),
    preSum: real("pre_sum").notNull(),
    prePositive: integer("pre_positive").notNull(),
    preRows: integer("pre_rows").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.experimentId, t.userId, t.metricName] }),
    // The analysis: one ordered pass per metric, grouped by variant, reading only the index.
    index("user_metric_values_analysis").on(
      t.experimentId,
      t.metricName,
      t.variantId,
      t.postSum,
      t.postPositive,
      t.preSum,
      t.prePositive,
      t.postRows,
      t.preRows,
    ),
  ],
);

/** The metric catalogue: how a `metric_name` of results is read, judged and shown. */
export const metricDefinitions = sqliteTable(
  "metric_definitions",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    key: text("key").notNull(),
    name: text("name").notNull(),
    description: text("description"),
    kind: text("kind", { enum: METRIC_KINDS }).notNull(),
    direction: text("direction", { enum: DIRECTIONS }).notNull(),
    format: text("format", { enum: FORMATS }).notNull(),
    currency: text("currency"),
    // Both null: no capping.
    cappingType: text("capping_type", { enum: CAPPING_TYPES }),
    cappingValue: real("capping_value"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("metric_definitions_org_key").on(t.orgId, t.key),
    index("metric_definitions_org_created").on(t.orgId, t.createdAt, t.id),
  ],
);

export type ExperimentRow = typeof experiments.$inferSelect;
export type VariantRow = typeof variants.$inferSelect;
export type ExposureRow = typeof exposures.$inferSelect;
export type ResultRow = typeof results.$inferSelect;
export type MetricDefinitionRow = typeof metricDefinitions.$inferSelect;
export type UserMetricValueRow = typeof userMetricValues.$inferSelect;

/**
 * Feature flags. `default_value` and each rule's `value` are JSON of the flag's value_type;
 * `rules` is the ordered JSON array the evaluator walks (first match wins), stored whole because
 * it is always read and written whole.
 */
export const flags = sqliteTable(
  "flags",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    key: text("key").notNull(),
    description: text("description"),
    valueType: text("value_type", { enum: FLAG_VALUE_TYPES }).notNull(),
    defaultValue: text("default_value", { mode: "json" }).$type<FlagValue>().notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    rules: text("rules", { mode: "json" }).$type<FlagRule[]>().notNull().default(sql`'[]'`),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("flags_org_key").on(t.orgId, t.key), index("flags_org_created").on(t.orgId, t.createdAt, t.id)],
);

/**
 * The change history of experiments, variants, flags and metrics. Rows are only ever inserted,
 * in the same D1 batch as the change they describe, so a change and its trace commit together.
 */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: text("org_id").notNull(),
    entityType: text("entity_type", { enum: AUDIT_ENTITY_TYPES }).notNull(),
    entityId: text("entity_id").notNull(),
    at: integer("at").notNull(),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    changes: text("changes", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    reason: text("reason"),
  },
  (t) => [index("audit_log_entity").on(t.orgId, t.entityType, t.entityId, t.id)],
);

export type FlagRow = typeof flags.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;
