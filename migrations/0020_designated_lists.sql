CREATE TABLE `designated_list_entries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`list_id` text NOT NULL,
	`credit_code` text NOT NULL,
	`added_on` text NOT NULL,
	`added_ref` text NOT NULL,
	`added_at` text NOT NULL,
	`added_by` text NOT NULL,
	`added_correction` text,
	`removed_on` text,
	`removed_ref` text,
	`removed_at` text,
	`removed_by` text,
	`removed_correction` text,
	FOREIGN KEY (`list_id`) REFERENCES `designated_lists`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `designated_list_entries_list` ON `designated_list_entries` (`list_id`);--> statement-breakpoint
CREATE INDEX `designated_list_entries_code` ON `designated_list_entries` (`credit_code`);--> statement-breakpoint
CREATE TABLE `designated_lists` (
	`id` text PRIMARY KEY NOT NULL,
	`label` text NOT NULL,
	`schedule` text NOT NULL,
	`document` text NOT NULL,
	`start_on` text NOT NULL,
	`transition_until` text,
	`status` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`proposed_at` text NOT NULL,
	`proposed_by` text NOT NULL,
	`decided_at` text,
	`decided_by` text,
	`decision_ref` text,
	`decision_reason` text
);
