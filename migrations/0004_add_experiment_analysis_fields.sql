ALTER TABLE `experiments` ADD `secondary_metrics` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `experiments` ADD `guardrail_metrics` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `experiments` ADD `planned_users_per_variant` integer;--> statement-breakpoint
ALTER TABLE `experiments` ADD `analysis_settings` text;