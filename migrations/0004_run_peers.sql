CREATE TABLE `evaluation_peers` (
	`run_id` integer NOT NULL,
	`key` text NOT NULL,
	`stat` real,
	`scores` blob,
	PRIMARY KEY(`run_id`, `key`),
	FOREIGN KEY (`run_id`) REFERENCES `evaluation_runs`(`id`) ON UPDATE no action ON DELETE no action
);
