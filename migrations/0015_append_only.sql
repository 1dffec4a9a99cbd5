-- The records nothing may change or remove, refused by the database itself whatever path writes (the service,
-- a script, an sqlite3 session): the audit log, every city rule version and activation, every override revision,
-- every replaced version of figures, submitted reports and fixed fund allocations. A later migration that must
-- rebuild one of these tables drops its two triggers first and creates them again after.
CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log`
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only: a row is never changed');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_no_delete` BEFORE DELETE ON `audit_log`
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only: a row is never removed');
END;
--> statement-breakpoint
CREATE TRIGGER `rulebook_versions_no_update` BEFORE UPDATE ON `rulebook_versions`
BEGIN
	SELECT RAISE(ABORT, 'rulebook_versions is append-only: a row is never changed');
END;
--> statement-breakpoint
CREATE TRIGGER `rulebook_versions_no_delete` BEFORE DELETE ON `rulebook_versions`
BEGIN
	SELECT RAISE(ABORT, 'rulebook_versions is append-only: a row is never removed');
END;
--> statement-breakpoint
CREATE TRIGGER `rulebook_activations_no_update` BEFORE UPDATE ON `rulebook_activations`
BEGIN
	SELECT RAISE(ABORT, 'rulebook_activations is append-only: a row is never changed');
END;
--> statement-breakpoint
CREATE TRIGGER `rulebook_activations_no_delete` BEFORE DELETE ON `rulebook_activations`
BEGIN
	SELECT RAISE(ABORT, 'rulebook_activations is append-only: a row is never removed');
END;
--> statement-breakpoint
CREATE TRIGGER `override_revisions_no_update` BEFORE UPDATE ON `override_revisions`
BEGIN
	SELECT RAISE(ABORT, 'override_revisions is append-only: a row is never changed');
END;
--> statement-breakpoint
CREATE TRIGGER `override_revisions_no_delete` BEFORE DELETE ON `override_revisions`
BEGIN
	SELECT RAISE(ABORT, 'override_revisions is append-only: a row is never removed');
END;
--> statement-breakpoint
CREATE TRIGGER `figure_versions_no_update` BEFORE UPDATE ON `figure_versions`
BEGIN
	SELECT RAISE(ABORT, 'figure_versions is append-only: a row is never changed');
END;
--> statement-breakpoint
CREATE TRIGGER `figure_versions_no_delete` BEFORE DELETE ON `figure_versions`
BEGIN
	SELECT RAISE(ABORT, 'figure_versions is append-only: a row is never removed');
END;
--> statement-breakpoint
CREATE TRIGGER `programme_reports_no_update` BEFORE UPDATE ON `programme_reports`
BEGIN
	SELECT RAISE(ABORT, 'programme_reports is append-only: a row is never changed');
END;
--> statement-breakpoint
CREATE TRIGGER `programme_reports_no_delete` BEFORE DELETE ON `programme_reports`
BEGIN
	SELECT RAISE(ABORT, 'programme_reports is append-only: a row is never removed');
END;
--> statement-breakpoint
CREATE TRIGGER `fund_allocations_no_update` BEFORE UPDATE ON `fund_allocations`
BEGIN
	SELECT RAISE(ABORT, 'fund_allocations is append-only: a row is never changed');
END;
--> statement-breakpoint
CREATE TRIGGER `fund_allocations_no_delete` BEFORE DELETE ON `fund_allocations`
BEGIN
	SELECT RAISE(ABORT, 'fund_allocations is append-only: a row is never removed');
END;
--> statement-breakpoint
CREATE TRIGGER `legacy_override_events_no_update` BEFORE UPDATE ON `legacy_override_events`
BEGIN
	SELECT RAISE(ABORT, 'legacy_override_events is append-only: a row is never changed');
END;
--> statement-breakpoint
CREATE TRIGGER `legacy_override_events_no_delete` BEFORE DELETE ON `legacy_override_events`
BEGIN
	SELECT RAISE(ABORT, 'legacy_override_events is append-only: a row is never removed');
END;
