-- user_metric_values is kept by these triggers, so every path that writes results or exposures
-- (the API, POST /exposures, the assignment hot path, a console) keeps it true, inside the same
-- transaction as the write. Hand-written: drizzle-kit does not model triggers.
--
-- A result folds into its user's row: before the user's first exposure it is a pre-exposure value
-- (the CUPED covariate), at or after it (or while the user has no exposure yet) a post value.
CREATE TRIGGER `results_fold_user_value` AFTER INSERT ON `results` WHEN NEW.user_id IS NOT NULL
BEGIN
  INSERT INTO user_metric_values (org_id, experiment_id, user_id, metric_name, variant_id,
    post_sum, post_positive, post_rows, pre_sum, pre_positive, pre_rows)
  SELECT NEW.org_id, NEW.experiment_id, NEW.user_id, NEW.metric_name, x.variant_id,
    CASE WHEN NEW.recorded_at < x.exposed_at THEN 0.0 ELSE NEW.metric_value END,
    CASE WHEN NEW.recorded_at < x.exposed_at OR NEW.metric_value <= 0 THEN 0 ELSE 1 END,
    CASE WHEN NEW.recorded_at < x.exposed_at THEN 0 ELSE 1 END,
    CASE WHEN NEW.recorded_at < x.exposed_at THEN NEW.metric_value ELSE 0.0 END,
    CASE WHEN NEW.recorded_at < x.exposed_at AND NEW.metric_value > 0 THEN 1 ELSE 0 END,
    CASE WHEN NEW.recorded_at < x.exposed_at THEN 1 ELSE 0 END
  FROM (SELECT 1) AS one
  LEFT JOIN exposures AS x ON x.experiment_id = NEW.experiment_id AND x.user_id = NEW.user_id
  WHERE true
  ON CONFLICT (experiment_id, user_id, metric_name) DO UPDATE SET
    variant_id = excluded.variant_id,
    post_sum = post_sum + excluded.post_sum,
    post_positive = post_positive + excluded.post_positive,
    post_rows = post_rows + excluded.post_rows,
    pre_sum = pre_sum + excluded.pre_sum,
    pre_positive = pre_positive + excluded.pre_positive,
    pre_rows = pre_rows + excluded.pre_rows;
END;
--> statement-breakpoint
-- An exposure that appears, changes or goes re-folds that user's rows against it (usually none:
-- results mostly follow the exposure, so this is two index probes on the assignment path).
CREATE TRIGGER `exposures_refold_on_insert` AFTER INSERT ON `exposures`
BEGIN
  DELETE FROM user_metric_values WHERE experiment_id = NEW.experiment_id AND user_id = NEW.user_id;
  INSERT INTO user_metric_values (org_id, experiment_id, user_id, metric_name, variant_id,
    post_sum, post_positive, post_rows, pre_sum, pre_positive, pre_rows)
  SELECT r.org_id, r.experiment_id, r.user_id, r.metric_name, NEW.variant_id,
    TOTAL(CASE WHEN r.recorded_at < NEW.exposed_at THEN 0.0 ELSE r.metric_value END),
    SUM(CASE WHEN r.recorded_at < NEW.exposed_at OR r.metric_value <= 0 THEN 0 ELSE 1 END),
    SUM(CASE WHEN r.recorded_at < NEW.exposed_at THEN 0 ELSE 1 END),
    TOTAL(CASE WHEN r.recorded_at < NEW.exposed_at THEN r.metric_value ELSE 0.0 END),
    SUM(CASE WHEN r.recorded_at < NEW.exposed_at AND r.metric_value > 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.recorded_at < NEW.exposed_at THEN 1 ELSE 0 END)
  FROM results AS r
  WHERE r.experiment_id = NEW.experiment_id AND r.user_id = NEW.user_id
  GROUP BY r.metric_name;
