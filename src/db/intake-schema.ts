/**
 * Figures by department (migration 0022): each department's submitted figures, one row per firm, year, input and
 * version; the publication of a year's land areas for objection; each firm's answer to its sheet (一企一单:
 * confirmed, or a figure disputed and how the economy office resolved it); and the lineage of each composed version
 * of a year's figures. Kept apart from db/schema so neither file outgrows the size limit; drizzle.config.ts names it.
 * @module db/intake-schema
 */
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

/**
 * One figure as a department submitted it. A new submission of the same firm, year and input with another value is
 * a new version (the old one stays); the same value again changes nothing. `note` names a dispute whose resolution
 * set the value.
 */
export const figureSubmissions = sqliteTable(
  'figure_submissions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    year: integer('year').notNull(),
    creditCode: text('credit_code').notNull(),
    input: text('input').notNull(),
    value: text('value', { mode: 'json' }).notNull().$type<number | boolean | string>(),
    department: text('department').notNull(),
    version: integer('version').notNull(),
    submittedAt: text('submitted_at').notNull(),
    submittedBy: text('submitted_by').notNull(),
    note: text('note'),
  },
  (t) => [
    uniqueIndex('figure_submissions_version').on(t.year, t.creditCode, t.input, t.version),
    index('figure_submissions_department').on(t.year, t.department),
  ],
)

/** A year's land areas published for objection: firms may dispute them from `publishedOn` to `objectionUntil`. */
export const landPublications = sqliteTable('land_publications', {
  year: integer('year').primaryKey(),
  publishedOn: text('published_on').notNull(),
  objectionUntil: text('objection_until').notNull(),
  publishedAt: text('published_at').notNull(),
  publishedBy: text('published_by').notNull(),
})

/**
 * A firm's answer to its sheet of a year: `confirm` (of the figures as they stood: `seen` is the newest submission
 * id it saw) or `dispute` of one input's figure (the submission disputed, the value the firm claims, its reason),
 * which the economy office resolves: upheld (the claimed or a decided value becomes a new version) or rejected.
 */
export const sheetAnswers = sqliteTable(
  'sheet_answers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    year: integer('year').notNull(),
    creditCode: text('credit_code').notNull(),
    kind: text('kind', { enum: ['confirm', 'dispute'] }).notNull(),
    seen: integer('seen'),
    input: text('input'),
    submissionId: integer('submission_id'),
    claimed: text('claimed', { mode: 'json' }).$type<number | boolean | string>(),
    reason: text('reason'),
    status: text('status', { enum: ['confirmed', 'open', 'upheld', 'rejected'] }).notNull(),
    filedAt: text('filed_at').notNull(),
    filedBy: text('filed_by').notNull(),
    decidedAt: text('decided_at'),
    decidedBy: text('decided_by'),
    decision: text('decision'),
    /** The submission an upheld dispute made. */
    resolvedSubmissionId: integer('resolved_submission_id'),
  },
  (t) => [index('sheet_answers_firm').on(t.year, t.creditCode)],
)

/**
 * Where each figure of one version of a firm's year figures came from: input → the submission rated, and the
 * sheet's standing when it was composed (confirmed by the firm, deemed confirmed after the window, or disputed).
 */
export const figureLineage = sqliteTable(
  'figure_lineage',
  {
    creditCode: text('credit_code').notNull(),
    year: integer('year').notNull(),
    version: integer('version').notNull(),
    sources: text('sources', { mode: 'json' }).notNull().$type<Record<string, number>>(),
    sheet: text('sheet', { enum: ['confirmed', 'deemed', 'disputed'] }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.creditCode, t.year, t.version] })],
)
