CREATE TABLE `experiments` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`key` text NOT NULL,
	`experiment_name` text NOT NULL,
	`description` text,
	`hypothesis` text,
	`status` text DEFAULT 'draft' NOT NULL,
	`primary_metric` text,
	`coverage` real DEFAULT 100 NOT NULL,
	`seed` text,
	`winner_variant_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`started_at` integer,
	`completed_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `experiments_org_key` ON `experiments` (`org_id`,`key`);--> statement-breakpoint
CREATE INDEX `experiments_org_created` ON `experiments` (`org_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `experiments_org_status_created` ON `experiments` (`org_id`,`status`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `exposures` (
	`org_id` text NOT NULL,
	`experiment_id` text NOT NULL,
	`user_id` text NOT NULL,
	`variant_id` text NOT NULL,
	`exposed_at` integer NOT NULL,
	PRIMARY KEY(`experiment_id`, `user_id`),
	FOREIGN KEY (`experiment_id`) REFERENCES `experiments`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `exposures_experiment_variant` ON `exposures` (`experiment_id`,`variant_id`);--> statement-breakpoint
CREATE TABLE `results` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` text NOT NULL,
	`experiment_id` text NOT NULL,
	`variant_id` text NOT NULL,
	`user_id` text,
	`metric_name` text NOT NULL,
	`metric_value` real NOT NULL,
	`recorded_at` integer NOT NULL,
	FOREIGN KEY (`experiment_id`) REFERENCES `experiments`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `results_analysis` ON `results` (`experiment_id`,`metric_name`,`variant_id`,`metric_value`);--> statement-breakpoint
CREATE TABLE `variants` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`experiment_id` text NOT NULL,
	`key` text NOT NULL,
	`variant_name` text NOT NULL,
	`variant_type` text NOT NULL,
	`model_version` text,
	`config` text DEFAULT '{}' NOT NULL,
	`traffic_percentage` real NOT NULL,
	`position` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`experiment_id`) REFERENCES `experiments`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `variants_experiment_key` ON `variants` (`experiment_id`,`key`);--> statement-breakpoint
CREATE UNIQUE INDEX `variants_experiment_position` ON `variants` (`experiment_id`,`position`);