END;
--> statement-breakpoint
CREATE TRIGGER `exposures_refold_on_update` AFTER UPDATE OF exposed_at, variant_id ON `exposures`
BEGIN
  DELETE FROM user_metric_values WHERE experiment_id = NEW.experiment_id AND user_id = NEW.user_id;
  INSERT INTO user_metric_values (org_id, experiment_id, user_id, metric_name, variant_id,
    post_sum, post_positive, post_rows, pre_sum, pre_positive, pre_rows)
  SELECT r.org_id, r.experiment_id, r.user_id, r.metric_name, NEW.variant_id,
    TOTAL(CASE WHEN r.recorded_at < NEW.exposed_at THEN 0.0 ELSE r.metric_value END),
    SUM(CASE WHEN r.recorded_at < NEW.exposed_at OR r.metric_value <= 0 THEN 0 ELSE 1 END),
    SUM(CASE WHEN r.recorded_at < NEW.exposed_at THEN 0 ELSE 1 END),
    TOTAL(CASE WHEN r.recorded_at < NEW.exposed_at THEN r.metric_value ELSE 0.0 END),
    SUM(CASE WHEN r.recorded_at < NEW.exposed_at AND r.metric_value > 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.recorded_at < NEW.exposed_at THEN 1 ELSE 0 END)
  FROM results AS r
  WHERE r.experiment_id = NEW.experiment_id AND r.user_id = NEW.user_id
  GROUP BY r.metric_name;
END;
--> statement-breakpoint
-- Without an exposure every row of the user is an unexposed post value again.
CREATE TRIGGER `exposures_refold_on_delete` AFTER DELETE ON `exposures`
BEGIN
  DELETE FROM user_metric_values WHERE experiment_id = OLD.experiment_id AND user_id = OLD.user_id;
  INSERT INTO user_metric_values (org_id, experiment_id, user_id, metric_name, variant_id,
    post_sum, post_positive, post_rows, pre_sum, pre_positive, pre_rows)
  SELECT r.org_id, r.experiment_id, r.user_id, r.metric_name, NULL,
    TOTAL(r.metric_value), SUM(CASE WHEN r.metric_value > 0 THEN 1 ELSE 0 END), COUNT(*), 0.0, 0, 0
  FROM results AS r
  WHERE r.experiment_id = OLD.experiment_id AND r.user_id = OLD.user_id
  GROUP BY r.metric_name;
END;
--> statement-breakpoint
CREATE TRIGGER `experiments_drop_user_values` AFTER DELETE ON `experiments`
BEGIN
  DELETE FROM user_metric_values WHERE experiment_id = OLD.id;
END;
--> statement-breakpoint
-- Existing data: fold every stored result of a known user, as the triggers would have.
INSERT INTO user_metric_values (org_id, experiment_id, user_id, metric_name, variant_id,
  post_sum, post_positive, post_rows, pre_sum, pre_positive, pre_rows)
SELECT r.org_id, r.experiment_id, r.user_id, r.metric_name, x.variant_id,
  TOTAL(CASE WHEN r.recorded_at < x.exposed_at THEN 0.0 ELSE r.metric_value END),
  SUM(CASE WHEN r.recorded_at < x.exposed_at OR r.metric_value <= 0 THEN 0 ELSE 1 END),
  SUM(CASE WHEN r.recorded_at < x.exposed_at THEN 0 ELSE 1 END),
  TOTAL(CASE WHEN r.recorded_at < x.exposed_at THEN r.metric_value ELSE 0.0 END),
  SUM(CASE WHEN r.recorded_at < x.exposed_at AND r.metric_value > 0 THEN 1 ELSE 0 END),
  SUM(CASE WHEN r.recorded_at < x.exposed_at THEN 1 ELSE 0 END)
FROM results AS r
LEFT JOIN exposures AS x ON x.experiment_id = r.experiment_id AND x.user_id = r.user_id
WHERE r.user_id IS NOT NULL
GROUP BY r.experiment_id, r.user_id, r.metric_name;
