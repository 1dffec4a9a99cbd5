-- Enterprises stored in credit-code order (WITHOUT ROWID, written by hand: drizzle-kit cannot express it; keep it if
-- this table is ever rebuilt): an import appends to the table and its county index, with no separate key index.
-- Figures reference enterprises, and foreign keys stay enforced inside a migration's transaction: they are set
-- aside in a plain copy while enterprises is rebuilt, then rebuilt themselves.
CREATE TABLE `__new_enterprises` (
	`credit_code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`county` text NOT NULL,
	`industry_code` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`updated_at` text NOT NULL,
	`updated_by` text NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_enterprises` SELECT `credit_code`, `name`, `county`, `industry_code`, `version`, `updated_at`, `updated_by` FROM `enterprises` ORDER BY `credit_code`;--> statement-breakpoint
CREATE TABLE `__figures_copy` AS SELECT * FROM `figures`;--> statement-breakpoint
DROP TABLE `figures`;--> statement-breakpoint
DROP TABLE `enterprises`;--> statement-breakpoint
ALTER TABLE `__new_enterprises` RENAME TO `enterprises`;--> statement-breakpoint
CREATE INDEX `enterprises_county` ON `enterprises` (`county`);--> statement-breakpoint
CREATE TABLE `figures` (
	`credit_code` text NOT NULL,
	`year` integer NOT NULL,
	`data` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`updated_at` text NOT NULL,
	`updated_by` text NOT NULL,
	PRIMARY KEY(`year`, `credit_code`),
	FOREIGN KEY (`credit_code`) REFERENCES `enterprises`(`credit_code`) ON UPDATE no action ON DELETE no action
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `figures` SELECT `credit_code`, `year`, `data`, `version`, `updated_at`, `updated_by` FROM `__figures_copy` ORDER BY `year`, `credit_code`;--> statement-breakpoint
DROP TABLE `__figures_copy`;
