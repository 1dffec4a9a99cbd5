-- Every replaced version of a year's figures is kept by the database itself, whichever path replaces it (an edit,
-- an import): the row as it was goes to figure_versions before the update. Inserts cost nothing extra.
CREATE TRIGGER `figures_keep_replaced` BEFORE UPDATE ON `figures`
BEGIN
	INSERT INTO `figure_versions` (`credit_code`, `year`, `version`, `data`, `updated_at`, `updated_by`)
	VALUES (OLD.`credit_code`, OLD.`year`, OLD.`version`, OLD.`data`, OLD.`updated_at`, OLD.`updated_by`);
END;
