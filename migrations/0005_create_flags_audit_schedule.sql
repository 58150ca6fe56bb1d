CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`org_id` text NOT NULL,
	`entity_type` text NOT NULL,
	`entity_id` text NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`changes` text NOT NULL,
	`reason` text
);
--> statement-breakpoint
CREATE INDEX `audit_log_entity` ON `audit_log` (`org_id`,`entity_type`,`entity_id`,`id`);--> statement-breakpoint
CREATE TABLE `flags` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`key` text NOT NULL,
	`description` text,
	`value_type` text NOT NULL,
	`default_value` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`rules` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `flags_org_key` ON `flags` (`org_id`,`key`);--> statement-breakpoint
CREATE INDEX `flags_org_created` ON `flags` (`org_id`,`created_at`,`id`);--> statement-breakpoint
ALTER TABLE `experiments` ADD `targeting` text;--> statement-breakpoint
ALTER TABLE `experiments` ADD `namespace` text;--> statement-breakpoint
ALTER TABLE `experiments` ADD `scheduled_start_at` integer;--> statement-breakpoint
ALTER TABLE `experiments` ADD `scheduled_end_at` integer;--> statement-breakpoint
CREATE INDEX `experiments_scheduled_start` ON `experiments` (`scheduled_start_at`) WHERE scheduled_start_at IS NOT NULL;--> statement-breakpoint
CREATE INDEX `experiments_scheduled_end` ON `experiments` (`scheduled_end_at`) WHERE scheduled_end_at IS NOT NULL;