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
 * The metric names with per-user rows, one index seek each (a skip scan of
 * user_metric_values_analysis): the analysis learns which metrics to read without reading them.
 */
export const METRIC_NAMES_SQL = `
  WITH RECURSIVE names(name) AS (
    SELECT (SELECT MIN(metric_name) FROM user_metric_values WHERE experiment_id = ${OF_ORG})
    UNION ALL
    SELECT (SELECT MIN(metric_name) FROM user_metric_values WHERE experiment_id = ${OF_ORG} AND metric_name > name)
    FROM names WHERE name IS NOT NULL)
  SELECT name AS metric_name FROM names WHERE name IS NOT NULL`;

/** How many per-user values METRIC_SAMPLE_SQL reads. */
const SAMPLE_ROWS = 1024;

/**
 * The first SAMPLE_ROWS per-user values of exposed users in user-id order (the primary key: an
 * order unrelated to the values), whatever their metric. Their per-metric median is the shift of
 * the one pass (USER_VALUE_READING_SQL), which must be known before it starts.
 */
export const METRIC_SAMPLE_SQL = `
  SELECT metric_name, post_sum AS v FROM user_metric_values
  WHERE experiment_id = ${OF_ORG} AND variant_id IS NOT NULL
  ORDER BY user_id, metric_name LIMIT ${SAMPLE_ROWS}`;

/**
 * The one pass over the users of a metric (?3) that is not binomial, per variant (NULL: users
 * without exposure, counted for data quality only): Y = the user's post-exposure sum, X = the
 * pre-exposure sum (the CUPED covariate), the negatives (percentile caps) and the row counts.
 *
 * The Y sums are of Y − shift. The shift is ?4, a sample median (METRIC_SAMPLE_SQL), or when the
 * sample holds too few values of the metric, the exact mean of its exposed users (one more pass,
 * over a metric the sample says is rare). Any shift within a few spreads of the values keeps
 * differences exact however large the values are (FINDINGS: 1.7e12 + N(0, 1)). X is not shifted,
 * so a metric without pre-exposure values has a covariate of exactly zero spread.
 */
export const USER_VALUE_READING_SQL = `
  WITH s AS MATERIALIZED (SELECT COALESCE(?4,
    (SELECT TOTAL(post_sum) / COUNT(*) FROM user_metric_values
     WHERE experiment_id = ${OF_ORG} AND metric_name = ?3 AND variant_id IS NOT NULL), 0.0) AS v)
  SELECT variant_id, COUNT(*) AS users, TOTAL(post_sum) AS sum,
    TOTAL(post_sum - (SELECT v FROM s)) AS sumD,
    TOTAL((post_sum - (SELECT v FROM s)) * (post_sum - (SELECT v FROM s))) AS sumD2,
    MIN(post_sum) AS min, MAX(post_sum) AS max,
    TOTAL(pre_sum) AS sumXD, TOTAL(pre_sum * pre_sum) AS sumXD2,
    TOTAL(pre_sum * (post_sum - (SELECT v FROM s))) AS sumXYD,
    TOTAL(post_sum < 0) AS negatives, TOTAL(post_rows) AS postRows, TOTAL(pre_rows) AS preRows,
    (SELECT v FROM s) AS shift
  FROM user_metric_values
  WHERE experiment_id = ${OF_ORG} AND metric_name = ?3
  GROUP BY variant_id`;

/**
 * The one pass over the users of a binomial metric (?3): Y = whether any post-exposure value was
 * > 0, X = whether any pre-exposure one was. Sums of 0/1 are exact: no shift. Also read for
 * event_mean metrics, whose per-user rows count only for data quality.
 */
export const USER_BINOMIAL_READING_SQL = `
  SELECT variant_id, COUNT(*) AS users, TOTAL(post_positive > 0) AS positives,
    TOTAL(pre_positive > 0) AS prePositives, TOTAL(post_positive > 0 AND pre_positive > 0) AS bothPositive,
    TOTAL(post_rows) AS postRows, TOTAL(pre_rows) AS preRows
  FROM user_metric_values
  WHERE experiment_id = ${OF_ORG} AND metric_name = ?3
  GROUP BY variant_id`;

/** Results without a user (index results_user: a range, not a scan). */
export const ANONYMOUS_SQL = `
  SELECT COUNT(*) AS n FROM results WHERE experiment_id = ${OF_ORG} AND user_id IS NULL`;

/**
 * A capped metric (?3), per variant, over the users with rows: the cap is known only after the
 * one pass (a percentile's value needs the counts), so capped metrics take a second pass. ?4 = 1: binomial (value = any
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
 * The timeseries of one per-user metric (?4), as day-by-day changes of sums per variant: each
 * exposed user's value is recomputed at the end of every day they had rows (a running sum, or for
 * ?5 = 1 whether any value so far was > 0, capped at ?6), and the change from their previous value
 * is added to that day. Cumulative sums of the changes give each day's moments in one pass over
 * the metric's rows, whatever the number of days.
 *
 * The sums are of y − ?7, the analysis' shift (docs/statistics.md, "Numerical notes"), over the
 * users with rows so far: on a user's first day with rows they enter with (y − k) and (y − k)²,
 * later days add (y − k)² − (prev − k)², which stays exact for values near 1.7e12. `dRows` counts
 * the users entering; the exposed users without rows yet are added as zeros (analysis-moments.ts
 * armMoments), as the results page adds them. An entry of (0 − k)² at exposure, cancelled later,
 * would lose everything to rounding.
 *
 * The previous value comes from the same running sums minus the day's own increment, not from a
 * LAG over a second window: one sort of the user-days fewer. On the experiments bench's file
 * (500,000 rows of the metric, 200,000 users, node:sqlite, medians of 5 alternating runs) the
 * series took 0.90 of the LAG form's time, with the same sums to the last bit for a sum, a capped
 * sum and a binomial metric.
 */
