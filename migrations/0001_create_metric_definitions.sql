CREATE TABLE `metric_definitions` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`key` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`kind` text NOT NULL,
	`direction` text NOT NULL,
	`format` text NOT NULL,
	`currency` text,
	`capping_type` text,
	`capping_value` real,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `metric_definitions_org_key` ON `metric_definitions` (`org_id`,`key`);--> statement-breakpoint
CREATE INDEX `metric_definitions_org_created` ON `metric_definitions` (`org_id`,`created_at`,`id`);