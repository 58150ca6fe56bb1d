import { sql } from "drizzle-orm";
import { EXPERIMENT_STATUSES, VARIANT_TYPES } from "../experiments/model";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
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
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    startedAt: integer("started_at"),
    completedAt: integer("completed_at"),
  },
  (t) => [
    uniqueIndex("experiments_org_key").on(t.orgId, t.key),
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
    // Creation order decides bucket ranges (API.md), so it is stored, not inferred from timestamps.
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
