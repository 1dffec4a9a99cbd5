CREATE TABLE `objections` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` integer NOT NULL,
	`credit_code` text NOT NULL,
	`reason` text NOT NULL,
	`evidence` text NOT NULL,
	`filed_at` text NOT NULL,
	`filed_by` text NOT NULL,
	`status` text NOT NULL,
	`class_before` text,
	`class_after` text,
	`decision` text,
	`decided_at` text,
	`decided_by` text,
	FOREIGN KEY (`run_id`) REFERENCES `evaluation_runs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `objections_run` ON `objections` (`run_id`,`credit_code`);--> statement-breakpoint
ALTER TABLE `evaluation_runs` ADD `notice_from` text;--> statement-breakpoint
ALTER TABLE `evaluation_runs` ADD `notice_to` text;--> statement-breakpoint
ALTER TABLE `evaluation_runs` ADD `noticed_by` text;--> statement-breakpoint
ALTER TABLE `evaluation_runs` ADD `binding_from` text;--> statement-breakpoint
-- Runs published before notices existed bound from the first day of the following year.
UPDATE `evaluation_runs` SET `binding_from` = (`year` + 1) || '-01-01' WHERE `status` IN ('published', 'superseded');