CREATE TABLE `collections` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`credit_code` text NOT NULL,
	`county` text NOT NULL,
	`month` text NOT NULL,
	`resource` text NOT NULL,
	`amount_fen` integer NOT NULL,
	`source` text NOT NULL,
	`reporter` text NOT NULL,
	`reported_on` text NOT NULL,
	`reported_at` text NOT NULL,
	`reported_by` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`correction` text,
	FOREIGN KEY (`credit_code`) REFERENCES `enterprises`(`credit_code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `collections_firm_month_resource` ON `collections` (`credit_code`,`month`,`resource`);--> statement-breakpoint
CREATE INDEX `collections_county_month` ON `collections` (`county`,`month`);--> statement-breakpoint
CREATE INDEX `collections_reporter` ON `collections` (`reporter`,`month`);--> statement-breakpoint
CREATE TABLE `refund_items` (
	`run_id` integer NOT NULL,
	`credit_code` text NOT NULL,
	`county` text NOT NULL,
	`class_before` text,
	`class_after` text,
	`rule` text,
	`share` text,
	`paid_fen` integer NOT NULL,
	`amount_fen` integer NOT NULL,
	`lines` text NOT NULL,
	`reason` text NOT NULL,
	PRIMARY KEY(`run_id`, `credit_code`),
	FOREIGN KEY (`run_id`) REFERENCES `refund_runs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `refund_items_county` ON `refund_items` (`county`);--> statement-breakpoint
CREATE TABLE `refund_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`year` integer NOT NULL,
	`status` text NOT NULL,
	`rulebook_version_id` integer NOT NULL,
	`evaluation_before` integer NOT NULL,
	`evaluation_after` integer NOT NULL,
	`paid` text NOT NULL,
	`total` text NOT NULL,
	`summary` text NOT NULL,
	`notice_from` text,
	`notice_to` text,
	`noticed_by` text,
	`published_on` text,
	`published_at` text,
	`published_by` text,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL,
	FOREIGN KEY (`rulebook_version_id`) REFERENCES `rulebook_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `refund_runs_year` ON `refund_runs` (`year`,`status`);--> statement-breakpoint
-- A refund run's items are its trace: never changed or removed (the run's status moves; its items stay as computed).
-- Refund runs and collections are never removed (a collection changes only by a correction, kept on its row).
CREATE TRIGGER `refund_items_no_update` BEFORE UPDATE ON `refund_items`
BEGIN
	SELECT RAISE(ABORT, 'refund_items is append-only: a row is never changed');
END;
--> statement-breakpoint
CREATE TRIGGER `refund_items_no_delete` BEFORE DELETE ON `refund_items`
BEGIN
	SELECT RAISE(ABORT, 'refund_items is append-only: a row is never removed');
END;
--> statement-breakpoint
CREATE TRIGGER `refund_runs_no_delete` BEFORE DELETE ON `refund_runs`
BEGIN
	SELECT RAISE(ABORT, 'refund_runs are never removed');
END;
--> statement-breakpoint
CREATE TRIGGER `collections_no_delete` BEFORE DELETE ON `collections`
BEGIN
	SELECT RAISE(ABORT, 'collections are never removed');
END;
