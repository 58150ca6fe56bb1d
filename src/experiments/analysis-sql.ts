/**
 * The analysis statements, in a module without imports so the benchmark (plain Node) can time
 * exactly the SQL the Worker runs. Parameters: ?1 experiment id, ?2 organization id.
 *
 * Rows are filtered by org through their experiment: the scalar subquery resolves the experiment
 * only within the org and keeps the covering indexes usable (an org_id predicate on the rows
 * themselves would make SQLite read every table row as well as the index).
 *
 * The unit is the exposed user (docs/contract.md): user_metric_values holds one row per (experiment, user,
 * metric), kept by triggers (migrations/0003), so these statements read users, not result rows.
 * Exposed users without a row contribute 0; the caller adds them from the exposure counts.
 */
const OF_ORG = `(SELECT id FROM experiments WHERE id = ?1 AND org_id = ?2)`;

/** Exposed users per variant (index exposures_experiment_variant). */
export const EXPOSURES_SQL = `
  SELECT variant_id, COUNT(*) AS users FROM exposures WHERE experiment_id = ${OF_ORG} GROUP BY variant_id`;

/**
 * Pass 1, per metric: exposed users with rows, their pooled sum (the shift of pass 2), how many
 * per-user values are negative (for the percentile cap), and the data-quality row counts.
 */
export const METRIC_OVERVIEW_SQL = `
  SELECT metric_name,
    COUNT(variant_id) AS users,
    TOTAL(CASE WHEN variant_id IS NOT NULL THEN post_sum END) AS sum,
    TOTAL(CASE WHEN variant_id IS NOT NULL THEN post_rows END) AS post_rows,
    TOTAL(CASE WHEN variant_id IS NOT NULL AND post_sum < 0 THEN 1 END) AS negatives,
    TOTAL(CASE WHEN variant_id IS NULL THEN post_rows END) AS unexposed_rows,
    TOTAL(pre_rows) AS pre_rows
  FROM user_metric_values WHERE experiment_id = ${OF_ORG}
  GROUP BY metric_name`;

/** Results without a user (index results_user: a range, not a scan). */
export const ANONYMOUS_SQL = `
  SELECT COUNT(*) AS n FROM results WHERE experiment_id = ${OF_ORG} AND user_id IS NULL`;

/**
 * Pass 2, one metric (?3), per variant, over the users with rows. ?4 = 1: binomial (value = any
 * result > 0), else the sum; ?5 an upper cap or NULL; ?6 and ?7 the shifts of Y and of the
 * covariate X (pre-exposure value), common to every variant, so differences between arms stay
 * exact however large the values are (FINDINGS: 1.7e12 + N(0, 1)).
 */
export const USER_MOMENTS_SQL = `
  SELECT variant_id, COUNT(*) AS users, TOTAL(y) AS sum,
    TOTAL(y - ?6) AS sumD, TOTAL((y - ?6) * (y - ?6)) AS sumD2, MIN(y) AS min, MAX(y) AS max,
    TOTAL(x - ?7) AS sumXD, TOTAL((x - ?7) * (x - ?7)) AS sumXD2, TOTAL((x - ?7) * (y - ?6)) AS sumXYD
  FROM (
    SELECT variant_id,
      CASE WHEN ?4 = 1 THEN (post_positive > 0) ELSE MIN(post_sum, COALESCE(?5, post_sum)) END AS y,
      CASE WHEN ?4 = 1 THEN (pre_positive > 0) ELSE MIN(pre_sum, COALESCE(?5, pre_sum)) END AS x
    FROM user_metric_values
    WHERE experiment_id = ${OF_ORG} AND metric_name = ?3 AND variant_id IS NOT NULL)
  GROUP BY variant_id`;

/** The (?4)-th smallest per-user sum of exposed users with rows of metric ?3 (percentile caps). */
export const USER_VALUE_AT_SQL = `
  SELECT post_sum AS v FROM user_metric_values
  WHERE experiment_id = ${OF_ORG} AND metric_name = ?3 AND variant_id IS NOT NULL
  ORDER BY post_sum LIMIT 1 OFFSET ?4`;

/**
 * event_mean keeps the per-row reading: one value per result row of metric ?3, by the row's
 * variant; ?4 an upper cap or NULL, ?5 the common shift. One ordered pass over results_analysis.
 */
