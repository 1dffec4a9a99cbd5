ALTER TABLE `dispositions` ADD `verified_on` text;--> statement-breakpoint
ALTER TABLE `dispositions` ADD `verified_by` text;