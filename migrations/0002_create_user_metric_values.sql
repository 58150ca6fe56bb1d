CREATE TABLE `user_metric_values` (
	`org_id` text NOT NULL,
	`experiment_id` text NOT NULL,
	`user_id` text NOT NULL,
	`metric_name` text NOT NULL,
	`variant_id` text,
	`post_sum` real NOT NULL,
	`post_positive` integer NOT NULL,
	`post_rows` integer NOT NULL,
	`pre_sum` real NOT NULL,
	`pre_positive` integer NOT NULL,
	`pre_rows` integer NOT NULL,
	PRIMARY KEY(`experiment_id`, `user_id`, `metric_name`)
);
--> statement-breakpoint
CREATE INDEX `user_metric_values_analysis` ON `user_metric_values` (`experiment_id`,`metric_name`,`variant_id`,`post_sum`,`post_positive`,`pre_sum`,`pre_positive`,`post_rows`,`pre_rows`);--> statement-breakpoint
CREATE INDEX `results_user` ON `results` (`experiment_id`,`user_id`,`metric_name`);