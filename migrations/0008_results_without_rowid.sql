-- Results stored in key order (run, credit code): a run is appended, not inserted into two B-trees; no index on the
-- credit code alone (every read names the run). drizzle-kit cannot express WITHOUT ROWID: written by hand.
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
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_evaluation_results` SELECT `run_id`, `credit_code`, `county`, `name`, `industry_code`, `sector`, `figures_version`, `status`, `group_id`, `score`, `rank`, `group_size`, `initial_class`, `class`, `category`, `points`, `legacy` FROM `evaluation_results`;--> statement-breakpoint
DROP TABLE `evaluation_results`;--> statement-breakpoint
ALTER TABLE `__new_evaluation_results` RENAME TO `evaluation_results`;
