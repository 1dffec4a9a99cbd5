CREATE TABLE `api_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`token_hash` text NOT NULL,
	`role` text NOT NULL,
	`scope` text DEFAULT '' NOT NULL,
	`label` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_hash` ON `api_tokens` (`token_hash`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` text NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`subject` text NOT NULL,
	`detail` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_subject` ON `audit_log` (`subject`);--> statement-breakpoint
CREATE INDEX `audit_at` ON `audit_log` (`at`);--> statement-breakpoint
CREATE TABLE `enterprises` (
	`credit_code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`county` text NOT NULL,
	`industry_code` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`updated_at` text NOT NULL,
	`updated_by` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `enterprises_county` ON `enterprises` (`county`);--> statement-breakpoint
CREATE TABLE `evaluation_results` (
	`run_id` integer NOT NULL,
	`credit_code` text NOT NULL,
	`county` text NOT NULL,
	`status` text NOT NULL,
	`group_id` text,
	`score` real,
	`rank` integer,
	`group_size` integer,
	`initial_class` text,
	`class` text,
	`category` text,
	`result` text NOT NULL,
	PRIMARY KEY(`run_id`, `credit_code`),
	FOREIGN KEY (`run_id`) REFERENCES `evaluation_runs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `evaluation_results_code` ON `evaluation_results` (`credit_code`);--> statement-breakpoint
CREATE TABLE `evaluation_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`year` integer NOT NULL,
	`rulebook_version_id` integer NOT NULL,
	`status` text NOT NULL,
	`counts` text NOT NULL,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL,
	`published_at` text,
	`published_by` text,
	FOREIGN KEY (`rulebook_version_id`) REFERENCES `rulebook_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `evaluation_runs_year` ON `evaluation_runs` (`year`,`status`);--> statement-breakpoint
CREATE TABLE `figures` (
	`credit_code` text NOT NULL,
	`year` integer NOT NULL,
	`data` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`updated_at` text NOT NULL,
	`updated_by` text NOT NULL,
	PRIMARY KEY(`credit_code`, `year`),
	FOREIGN KEY (`credit_code`) REFERENCES `enterprises`(`credit_code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `override_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`override_id` text NOT NULL,
	`county` text NOT NULL,
	`from_status` text,
	`to_status` text NOT NULL,
	`at` text NOT NULL,
	`by` text NOT NULL,
	`reason` text DEFAULT '' NOT NULL,
	`ref` text,
	`rulebook_version_id` integer NOT NULL,
	FOREIGN KEY (`rulebook_version_id`) REFERENCES `rulebook_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `override_events_override` ON `override_events` (`override_id`);--> statement-breakpoint
CREATE TABLE `rulebook_versions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`hash` text NOT NULL,
	`files` text NOT NULL,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL,
	`note` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rulebook_versions_hash` ON `rulebook_versions` (`hash`);