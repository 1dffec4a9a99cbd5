CREATE TABLE `registry_stamp` (
	`id` integer PRIMARY KEY NOT NULL,
	`stamp` integer NOT NULL
);
