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
CREATE INDEX `flags_org_created` ON `flags` (`org_id`,`created_at`,`id`);