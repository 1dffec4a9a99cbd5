CREATE TABLE `figure_lineage` (
	`credit_code` text NOT NULL,
	`year` integer NOT NULL,
	`version` integer NOT NULL,
	`sources` text NOT NULL,
	`sheet` text NOT NULL,
	PRIMARY KEY(`credit_code`, `year`, `version`)
);
--> statement-breakpoint
CREATE TABLE `figure_submissions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`year` integer NOT NULL,
	`credit_code` text NOT NULL,
	`input` text NOT NULL,
	`value` text NOT NULL,
	`department` text NOT NULL,
	`version` integer NOT NULL,
	`submitted_at` text NOT NULL,
	`submitted_by` text NOT NULL,
	`note` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `figure_submissions_version` ON `figure_submissions` (`year`,`credit_code`,`input`,`version`);--> statement-breakpoint
CREATE INDEX `figure_submissions_department` ON `figure_submissions` (`year`,`department`);--> statement-breakpoint
CREATE TABLE `land_publications` (
	`year` integer PRIMARY KEY NOT NULL,
	`published_on` text NOT NULL,
	`objection_until` text NOT NULL,
	`published_at` text NOT NULL,
	`published_by` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sheet_answers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`year` integer NOT NULL,
	`credit_code` text NOT NULL,
	`kind` text NOT NULL,
	`seen` integer,
	`input` text,
	`submission_id` integer,
	`claimed` text,
	`reason` text,
	`status` text NOT NULL,
	`filed_at` text NOT NULL,
	`filed_by` text NOT NULL,
	`decided_at` text,
	`decided_by` text,
	`decision` text,
	`resolved_submission_id` integer
);
--> statement-breakpoint
CREATE INDEX `sheet_answers_firm` ON `sheet_answers` (`year`,`credit_code`);