export const EVENT_MOMENTS_SQL = `
  SELECT variant_id, COUNT(*) AS users, TOTAL(v) AS sum,
    TOTAL(v - ?5) AS sumD, TOTAL((v - ?5) * (v - ?5)) AS sumD2, MIN(v) AS min, MAX(v) AS max,
    0.0 AS sumXD, 0.0 AS sumXD2, 0.0 AS sumXYD
  FROM (SELECT variant_id, MIN(metric_value, COALESCE(?4, metric_value)) AS v
        FROM results WHERE experiment_id = ${OF_ORG} AND metric_name = ?3)
  GROUP BY variant_id`;

/** The (?4)-th smallest row value of metric ?3 (percentile caps of event_mean metrics). */
export const EVENT_VALUE_AT_SQL = `
  SELECT metric_value AS v FROM results WHERE experiment_id = ${OF_ORG} AND metric_name = ?3
  ORDER BY metric_value LIMIT 1 OFFSET ?4`;

/**
 * Pass 1 of the event_mean metrics of the catalogue: their row counts (for percentile caps) and
 * sums (for the shift), reading only those metrics' stretch of results_analysis. Anonymous rows
 * count: an event metric (latency per request) needs no user.
 */
export const EVENT_OVERVIEW_SQL = `
  SELECT metric_name, COUNT(*) AS rows, TOTAL(metric_value) AS sum
  FROM results
  WHERE experiment_id = ${OF_ORG}
    AND metric_name IN (SELECT key FROM metric_definitions WHERE org_id = ?2 AND kind = 'event_mean')
  GROUP BY metric_name`;

/** The organization's metric catalogue (small: one row per defined metric). */
export const DEFINITIONS_SQL = `SELECT * FROM metric_definitions WHERE org_id = ?2 AND ?1 IS NOT NULL`;

/** The baseline the benchmark compares the analysis with: counting the same rows. */
export const COUNT_SQL = `SELECT COUNT(*) AS n FROM results WHERE experiment_id = ${OF_ORG}`;

/** Exposed users per (variant, UTC day index since the start day ?3), for the timeseries. */
export const EXPOSURES_BY_DAY_SQL = `
  SELECT variant_id, MAX(0, exposed_at / 86400000 - ?3) AS day, COUNT(*) AS users
  FROM exposures WHERE experiment_id = ${OF_ORG}
  GROUP BY variant_id, day`;

/**
 * The timeseries of one per-user metric (?4), as day-by-day changes of Σy and Σy² per variant:
 * each exposed user's value is recomputed at the end of every day they had rows (a running sum,
 * or for ?5 = 1 whether any value so far was > 0, capped at ?6), and the change from their
 * previous value is added to that day. Cumulative sums of the changes give each day's moments
 * in one pass over the metric's rows, whatever the number of days.
 */
export const USER_TIMESERIES_SQL = `
  SELECT variant_id, day, TOTAL(v - prev) AS dSum, TOTAL(v * v - prev * prev) AS dSum2
  FROM (
    SELECT variant_id, day, v, LAG(v, 1, 0.0) OVER (PARTITION BY user_id ORDER BY day) AS prev
    FROM (
      SELECT user_id, variant_id, day,
        CASE WHEN ?5 = 1 THEN (SUM(pos) OVER w > 0) * 1.0
             ELSE MIN(SUM(inc) OVER w, COALESCE(?6, SUM(inc) OVER w)) END AS v
      FROM (
        SELECT r.user_id, x.variant_id, MAX(0, r.recorded_at / 86400000 - ?3) AS day,
          TOTAL(r.metric_value) AS inc, SUM(r.metric_value > 0) AS pos
        FROM results AS r
        JOIN exposures AS x ON x.experiment_id = r.experiment_id AND x.user_id = r.user_id
        WHERE r.experiment_id = ${OF_ORG} AND r.metric_name = ?4 AND r.recorded_at >= x.exposed_at
        GROUP BY r.user_id, day)
      WINDOW w AS (PARTITION BY user_id ORDER BY day)))
  GROUP BY variant_id, day`;

/** The same for an event_mean metric (?5 unused): every row is a value, counted on its day. */
export const EVENT_TIMESERIES_SQL = `
  SELECT variant_id, MAX(0, recorded_at / 86400000 - ?3) AS day, COUNT(*) AS n,
    TOTAL(MIN(metric_value, COALESCE(?6, metric_value))) AS dSum,
    TOTAL(MIN(metric_value, COALESCE(?6, metric_value)) * MIN(metric_value, COALESCE(?6, metric_value))) AS dSum2
  FROM results WHERE experiment_id = ${OF_ORG} AND metric_name = ?4
  GROUP BY variant_id, day`;
