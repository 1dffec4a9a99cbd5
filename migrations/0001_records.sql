CREATE TABLE `override_revisions` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`override_id` text NOT NULL,
	`version` integer NOT NULL,
	`county` text NOT NULL,
	`action` text NOT NULL,
	`from_status` text,
	`to_status` text NOT NULL,
	`text` text NOT NULL,
	`at` text NOT NULL,
	`by` text NOT NULL,
	`reason` text DEFAULT '' NOT NULL,
	`ref` text,
	`decision_date` text,
	FOREIGN KEY (`override_id`) REFERENCES `overrides`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `override_revisions_version` ON `override_revisions` (`override_id`,`version`);--> statement-breakpoint
CREATE TABLE `overrides` (
	`id` text PRIMARY KEY NOT NULL,
	`county` text NOT NULL,
	`status` text NOT NULL,
	`text` text NOT NULL,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL,
	`updated_at` text NOT NULL,
	`updated_by` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `overrides_county` ON `overrides` (`county`);--> statement-breakpoint
CREATE TABLE `rulebook_activations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`version_id` integer NOT NULL,
	`at` text NOT NULL,
	`by` text NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	FOREIGN KEY (`version_id`) REFERENCES `rulebook_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `created_by` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `expires_at` text;--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `revoked_at` text;--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `revoked_by` text;--> statement-breakpoint
-- A database from before activations: the newest version was the one in force; record that as its activation.
INSERT INTO `rulebook_activations` (`version_id`, `at`, `by`, `note`)
  SELECT max(`id`), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'migration', 'in force before activations were recorded'
  FROM `rulebook_versions` HAVING max(`id`) IS NOT NULL;