const userTimeseries = (covariate: boolean) => `
  SELECT variant_id, day, TOTAL(nth = 1) AS dRows,
    TOTAL(CASE WHEN nth = 1 THEN v - ?7 ELSE v - prev END) AS dSumD,
    TOTAL(CASE WHEN nth = 1 THEN (v - ?7) * (v - ?7) ELSE (v - ?7) * (v - ?7) - (prev - ?7) * (prev - ?7) END)
      AS dSumD2
    ${
      covariate
        ? `, TOTAL(CASE WHEN nth = 1 THEN cx * (v - ?7) ELSE cx * (v - prev) END) AS dSumXYWith,
           TOTAL(CASE WHEN nth = 1 THEN cx ELSE 0.0 END) AS dSumXWith`
        : ""
    }
  FROM (
    SELECT variant_id, day, nth, ${covariate ? "cx," : ""}
      CASE WHEN ?5 = 1 THEN (cumPos > 0) * 1.0 ELSE MIN(cum, COALESCE(?6, cum)) END AS v,
      CASE WHEN ?5 = 1 THEN (cumPos - pos > 0) * 1.0 ELSE MIN(cum - inc, COALESCE(?6, cum - inc)) END AS prev
    FROM (
      SELECT variant_id, day, inc, pos, ${covariate ? "cx," : ""} SUM(inc) OVER w AS cum, SUM(pos) OVER w AS cumPos,
        COUNT(*) OVER w AS nth
      FROM (
        SELECT r.user_id, x.variant_id, MAX(0, r.recorded_at / 86400000 - ?3) AS day,
          TOTAL(r.metric_value) AS inc, SUM(r.metric_value > 0) AS pos ${covariate ? `, ${userCovariate} AS cx` : ""}
        FROM results AS r
        JOIN exposures AS x ON x.experiment_id = r.experiment_id AND x.user_id = r.user_id
        WHERE r.experiment_id = ${OF_ORG} AND r.metric_name = ?4 AND r.recorded_at >= x.exposed_at
        GROUP BY r.user_id, day)
      WINDOW w AS (PARTITION BY user_id ORDER BY day)))
  GROUP BY variant_id, day`;

/**
 * CUPED's covariate X of a user for metric ?4, from their user_metric_values row `u`: exactly the
 * X of the analysis (USER_MOMENTS_SQL, USER_VALUE_READING_SQL), whether any pre-exposure value was
 * > 0 for ?5 = 1, else the pre-exposure sum capped at ?6.
 */
const covariateOf = (u: string) =>
  `CASE WHEN ?5 = 1 THEN (${u}.pre_positive > 0) * 1.0 ELSE MIN(${u}.pre_sum, COALESCE(?6, ${u}.pre_sum)) END`;

/** X of the user of a group of the timeseries' rows (`r`): looked up once per user-day, not per row. */
const userCovariate = `(SELECT ${covariateOf("u")} FROM user_metric_values AS u
  WHERE u.experiment_id = r.experiment_id AND u.user_id = r.user_id AND u.metric_name = ?4)`;

export const USER_TIMESERIES_SQL = userTimeseries(false);

/**
 * The same with CUPED's covariate, over the users with rows so far: the change of Σx·(y − k),
 * the user's X times the change of their value (X is fixed: it is what they did before
 * exposure), and Σx of the users entering. Unshifted X, as in the analysis. Every
 * user with results of the metric has its user_metric_values row (the fold triggers keep it).
 * X is a correlated lookup per user-day group: as fast as a join per result row here, and it
 * cannot multiply rows.
 */
export const USER_TIMESERIES_COVARIATE_SQL = userTimeseries(true);

/**
 * EXPOSURES_BY_DAY_SQL with CUPED's covariate (metric ?4, ?5 binomial, ?6 cap): Σx and Σx² of the
 * users exposed each day, one primary-key lookup per exposure. A user without a row has no
 * pre-exposure value: X = 0 (TOTAL skips the NULL). Read only with CUPED on.
 */
export const EXPOSURES_BY_DAY_COVARIATE_SQL = `
  SELECT e.variant_id, MAX(0, e.exposed_at / 86400000 - ?3) AS day, COUNT(*) AS users,
    TOTAL(${covariateOf("u")}) AS sumX, TOTAL(${covariateOf("u")} * ${covariateOf("u")}) AS sumX2
  FROM exposures AS e
  LEFT JOIN user_metric_values AS u
    ON u.experiment_id = e.experiment_id AND u.user_id = e.user_id AND u.metric_name = ?4
  WHERE e.experiment_id = ${OF_ORG}
  GROUP BY e.variant_id, day`;

/** The same for an event_mean metric (?5 unused): every row is a value, counted on its day, shifted by ?7. */
export const EVENT_TIMESERIES_SQL = `
  SELECT variant_id, day, COUNT(*) AS n, COUNT(*) AS dRows, TOTAL(v - ?7) AS dSumD, TOTAL((v - ?7) * (v - ?7)) AS dSumD2
  FROM (SELECT variant_id, MAX(0, recorded_at / 86400000 - ?3) AS day, MIN(metric_value, COALESCE(?6, metric_value)) AS v
        FROM results WHERE experiment_id = ${OF_ORG} AND metric_name = ?4)
  GROUP BY variant_id, day`;
