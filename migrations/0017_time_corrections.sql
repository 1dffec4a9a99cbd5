ALTER TABLE `evaluation_runs` ADD `correction` text;--> statement-breakpoint
ALTER TABLE `rulebook_activations` ADD `effective_on` text;--> statement-breakpoint
ALTER TABLE `rulebook_activations` ADD `correction` text;