-- Browser sessions (issue 26): the page cookie holds a random session id, never the API token; only its sha256 is
-- stored, with the token it stands for, its absolute expiry and when it was last used (the idle timeout).
CREATE TABLE `web_sessions` (
	`id_hash` text PRIMARY KEY NOT NULL,
	`token_id` integer NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	`seen_at` text NOT NULL,
	FOREIGN KEY (`token_id`) REFERENCES `api_tokens`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `web_sessions_token` ON `web_sessions` (`token_id`);