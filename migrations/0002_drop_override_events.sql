-- Override status history before overrides were records: kept, renamed, never deleted (the records and their
-- revisions are in `overrides` and `override_revisions` from now on).
ALTER TABLE `override_events` RENAME TO `legacy_override_events`;
