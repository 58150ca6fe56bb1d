/**
 * The analysis statements, in a module without imports so the benchmark (plain Node) can time
 * exactly the SQL the Worker runs. Parameters: ?1 experiment id, ?2 organization id.
 *
 * Results are filtered by org through their experiment: the scalar subquery resolves the
 * experiment only within the org and keeps the covering index results_analysis usable (an org_id
 * predicate on results itself would make SQLite read every table row as well as the index).
 */
const OF_ORG = `(SELECT id FROM experiments WHERE id = ?1 AND org_id = ?2)`;

/** Per (metric, variant) COUNT/SUM/SUM(v²)/MIN/MAX: one ordered pass over the covering index. */
export const ANALYSIS_SQL = `
  SELECT metric_name, variant_id, COUNT(*) AS count, SUM(metric_value) AS sum,
         SUM(metric_value * metric_value) AS sumSq, MIN(metric_value) AS min, MAX(metric_value) AS max
  FROM results WHERE experiment_id = ${OF_ORG}
  GROUP BY metric_name, variant_id`;

/** Exposed users per variant (index exposures_experiment_variant). */
export const EXPOSURES_SQL = `
  SELECT variant_id, COUNT(*) AS users FROM exposures WHERE experiment_id = ${OF_ORG} GROUP BY variant_id`;

/** Σ(v − shift), Σ(v − shift)² of one group (?3 metric, ?4 variant, ?5 shift): the precise second pass. */
export const SHIFTED_SUMS_SQL = `
  SELECT TOTAL(metric_value - ?5) AS sumD, TOTAL((metric_value - ?5) * (metric_value - ?5)) AS sumD2
  FROM results WHERE experiment_id = ${OF_ORG} AND metric_name = ?3 AND variant_id = ?4`;

/** The baseline the benchmark compares the analysis with: counting the same rows. */
export const COUNT_SQL = `SELECT COUNT(*) AS n FROM results WHERE experiment_id = ${OF_ORG}`;
