-- Figures keyed (year, credit code) and stored in key order (WITHOUT ROWID, written by hand: drizzle-kit cannot
-- express it; keep it if this table is ever rebuilt). A year's population is one sequential read, and an import of
-- a year appends to one B-tree instead of a table and two indexes.
CREATE TABLE `__new_figures` (
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
INSERT INTO `__new_figures`("credit_code", "year", "data", "version", "updated_at", "updated_by") SELECT "credit_code", "year", "data", "version", "updated_at", "updated_by" FROM `figures` ORDER BY "year", "credit_code";--> statement-breakpoint
DROP TABLE `figures`;--> statement-breakpoint
ALTER TABLE `__new_figures` RENAME TO `figures`;
