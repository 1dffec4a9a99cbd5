-- Every replaced version of a year's figures is kept from now on (a result is recomputed from what it was rated on).
CREATE TABLE `figure_versions` (
	`credit_code` text NOT NULL,
	`year` integer NOT NULL,
	`version` integer NOT NULL,
	`data` text NOT NULL,
	`updated_at` text NOT NULL,
	`updated_by` text NOT NULL,
	PRIMARY KEY(`credit_code`, `year`, `version`)
);
--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_evaluation_results` (
	`run_id` integer NOT NULL,
	`credit_code` text NOT NULL,
	`county` text NOT NULL,
	`name` text NOT NULL,
	`industry_code` text NOT NULL,
	`sector` text NOT NULL,
	`figures_version` integer,
	`status` text NOT NULL,
	`group_id` text,
	`score` real,
	`rank` integer,
	`group_size` integer,
	`initial_class` text,
	`class` text,
	`category` text,
	`points` blob,
	`legacy` text,
	PRIMARY KEY(`run_id`, `credit_code`),
	FOREIGN KEY (`run_id`) REFERENCES `evaluation_runs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
-- Results stored before this migration keep their full stored result (trace and figures as rated) in `legacy`:
-- nothing is recomputed for them. A re-grade's class is the `class` column, as before.
INSERT INTO `__new_evaluation_results`("run_id", "credit_code", "county", "name", "industry_code", "sector", "figures_version", "status", "group_id", "score", "rank", "group_size", "initial_class", "class", "category", "points", "legacy")
SELECT "run_id", "credit_code", "county", coalesce(json_extract("result", '$.name'), ''), coalesce(json_extract("result", '$.industryCode'), ''), coalesce(json_extract("result", '$.sector'), ''), NULL, "status", "group_id", "score", "rank", "group_size", "initial_class", "class", json_extract("result", '$.category'), NULL, "result" FROM `evaluation_results`;--> statement-breakpoint
DROP TABLE `evaluation_results`;--> statement-breakpoint
ALTER TABLE `__new_evaluation_results` RENAME TO `evaluation_results`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `evaluation_results_code` ON `evaluation_results` (`credit_code`);
