CREATE TABLE `dispositions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`credit_code` text NOT NULL,
	`county` text NOT NULL,
	`kind` text NOT NULL,
	`deadline` text NOT NULL,
	`status` text NOT NULL,
	`started_on` text,
	`completed_on` text,
	`evidence` text DEFAULT '' NOT NULL,
	`changes` text DEFAULT '' NOT NULL,
	`energy_freed_tce` text DEFAULT '0' NOT NULL,
	`water_freed_m3` text DEFAULT '0' NOT NULL,
	`land_freed_mu` text DEFAULT '0' NOT NULL,
	`jobs_reduced` integer DEFAULT 0 NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL,
	`updated_at` text NOT NULL,
	`updated_by` text NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`credit_code`) REFERENCES `enterprises`(`credit_code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `dispositions_project_firm` ON `dispositions` (`project_id`,`credit_code`);--> statement-breakpoint
CREATE INDEX `dispositions_firm` ON `dispositions` (`credit_code`);--> statement-breakpoint
CREATE INDEX `dispositions_county` ON `dispositions` (`county`,`completed_on`);--> statement-breakpoint
CREATE TABLE `fund_allocations` (
	`year` integer PRIMARY KEY NOT NULL,
	`fund_id` text NOT NULL,
	`rulebook_version_id` integer NOT NULL,
	`total` text NOT NULL,
	`allocation` text NOT NULL,
	`fixed_at` text NOT NULL,
	`fixed_by` text NOT NULL,
	FOREIGN KEY (`rulebook_version_id`) REFERENCES `rulebook_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `programme_reports` (
	`county` text NOT NULL,
	`quarter` text NOT NULL,
	`seq` integer NOT NULL,
	`submitted_on` text NOT NULL,
	`submitted_at` text NOT NULL,
	`submitted_by` text NOT NULL,
	`report` text NOT NULL,
	PRIMARY KEY(`county`, `quarter`, `seq`)
);
--> statement-breakpoint
CREATE TABLE `projects` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`county` text NOT NULL,
	`year` integer NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`township` text NOT NULL,
	`industry_code` text,
	`starts_on` text NOT NULL,
	`ends_on` text NOT NULL,
	`cluster` text,
	`cluster_built_on` text,
	`status` text NOT NULL,
	`filed_on` text NOT NULL,
	`registered_at` text NOT NULL,
	`registered_by` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`updated_at` text NOT NULL,
	`updated_by` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `projects_county_year` ON `projects` (`county`,`year`);