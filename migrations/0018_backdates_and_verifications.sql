-- What was known, and when (issue 23), for the programme. Written by hand after drizzle-kit's output for
-- src/db/schema.ts (0017 is reserved for another change).
-- 1. A county's claim that a project list or a quarterly report went in before the day it reached mujun is a request
--    the economy office decides; until it accepts, the record counts from the day it was sent.
CREATE TABLE `backdate_requests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`county` text NOT NULL,
	`project_id` integer,
	`quarter` text,
	`seq` integer,
	`claimed_on` text NOT NULL,
	`sent_on` text NOT NULL,
	`reason` text NOT NULL,
	`requested_at` text NOT NULL,
	`requested_by` text NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `backdate_requests_project` ON `backdate_requests` (`project_id`);--> statement-breakpoint
CREATE INDEX `backdate_requests_report` ON `backdate_requests` (`county`,`quarter`,`seq`);--> statement-breakpoint
CREATE TABLE `backdate_decisions` (
	`request_id` integer PRIMARY KEY NOT NULL,
	`decision` text NOT NULL,
	`reason` text NOT NULL,
	`ref` text,
	`decided_at` text NOT NULL,
	`decided_by` text NOT NULL,
	FOREIGN KEY (`request_id`) REFERENCES `backdate_requests`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
-- 2. Every verification of a disposition and every clearing of one, so a closure can be asked as known at an instant.
CREATE TABLE `disposition_verifications` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`disposition_id` integer NOT NULL,
	`project_id` integer NOT NULL,
	`credit_code` text NOT NULL,
	`kind` text NOT NULL,
	`event` text NOT NULL,
	`completed_on` text,
	`verified_on` text,
	`effective_from` text,
	`correction_reason` text,
	`correction_ref` text,
	`at` text NOT NULL,
	`by` text NOT NULL,
	FOREIGN KEY (`disposition_id`) REFERENCES `dispositions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `disposition_verifications_firm` ON `disposition_verifications` (`credit_code`,`at`);--> statement-breakpoint
CREATE INDEX `disposition_verifications_disposition` ON `disposition_verifications` (`disposition_id`);--> statement-breakpoint
ALTER TABLE `dispositions` ADD `verified_at` text;--> statement-breakpoint
-- A verification made before this migration: any later change of a record clears its verification, so a record
-- still verified was last written by it (updated_at is its instant). It took effect from the completion day, as it
-- was billed then; it is kept so, named for what it is.
UPDATE `dispositions` SET `verified_at` = `updated_at` WHERE `verified_on` IS NOT NULL;--> statement-breakpoint
INSERT INTO `disposition_verifications` (`disposition_id`, `project_id`, `credit_code`, `kind`, `event`, `completed_on`,
	`verified_on`, `effective_from`, `correction_reason`, `correction_ref`, `at`, `by`)
	SELECT `id`, `project_id`, `credit_code`, `kind`, 'verified', `completed_on`, `verified_on`, `completed_on`,
		'verified before migration 0018, from the completion day as billed then', NULL, `updated_at`, `verified_by`
	FROM `dispositions` WHERE `verified_on` IS NOT NULL ORDER BY `updated_at`, `id`;--> statement-breakpoint
-- 3. Append-only, as migration 0015's tables.
CREATE TRIGGER `backdate_requests_no_update` BEFORE UPDATE ON `backdate_requests`
BEGIN
	SELECT RAISE(ABORT, 'backdate_requests is append-only: a row is never changed');
END;
--> statement-breakpoint
CREATE TRIGGER `backdate_requests_no_delete` BEFORE DELETE ON `backdate_requests`
BEGIN
	SELECT RAISE(ABORT, 'backdate_requests is append-only: a row is never removed');
END;
--> statement-breakpoint
CREATE TRIGGER `backdate_decisions_no_update` BEFORE UPDATE ON `backdate_decisions`
BEGIN
	SELECT RAISE(ABORT, 'backdate_decisions is append-only: a row is never changed');
END;
--> statement-breakpoint
CREATE TRIGGER `backdate_decisions_no_delete` BEFORE DELETE ON `backdate_decisions`
BEGIN
	SELECT RAISE(ABORT, 'backdate_decisions is append-only: a row is never removed');
END;
--> statement-breakpoint
CREATE TRIGGER `disposition_verifications_no_update` BEFORE UPDATE ON `disposition_verifications`
BEGIN
	SELECT RAISE(ABORT, 'disposition_verifications is append-only: a row is never changed');
END;
--> statement-breakpoint
CREATE TRIGGER `disposition_verifications_no_delete` BEFORE DELETE ON `disposition_verifications`
BEGIN
	SELECT RAISE(ABORT, 'disposition_verifications is append-only: a row is never removed');
END;
